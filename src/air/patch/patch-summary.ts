import { hashValue } from '../../cbor/index.ts';
import type { CborValue } from '../../cbor/index.ts';
// What a patch changes, by kind and section: for governance effects, cap enforcers and approval rules.
import type { DefKind, Manifest } from '../defs.ts';
import { MANIFEST_SECTION } from '../defs.ts';
import { opName } from './patch-document.ts';
import type { PatchDocument, PatchOpName } from './patch-document.ts';
import { sectionHash } from './section-hash.ts';
import type { GuardedSection } from './section-hash.ts';

export interface PatchSummary {
  readonly ops: readonly PatchOpName[];
  readonly def_changes: ReadonlyArray<{ readonly kind: DefKind; readonly name: string; readonly action: 'added' | 'removed' | 'changed' }>;
  readonly manifest_sections: readonly string[];
  /** Everything the candidate differs in, named as approval rules name it (APPROVAL_TOUCH_KINDS). */
  readonly touches: readonly string[];
}

/** Compares base and candidate manifests (not the ops' intent) so the summary says what really changes. */
export function summarizePatch(doc: PatchDocument, base: Manifest, candidate: Manifest): PatchSummary {
  const defChanges: Array<{ kind: DefKind; name: string; action: 'added' | 'removed' | 'changed' }> = [];
  const touches = new Set<string>();
  for (const [kind, section] of Object.entries(MANIFEST_SECTION) as Array<[DefKind, typeof MANIFEST_SECTION[DefKind]]>) {
    const before = new Map((base[section] ?? []).map((ref) => [ref.name, ref.hash]));
    const after = new Map((candidate[section] ?? []).map((ref) => [ref.name, ref.hash]));
    for (const [name, hash] of after) {
      const old = before.get(name);
      if (old === undefined) defChanges.push({ kind, name, action: 'added' });
      else if (old !== hash) defChanges.push({ kind, name, action: 'changed' });
    }
    for (const name of before.keys()) if (!after.has(name)) defChanges.push({ kind, name, action: 'removed' });
  }
  for (const change of defChanges) touches.add(change.kind);
  const sections = new Set<string>();
  if (defChanges.length > 0) sections.add('manifest_refs');
  const guarded: Array<[GuardedSection, string]> = [['routing_events', 'routing'], ['routing_inboxes', 'routing'], ['module_bindings', 'module_bindings'], ['secrets', 'secrets'], ['approval_policy', 'approval_policy']];
  for (const [section, touch] of guarded) {
    if (sectionHash(base, section) !== sectionHash(candidate, section)) {
      sections.add(section);
      touches.add(touch);
    }
  }
  if (hashValue((base.defaults ?? {}) as CborValue) !== hashValue((candidate.defaults ?? {}) as CborValue)) {
    sections.add('defaults');
    touches.add('defaults');
  }
  if (sections.has('manifest_refs')) touches.add('manifest_refs');
  return { ops: doc.patches.map(opName), def_changes: defChanges, manifest_sections: [...sections].sort(), touches: [...touches].sort() };
}
