// The proposals of a world, rebuilt from its governance records (and carried by snapshots).
import { isCborObject, isHash } from '../../cbor/index.ts';
import type { CborValue, Hash } from '../../cbor/index.ts';
import type { ApprovalPolicy } from '../../air/index.ts';
import { assert } from '../../cbor/index.ts';
import { KernelError } from '../errors.ts';
import type { PublicKeyId } from '../public-key.ts';
import { quorumShortfall } from './governance-decision.ts';
import type { GovernanceRecordBody } from './governance-record.ts';

/** Where a proposal is in its life. */
export type ProposalStatus = 'proposed' | 'shadowed' | 'approved' | 'rejected' | 'applied';

/** One proposal, as the journal describes it (snake_case: it is stored in snapshots as is). */
export interface Proposal {
  readonly id: number;
  readonly status: ProposalStatus;
  readonly patch_doc: Hash;
  /** Null when the patch never compiled (it was rejected at once, with reasons). */
  readonly patch_hash: Hash | null;
  readonly base_manifest_hash: Hash | null;
  readonly manifest_hash: Hash | null;
  readonly author: string;
  readonly description: string | null;
  readonly touches: readonly string[];
  /** The hash of the record that opened it: what decisions sign. */
  readonly record: Hash;
  readonly proposed_at: number;
  readonly report_hash: Hash | null;
  readonly approvers: readonly PublicKeyId[];
  readonly rejection: { readonly principal: PublicKeyId | null; readonly reasons: readonly string[]; readonly at: number } | null;
  readonly applied_at: number | null;
}

/** Every proposal of a world, by id (ids are sequential from 0). */
export class ProposalLedger {
  private readonly list: Proposal[] = [];

  get nextId(): number {
    return this.list.length;
  }

  get(id: number): Proposal | undefined {
    return Number.isSafeInteger(id) ? this.list[id] : undefined;
  }

  all(): readonly Proposal[] {
    return this.list;
  }

  /** Proposals not yet rejected or applied. */
  openCount(): number {
    return this.list.filter((proposal) => proposal.status !== 'rejected' && proposal.status !== 'applied').length;
  }

  /** Takes a journaled governance record into the ledger; `policy` is the approval policy in force at its height. */
  record(body: GovernanceRecordBody, height: number, hash: Hash, policy: ApprovalPolicy | undefined): void {
    if (body.op === 'proposed' || (body.op === 'rejected' && body.principal === undefined)) {
      assert(body.proposal_id === this.list.length && body.patch_doc !== undefined, 'a new proposal takes the next id');
      const rejected = body.op === 'rejected';
      this.list.push({
        id: body.proposal_id, status: rejected ? 'rejected' : 'proposed', patch_doc: body.patch_doc, patch_hash: body.patch_hash ?? null,
        base_manifest_hash: body.base_manifest_hash ?? null, manifest_hash: body.manifest_hash ?? null, author: body.author ?? '',
        description: body.description ?? null, touches: body.touches ?? [], record: hash, proposed_at: height, report_hash: null, approvers: [],
        rejection: rejected ? { principal: null, reasons: body.reasons ?? [], at: height } : null, applied_at: null,
      });
      return;
    }
    const proposal = this.list[body.proposal_id];
    if (proposal === undefined) throw new KernelError('REPLAY_DIVERGED', `a governance ${body.op} record at height ${height} names proposal ${body.proposal_id}, which does not exist`);
    this.list[body.proposal_id] = next(proposal, body, height, policy);
  }

  /** An independent copy (for a shadow fork). */
  clone(): ProposalLedger {
    const copy = new ProposalLedger();
    copy.list.push(...this.list);
    return copy;
  }

  /** The proposals as snapshot data: a list by id. */
  toSnapshot(): CborValue {
    return this.list.map((proposal) => ({ ...proposal, touches: [...proposal.touches], approvers: [...proposal.approvers], rejection: proposal.rejection === null ? null : { ...proposal.rejection, reasons: [...proposal.rejection.reasons] } })) as unknown as CborValue;
  }

  /** Restores the proposals a snapshot holds (into an empty ledger). */
  restore(value: CborValue | undefined, snapshot: Hash): void {
    assert(this.list.length === 0, 'a ledger restores into nothing');
    if (value === undefined) return;
    if (!Array.isArray(value)) throw bad(snapshot);
    value.forEach((entry, position) => {
      if (!isCborObject(entry) || Number(entry.id) !== position || !isHash(entry.record) || !isHash(entry.patch_doc)) throw bad(snapshot);
      const fields = entry as Record<string, CborValue | undefined>;
      const rejection = fields.rejection !== undefined && isCborObject(fields.rejection) ? fields.rejection as Record<string, CborValue> : null;
      this.list.push({
        id: position, status: fields.status as ProposalStatus, patch_doc: fields.patch_doc as Hash, patch_hash: (fields.patch_hash ?? null) as Hash | null,
        base_manifest_hash: (fields.base_manifest_hash ?? null) as Hash | null, manifest_hash: (fields.manifest_hash ?? null) as Hash | null,
        author: String(fields.author), description: (fields.description ?? null) as string | null, touches: (fields.touches ?? []) as string[],
        record: fields.record as Hash, proposed_at: Number(fields.proposed_at), report_hash: (fields.report_hash ?? null) as Hash | null,
        approvers: (fields.approvers ?? []) as PublicKeyId[],
        rejection: rejection === null ? null : { principal: (rejection.principal ?? null) as PublicKeyId | null, reasons: (rejection.reasons ?? []) as string[], at: Number(rejection.at) },
        applied_at: fields.applied_at === null || fields.applied_at === undefined ? null : Number(fields.applied_at),
      });
    });
  }
}

function next(proposal: Proposal, body: GovernanceRecordBody, height: number, policy: ApprovalPolicy | undefined): Proposal {
  switch (body.op) {
    case 'shadow_report':
      return { ...proposal, report_hash: body.report_hash ?? null, status: proposal.status === 'proposed' ? 'shadowed' : proposal.status };
    case 'approved': {
      assert(body.principal !== undefined, 'an approval names its principal');
      const approvers = [...proposal.approvers, body.principal];
      return { ...proposal, approvers, status: quorumShortfall(policy, proposal.touches, approvers).length === 0 ? 'approved' : proposal.status };
    }
    case 'rejected':
      return { ...proposal, status: 'rejected', rejection: { principal: body.principal ?? null, reasons: body.reason === undefined ? [] : [body.reason], at: height } };
    case 'applied':
      return { ...proposal, status: 'applied', applied_at: height };
    case 'proposed':
      throw new KernelError('REPLAY_DIVERGED', `proposal ${proposal.id} is proposed twice (again at height ${height})`);
  }
}

function bad(snapshot: Hash): KernelError {
  return new KernelError('SNAPSHOT_INVALID', `snapshot ${snapshot} has governance proposals that are not a list of proposals by id`);
}
