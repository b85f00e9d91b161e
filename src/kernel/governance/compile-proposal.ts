// Turns a submitted patch document into the record that opens a proposal: compiled against the
// world's current manifest (air/patch), its candidate manifest and new nodes stored, or, when it
// does not compile, a rejection that keeps the reasons (stale base or pre_hash, sys/* edits,
// invalid AIR). Pure but for the content store, like snapshots.
import { compilePatch, sealNode } from '../../air/index.ts';
import type { AirError } from '../../air/index.ts';
import type { ContentStore } from '../content-store.ts';
import { GOVERNANCE_REASONS_MAX } from '../limits.ts';
import type { ManifestView } from '../manifest-view.ts';
import type { GovernanceRecordBody } from './governance-record.ts';
import type { IngressStamp } from '../records.ts';

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** A patch document submitted for a proposal. */
export interface ProposalInput {
  /** The patch document as UTF-8 JSON text (kept in CAS as submitted). */
  readonly document: Uint8Array;
  /** Who proposes: a principal's name, `cli`, or `workflow:<module>`. */
  readonly author: string;
  readonly description?: string;
}

/** Compiles the document against the current manifest; returns the record to journal. */
export function compileProposal(view: ManifestView, store: ContentStore, input: ProposalInput, proposalId: number, stamp: IngressStamp): GovernanceRecordBody {
  const patchDoc = store.put(input.document);
  const opened = { kind: 'governance' as const, proposal_id: proposalId, patch_doc: patchDoc, author: input.author, ...(input.description !== undefined ? { description: input.description } : {}) };
  let document: unknown;
  try {
    document = JSON.parse(UTF8.decode(input.document));
  } catch (error) {
    return { ...opened, op: 'rejected', reasons: [`the patch document is not UTF-8 JSON: ${error instanceof Error ? error.message : String(error)}`], stamp };
  }
  const compiled = compilePatch(document, { manifest: sealNode(view.manifest), index: view.index }, `proposal ${proposalId}`);
  if (!compiled.ok) return { ...opened, op: 'rejected', reasons: reasonsOf(compiled.errors), stamp };
  const { patch } = compiled;
  store.put(patch.candidate.bytes);
  for (const node of patch.nodes) store.put(node.bytes);
  return {
    ...opened, op: 'proposed', patch_hash: patch.patchHash, base_manifest_hash: view.hash, manifest_hash: patch.candidate.hash,
    touches: [...patch.summary.touches], stamp,
  };
}

function reasonsOf(errors: readonly AirError[]): string[] {
  const shown = errors.slice(0, GOVERNANCE_REASONS_MAX).map((error) => `${error.code}: ${error.message}`);
  if (errors.length > GOVERNANCE_REASONS_MAX) shown.push(`and ${errors.length - GOVERNANCE_REASONS_MAX} more`);
  return shown;
}
