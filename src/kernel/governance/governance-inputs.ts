// The governance inputs of a world (DESIGN §8), run by World inside one input each: propose,
// record a shadow report, decide (approve/reject), apply. Live, each is checked first and refused
// unjournaled (GOVERNANCE_REFUSED, APPLY_BLOCKED) or journaled; on replay the same functions run
// from the journaled record without the checks, and must produce the same records.
import { assert, decodeCanonical, encodeCanonical, isCborObject } from '../../cbor/index.ts';
import type { Hash } from '../../cbor/index.ts';
import { valueFromJson } from '../../air/index.ts';
import type { ContentStore } from '../content-store.ts';
import { KernelError } from '../errors.ts';
import { GOVERNANCE_PROPOSALS_OPEN_MAX } from '../limits.ts';
import type { ManifestView } from '../manifest-view.ts';
import type { OpenIntent } from '../open-work.ts';
import type { IngressStamp, RecordBody } from '../records.ts';
import { compileProposal } from './compile-proposal.ts';
import type { ProposalInput } from './compile-proposal.ts';
import { checkGovernanceDecision, quorumShortfall } from './governance-decision.ts';
import type { GovernanceDecisionInput } from './governance-decision.ts';
import type { GovernanceRecordBody } from './governance-record.ts';
import { loadManifestView } from './manifest-loader.ts';
import type { Proposal, ProposalLedger } from './proposal-ledger.ts';
import { applyBlockers, describeBlockers } from './quiescence.ts';

/** The adapter_id of the receipt a workflow's governance.apply gets: the kernel settles it with the swap. */
export const GOVERNANCE_ADAPTER_ID = 'kernel.governance';
/** The effect kind whose intent an apply may settle. */
const APPLY_EFFECT_KIND = 'governance.apply';

/** What the governance inputs need of the world they run in. */
export interface GovernanceHost {
  readonly view: ManifestView;
  readonly store: ContentStore;
  readonly ledger: ProposalLedger;
  readonly open: ReadonlyMap<Hash, OpenIntent>;
  /** Appends a record of the current input; returns its height and hash. */
  append(body: RecordBody): { height: number; hash: Hash };
  /** Installs another manifest, from the next record on. */
  swap(view: ManifestView): void;
  /** Settles an open intent with a receipt the kernel writes itself, delivered to its instance (if its module still exists). */
  settleInternal(intent: OpenIntent, payload: Uint8Array, cause: number): void;
}

/** An apply: of a proposal, and (for a workflow's governance.apply) the intent it settles. */
export interface ApplyInput {
  readonly proposal_id: number;
  readonly intent_hash?: Hash;
}

/** Refuses a proposal when the world already holds too many undecided ones. */
export function checkPropose(ledger: ProposalLedger): void {
  if (ledger.openCount() >= GOVERNANCE_PROPOSALS_OPEN_MAX) {
    throw refused(`this world already has ${GOVERNANCE_PROPOSALS_OPEN_MAX} proposals neither applied nor rejected`, 'decide some (aos gov ls) before proposing more');
  }
}

/** Compiles and journals a proposal (rejected with reasons when it does not compile); returns its record. */
export function propose(host: GovernanceHost, input: ProposalInput, stamp: IngressStamp): GovernanceRecordBody {
  const body = compileProposal(host.view, host.store, input, host.ledger.nextId, stamp);
  journal(host, body);
  return body;
}

/** The proposal a shadow report may be journaled for: one still to be decided. */
export function checkShadowable(ledger: ProposalLedger, proposalId: number): Proposal {
  const proposal = existing(ledger, proposalId);
  if (proposal.status === 'rejected' || proposal.status === 'applied' || proposal.patch_hash === null) {
    throw refused(`proposal ${proposalId} is ${proposal.status}; only a proposal still to be decided can be shadowed`, 'propose the change again');
  }
  return proposal;
}

/** Journals the hash of a proposal's shadow report (stored in CAS by whoever ran the shadow). */
export function recordShadowReport(host: GovernanceHost, proposalId: number, reportHash: Hash, stamp: IngressStamp): void {
  const proposal = checkShadowable(host.ledger, proposalId);
  assert(proposal.patch_hash !== null, 'a shadowable proposal compiled');
  journal(host, { kind: 'governance', op: 'shadow_report', proposal_id: proposalId, patch_hash: proposal.patch_hash, report_hash: reportHash, stamp });
}

/** Checks a principal's decision before it is journaled (GOVERNANCE_REFUSED). */
export function checkDecision(host: GovernanceHost, input: GovernanceDecisionInput): void {
  checkGovernanceDecision(host.view.manifest.approval_policy, host.ledger.get(input.proposal_id), input);
}

/** Journals a principal's approval or rejection (checked by checkDecision when live). */
export function decide(host: GovernanceHost, input: GovernanceDecisionInput, stamp: IngressStamp): void {
  const proposal = host.ledger.get(input.proposal_id);
  if (proposal?.patch_hash === undefined || proposal.patch_hash === null) throw new KernelError('REPLAY_DIVERGED', `a decision on proposal ${input.proposal_id} is journaled, but it has no compiled patch here`);
  journal(host, {
    kind: 'governance', op: input.decision === 'approve' ? 'approved' : 'rejected', proposal_id: input.proposal_id, patch_hash: proposal.patch_hash,
    principal: input.principal, signature: input.signature, ...(input.reason !== undefined ? { reason: input.reason } : {}), stamp,
  });
}

/**
 * Applies an approved proposal (at strict quiescence, which checkApply checks when live):
 * journals `applied`, swaps the manifest and journals `manifest`, then settles the apply's own intent.
 */
export function apply(host: GovernanceHost, input: ApplyInput, stamp: IngressStamp): void {
  const proposal = existing(host.ledger, input.proposal_id);
  const intent = input.intent_hash === undefined ? undefined : host.open.get(input.intent_hash);
  if (proposal.manifest_hash === null || proposal.patch_hash === null) throw new KernelError('REPLAY_DIVERGED', `proposal ${proposal.id} is applied in the journal but has no candidate manifest here`);
  const applied = journal(host, {
    kind: 'governance', op: 'applied', proposal_id: proposal.id, patch_hash: proposal.patch_hash, manifest_hash: proposal.manifest_hash,
    ...(input.intent_hash !== undefined ? { intent_hash: input.intent_hash } : {}), stamp,
  });
  host.swap(loadManifestView(host.store, proposal.manifest_hash));
  host.append({ kind: 'manifest', manifest_hash: proposal.manifest_hash });
  if (input.intent_hash === undefined) return;
  if (intent === undefined) throw new KernelError('REPLAY_DIVERGED', `the apply at height ${applied} settles intent ${input.intent_hash}, which is not open here`);
  const receipt = valueFromJson({ proposal_id: proposal.id, manifest_hash_new: proposal.manifest_hash, patch_hash: proposal.patch_hash }, { ref: 'sys/GovApplyReceipt@1' }, host.view.index, { path: 'receipt' });
  host.settleInternal(intent, encodeCanonical(receipt, { selfDescribe: false }), applied);
}

/** Replays a journaled governance record: the same input again, without the checks. */
export function replayGovernance(host: GovernanceHost, body: GovernanceRecordBody): void {
  if (body.op === 'applied') {
    apply(host, { proposal_id: body.proposal_id, ...(body.intent_hash !== undefined ? { intent_hash: body.intent_hash } : {}) }, body.stamp);
    return;
  }
  journal(host, body);
}

/** Refuses an apply that cannot happen now, saying why (GOVERNANCE_REFUSED, or APPLY_BLOCKED naming what is in flight). */
export function checkApply(host: GovernanceHost, input: ApplyInput): void {
  const proposal = existing(host.ledger, input.proposal_id);
  const intent = input.intent_hash === undefined ? undefined : host.open.get(input.intent_hash);
  if (proposal.status === 'rejected') throw refused(`proposal ${proposal.id} was rejected at height ${proposal.rejection?.at ?? '?'} (${proposal.rejection?.reasons.join('; ') ?? ''}); a rejection is final`, 'propose the change again');
  if (proposal.status === 'applied') throw refused(`proposal ${proposal.id} was already applied at height ${proposal.applied_at ?? '?'}`, 'propose a new change');
  if (proposal.status !== 'approved') {
    const missing = quorumShortfall(host.view.manifest.approval_policy, proposal.touches, proposal.approvers);
    throw refused(`proposal ${proposal.id} is ${proposal.status}, not approved: ${missing.join('; ')}`, proposal.status === 'proposed' ? `shadow it (aos gov shadow ${proposal.id}), then collect approvals` : `collect approvals with \`aos gov approve ${proposal.id} --key <principal>\``);
  }
  if (proposal.base_manifest_hash !== host.view.hash) {
    throw refused(`proposal ${proposal.id} was written against manifest ${proposal.base_manifest_hash ?? '?'}, but the world now runs ${host.view.hash} (another change was applied since): its candidate would undo that change`, 'propose the change again against the current manifest');
  }
  if (input.intent_hash !== undefined && !isApplyIntentFor(intent, proposal.id)) {
    throw refused(`intent ${input.intent_hash} is not an open governance.apply of proposal ${proposal.id}`, 'only the apply\'s own intent can settle with it');
  }
  const blockers = applyBlockers(host.open, input.intent_hash ?? null);
  if (blockers.intents.length > 0) {
    throw new KernelError('APPLY_BLOCKED', `apply blocked in flight: proposal ${proposal.id} applies only at strict quiescence, and ${describeBlockers(blockers)}; let them settle (run the world's effects, approve or deny held ones) and apply again, or wait with --wait`);
  }
}

function isApplyIntentFor(intent: OpenIntent | undefined, proposalId: number): boolean {
  if (intent === undefined || intent.kind !== APPLY_EFFECT_KIND) return false;
  const params = decodeCanonical(intent.params);
  return isCborObject(params) && Number(params.proposal_id) === proposalId;
}

function journal(host: GovernanceHost, body: GovernanceRecordBody): number {
  const { height, hash } = host.append(body);
  host.ledger.record(body, height, hash, host.view.manifest.approval_policy);
  return height;
}

function existing(ledger: ProposalLedger, id: number): Proposal {
  const proposal = ledger.get(id);
  if (proposal === undefined) throw refused(`there is no proposal ${id} (this world has ${ledger.nextId})`, 'list the proposals with `aos gov ls`');
  return proposal;
}

function refused(message: string, hint: string): KernelError {
  return new KernelError('GOVERNANCE_REFUSED', `governance refused: ${message}; ${hint}`);
}
