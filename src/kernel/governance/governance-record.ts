// The `governance` journal record (DESIGN §6, §8): one kind with an `op` per step of the loop
// propose → shadow → approve/reject → apply. Each is an input of its own, stamped at ingress.
import type { Hash } from '../../cbor/index.ts';
import type { IngressStamp } from '../records.ts';
import type { PublicKeyId } from '../public-key.ts';

/** The steps of a proposal's life, as journaled. */
export type GovernanceOp = 'proposed' | 'shadow_report' | 'approved' | 'rejected' | 'applied';

/**
 * One governance step. Fields by op:
 * - proposed: proposal_id (the next id, from 0), patch_doc (the document as submitted, in CAS),
 *   patch_hash, base_manifest_hash, manifest_hash (the candidate), author, description?, touches
 *   (what the patch changes, named as approval rules name it).
 * - rejected without a principal: the patch did not compile (stale base or pre_hash, a sys/* edit,
 *   invalid AIR): proposal_id, patch_doc, author, description?, reasons. The proposal exists, rejected.
 * - shadow_report: proposal_id, patch_hash, report_hash (the ShadowReport in CAS).
 * - approved / rejected by a principal: proposal_id, patch_hash, principal, signature (over
 *   governanceSigningBytes), reason? (a rejection's, signed too).
 * - applied: proposal_id, patch_hash, manifest_hash (now installed); intent_hash when a workflow's
 *   governance.apply asked for it (that intent settles in the same input). A `manifest` record
 *   follows it, then the records of that intent's delivery.
 * Replay re-derives the proposal ledger from these records alone (no signature re-checked, no
 * patch recompiled); an applied record swaps the manifest again.
 */
export interface GovernanceRecordBody {
  readonly kind: 'governance';
  readonly op: GovernanceOp;
  readonly proposal_id: number;
  readonly patch_doc?: Hash;
  readonly patch_hash?: Hash;
  readonly base_manifest_hash?: Hash;
  readonly manifest_hash?: Hash;
  readonly author?: string;
  readonly description?: string;
  readonly touches?: readonly string[];
  readonly reasons?: readonly string[];
  readonly report_hash?: Hash;
  readonly principal?: PublicKeyId;
  readonly signature?: Uint8Array;
  readonly reason?: string;
  readonly intent_hash?: Hash;
  readonly stamp: IngressStamp;
}

/** The body fields of a governance record, for records.ts BODY_FIELDS. */
export const GOVERNANCE_RECORD_FIELDS = [
  'kind', 'op', 'proposal_id', 'patch_doc', 'patch_hash', 'base_manifest_hash', 'manifest_hash', 'author', 'description',
  'touches', 'reasons', 'report_hash', 'principal', 'signature', 'reason', 'intent_hash', 'stamp',
] as const;
