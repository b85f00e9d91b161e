// Patch document + base world → candidate manifest, new nodes and patch_hash (DESIGN §4, §8).
import { hashValue } from '../../cbor/index.ts';
import type { CborValue, Hash } from '../../cbor/index.ts';
import { AirError } from '../errors.ts';
import type { AirWhere } from '../errors.ts';
import { stripComments } from '../authoring.ts';
import { showJson } from '../show-json.ts';
import { checkStructure } from '../structural.ts';
import { canonicalDef, canonicalManifest, sealNode } from '../canonical-node.ts';
import type { CanonicalNode } from '../canonical-node.ts';
import { DefIndex } from '../def-index.ts';
import { checkDef } from '../check-defs.ts';
import { resolveManifest } from '../check-manifest.ts';
import { isSysName } from '../defs.ts';
import type { Def, DefKind, Manifest } from '../defs.ts';
import { PATCH_OPS_MAX } from '../limits.ts';
import { opName } from './patch-document.ts';
import type { PatchDocument, PatchOp } from './patch-document.ts';
import { PatchState } from './patch-state.ts';
import { sectionHash } from './section-hash.ts';
import type { GuardedSection } from './section-hash.ts';
import { summarizePatch } from './patch-summary.ts';
import type { PatchSummary } from './patch-summary.ts';

/** The world a patch is compiled against: its current manifest and every def it can see. */
export interface PatchBase {
  readonly manifest: CanonicalNode<Manifest>;
  readonly index: DefIndex;
}

/** A compiled patch: the candidate manifest, the defs it adds, their index, and the patch identity. */
export interface CompiledPatch {
  readonly candidate: CanonicalNode<Manifest>;
  readonly nodes: readonly CanonicalNode<Def>[];
  readonly index: DefIndex;
  readonly patchHash: Hash;
  readonly summary: PatchSummary;
}

export type PatchResult = { readonly ok: true; readonly patch: CompiledPatch } | { readonly ok: false; readonly errors: readonly AirError[] };

/** Compiles a patch document (already parsed JSON) against a base world; never throws for bad input. */
export function compilePatch(document: unknown, base: PatchBase, file = 'patch'): PatchResult {
  const where: AirWhere = { file };
  try {
    const doc = stripComments(document) as PatchDocument;
    checkStructure('patch', doc, { ...where, path: '' });
    if (doc.patches.length > PATCH_OPS_MAX) throw new AirError('OUT_OF_RANGE', { ...where, path: '.patches' }, `${doc.patches.length} ops; the limit is ${PATCH_OPS_MAX}`);
    if (doc.base_manifest_hash !== base.manifest.hash) {
      throw new AirError('STALE_PRE_HASH', { ...where, path: '.base_manifest_hash' },
        `the patch was written against manifest ${doc.base_manifest_hash}, but the world is now at ${base.manifest.hash}; rebase the patch on the current manifest and propose again`);
    }
    return applyOps(doc, base, where);
  } catch (error) {
    if (error instanceof AirError) return { ok: false, errors: [error] };
    throw error;
  }
}

function applyOps(doc: PatchDocument, base: PatchBase, where: AirWhere): PatchResult {
  const state = new PatchState(base.manifest.node);
  const index = base.index.fork();
  const added = new Map<string, CanonicalNode<Def>>();
  doc.patches.forEach((op, position) => applyOp(op, state, index, added, { ...where, path: `.patches[${position}]` }));
  const errors: AirError[] = [];
  const visible = visibleIndex(state, index, where, errors);
  // Every listed def is checked again: removing or replacing one can break the others.
  for (const entry of visible.all()) if (!entry.builtin) checkDef(entry.def, { ...where, def: entry.def.name }, visible, errors);
  const resolved = resolveManifest(state.toManifest(), { ...where, path: '(candidate manifest)' }, visible, errors);
  if (errors.length > 0) return { ok: false, errors };
  const candidate = sealNode(canonicalManifest(resolved));
  const nodes = [...added.values()].sort((a, b) => (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0));
  const patchHash = hashValue({ manifest: candidate.node, nodes: nodes.map((node) => node.node) } as unknown as CborValue);
  return { ok: true, patch: { candidate, nodes, index: visible, patchHash, summary: summarizePatch(doc, base.manifest.node, candidate.node) } };
}

function applyOp(op: PatchOp, state: PatchState, index: DefIndex, added: Map<string, CanonicalNode<Def>>, at: AirWhere): void {
  if ('add_def' in op) {
    const node = admitNode(op.add_def.kind, op.add_def.node, index, added, { ...at, path: `${at.path}.add_def.node` });
    const refs = state.refsOf(op.add_def.kind);
    if (refs.has(node.node.name)) {
      throw new AirError('PATCH_CONFLICT', { ...at, path: `${at.path}.add_def` }, `${op.add_def.kind} "${node.node.name}" is already in the manifest; use replace_def with pre_hash ${refs.get(node.node.name) ?? ''}`);
    }
    refs.set(node.node.name, node.hash);
  } else if ('replace_def' in op) {
    const { kind, name, new_node, pre_hash } = op.replace_def;
    checkPreHash(kind, name, pre_hash, state, { ...at, path: `${at.path}.replace_def` });
    const node = admitNode(kind, new_node, index, added, { ...at, path: `${at.path}.replace_def.new_node` });
    if (node.node.name !== name) {
      throw new AirError('PATCH_CONFLICT', { ...at, path: `${at.path}.replace_def.new_node.name` }, `replaces "${name}" with a node named "${node.node.name}"; the names must match (use remove_def + add_def to rename)`);
    }
    state.refsOf(kind).set(name, node.hash);
  } else if ('remove_def' in op) {
    const { kind, name, pre_hash } = op.remove_def;
    checkPreHash(kind, name, pre_hash, state, { ...at, path: `${at.path}.remove_def` });
    state.refsOf(kind).delete(name);
  } else if ('set_manifest_refs' in op) {
    setManifestRefs(op.set_manifest_refs, state, index, { ...at, path: `${at.path}.set_manifest_refs` });
  } else if ('set_defaults' in op) {
    const { policy, cap_grants } = op.set_defaults;
    const current = state.defaults ?? {};
    const next: { policy?: string; cap_grants?: typeof cap_grants } = { ...current };
    if (policy === null) delete next.policy; else if (policy !== undefined) next.policy = policy;
    if (cap_grants !== undefined) next.cap_grants = cap_grants;
    state.defaults = next;
  } else {
    applyGuarded(op, state, at);
  }
}

function applyGuarded(op: PatchOp, state: PatchState, at: AirWhere): void {
  const name = opName(op);
  const section: Record<string, GuardedSection> = {
    set_routing_events: 'routing_events', set_routing_inboxes: 'routing_inboxes', set_module_bindings: 'module_bindings',
    set_secrets: 'secrets', set_approval_policy: 'approval_policy',
  };
  const guarded = section[name];
  const body = (op as unknown as Record<string, { pre_hash: Hash }>)[name];
  if (guarded === undefined || body === undefined) throw new AirError('SCHEMA_VIOLATION', at, `unknown patch op "${name}"`);
  const current = sectionHash(state.toManifest(), guarded);
  if (body.pre_hash !== current) {
    throw new AirError('STALE_PRE_HASH', { ...at, path: `${at.path}.${name}.pre_hash` },
      `pre_hash ${body.pre_hash} does not match the current ${guarded.replace('_', ' ')} (${current}); someone changed it since the patch was written — rebase and retry`);
  }
  if ('set_routing_events' in op) state.subscriptions = op.set_routing_events.subscriptions;
  else if ('set_routing_inboxes' in op) state.inboxes = op.set_routing_inboxes.inboxes;
  else if ('set_module_bindings' in op) state.moduleBindings = op.set_module_bindings.bindings;
  else if ('set_approval_policy' in op) state.approvalPolicy = op.set_approval_policy.approval_policy ?? undefined;
  else if ('set_secrets' in op) setSecrets(op.set_secrets.secrets, state, at);
}

function setSecrets(secrets: ReadonlyArray<{ name?: string; hash?: Hash } | { alias: string }>, state: PatchState, at: AirWhere): void {
  const refs = state.refsOf('defsecret');
  refs.clear();
  secrets.forEach((secret, position) => {
    if (!('name' in secret) || secret.name === undefined || secret.hash === undefined) {
      throw new AirError('SCHEMA_VIOLATION', { ...at, path: `${at.path}.set_secrets.secrets[${position}]` },
        'legacy inline secret declarations (alias/binding_id) are not supported; define a defsecret and list it as {name, hash}');
    }
    refs.set(secret.name, secret.hash);
  });
}

function admitNode(kind: DefKind, raw: Record<string, unknown>, index: DefIndex, added: Map<string, CanonicalNode<Def>>, at: AirWhere): CanonicalNode<Def> {
  const json = stripComments(raw) as Record<string, unknown>;
  if (json.$kind !== kind) {
    throw new AirError('UNKNOWN_KIND', { ...at, path: `${at.path}.$kind` }, `the op says kind "${kind}" but the node's "$kind" is ${showJson(json.$kind)}`);
  }
  const name = typeof json.name === 'string' ? json.name : '';
  const named = { ...at, def: name };
  checkStructure(kind, json, named);
  if (isSysName(name)) throw new AirError('RESERVED_NAME', named, `patches may not touch the built-in sys/* catalog ("${name}"); use your own namespace`);
  const node = sealNode(canonicalDef(json as unknown as Def));
  index.set({ def: node.node, hash: node.hash, bytes: node.bytes, where: named, builtin: false });
  added.set(`${kind} ${name}`, node);
  return node;
}

function checkPreHash(kind: DefKind, name: string, preHash: Hash, state: PatchState, at: AirWhere): void {
  if (isSysName(name)) throw new AirError('RESERVED_NAME', { ...at, path: `${at.path}.name` }, `patches may not touch the built-in sys/* catalog ("${name}")`);
  const current = state.refsOf(kind).get(name);
  if (current === undefined) throw new AirError('DANGLING_REF', { ...at, path: `${at.path}.name` }, `${kind} "${name}" is not in the manifest, so it cannot be replaced or removed`);
  if (current !== preHash) {
    throw new AirError('STALE_PRE_HASH', { ...at, path: `${at.path}.pre_hash` },
      `pre_hash ${preHash} does not match ${kind} "${name}" as it is now (${current}); it changed since the patch was written — rebase and retry`);
  }
}

function setManifestRefs(op: { add?: ReadonlyArray<{ kind: DefKind; name: string; hash: Hash }>; remove?: ReadonlyArray<{ kind: DefKind; name: string }> }, state: PatchState, index: DefIndex, at: AirWhere): void {
  (op.remove ?? []).forEach((ref, position) => {
    const path = { ...at, path: `${at.path}.remove[${position}]` };
    if (isSysName(ref.name)) throw new AirError('RESERVED_NAME', path, `patches may not touch the built-in sys/* catalog ("${ref.name}")`);
    if (!state.refsOf(ref.kind).delete(ref.name)) throw new AirError('DANGLING_REF', path, `${ref.kind} "${ref.name}" is not in the manifest`);
  });
  (op.add ?? []).forEach((ref, position) => {
    const path = { ...at, path: `${at.path}.add[${position}]` };
    const entry = index.get(ref.kind, ref.name);
    if (isSysName(ref.name) && (entry === undefined || !entry.builtin || entry.hash !== ref.hash)) {
      throw new AirError('RESERVED_NAME', path, `"${ref.name}" may only be listed with its built-in hash${entry !== undefined ? ` (${entry.hash})` : ''}; sys/* defs cannot be changed`);
    }
    if (entry === undefined || entry.hash !== ref.hash) {
      throw new AirError('DANGLING_REF', { ...path, path: `${path.path}.hash` }, `no ${ref.kind} "${ref.name}" with hash ${ref.hash} is known; add the node with add_def instead`);
    }
    state.refsOf(ref.kind).set(ref.name, ref.hash);
  });
}

/** What the candidate world can see: the built-in catalog and exactly the defs its manifest lists. */
function visibleIndex(state: PatchState, known: DefIndex, where: AirWhere, errors: AirError[]): DefIndex {
  const visible = new DefIndex();
  for (const entry of known.all()) if (entry.builtin) visible.set(entry);
  for (const [kind, refs] of state.refs) {
    for (const [name, hash] of refs) {
      const entry = known.get(kind, name);
      if (entry !== undefined && entry.hash === hash) {
        visible.set(entry);
      } else {
        errors.push(new AirError('DANGLING_REF', { ...where, path: '(candidate manifest)' }, `lists ${kind} "${name}" at ${hash}, but no such node is known`));
      }
    }
  }
  return visible;
}
