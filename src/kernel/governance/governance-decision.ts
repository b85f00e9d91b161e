// Approvals and rejections of proposals (DESIGN §8): signed by principal keys of the approval
// policy in force (the current manifest's, never the candidate's), counted against its quorum and
// against the stricter rules for what the patch touches. Each principal signs
//   sig = ed25519(principal key, cbor{purpose: "aos/governance-decision@1", proposal_id,
//                 patch_hash, proposal_record, decision, reason})
// `proposal_record` is the hash of the record that opened the proposal: it chains the journal
// before it, so a decision names one proposal in one world and cannot be replayed elsewhere.
import { encodeCanonical, isHash } from '../../cbor/index.ts';
import type { Hash } from '../../cbor/index.ts';
import type { ApprovalPolicy } from '../../air/index.ts';
import { verifyPrincipalSignature } from '../approvals.ts';
import { KernelError } from '../errors.ts';
import { APPROVALS_PER_INTENT_MAX, GOVERNANCE_REASON_CHARS_MAX } from '../limits.ts';
import { isPublicKeyId } from '../public-key.ts';
import type { PublicKeyId } from '../public-key.ts';
import type { Proposal } from './proposal-ledger.ts';

/** What a principal decides about a proposal. */
export type GovernanceDecision = 'approve' | 'reject';

/** The fields a governance decision's signature covers. */
export interface GovernanceSigningFields {
  readonly proposal_id: number;
  readonly patch_hash: Hash;
  readonly proposal_record: Hash;
  readonly decision: GovernanceDecision;
  readonly reason: string | null;
}

/** A principal's signed decision on a proposal. */
export interface GovernanceDecisionInput {
  readonly proposal_id: number;
  readonly decision: GovernanceDecision;
  readonly principal: PublicKeyId;
  readonly reason?: string;
  /** ed25519 over governanceSigningBytes. */
  readonly signature: Uint8Array;
}

const PURPOSE = 'aos/governance-decision@1';

/** The canonical bytes a governance decision is signed over. */
export function governanceSigningBytes(fields: GovernanceSigningFields): Uint8Array {
  if (!Number.isSafeInteger(fields.proposal_id) || fields.proposal_id < 0) throw refused(`proposal id ${String(fields.proposal_id)} is not a natural number`, 'copy the id from `aos gov ls`');
  if (!isHash(fields.patch_hash) || !isHash(fields.proposal_record)) throw refused('patch_hash and proposal_record must be hashes', 'copy them from `aos gov show`');
  if (fields.decision !== 'approve' && fields.decision !== 'reject') throw refused(`decision is ${JSON.stringify(fields.decision)}; expected "approve" or "reject"`, 'approve or reject');
  return encodeCanonical({
    purpose: PURPOSE, proposal_id: fields.proposal_id, patch_hash: fields.patch_hash, proposal_record: fields.proposal_record,
    decision: fields.decision, reason: fields.reason,
  });
}

/** What still stands between a proposal and its quorum: empty when it is met. */
export function quorumShortfall(policy: ApprovalPolicy | undefined, touches: readonly string[], approvers: readonly PublicKeyId[]): string[] {
  if (policy === undefined) return ['this world\'s manifest has no approval_policy, so nobody can approve proposals'];
  const names = approverNames(policy, approvers);
  const missing: string[] = [];
  if (names.length < policy.quorum) missing.push(`the approval policy needs ${policy.quorum} approval(s), it has ${names.length}`);
  for (const rule of applicableRules(policy, touches)) {
    const counted = names.filter((name) => rule.principals === undefined || rule.principals.includes(name));
    if (counted.length < rule.quorum) {
      missing.push(`the rule for ${rule.touches.join(', ')} needs ${rule.quorum} approval(s)${rule.principals === undefined ? '' : ` from ${rule.principals.join(', ')}`}, it has ${counted.length}`);
    }
  }
  return missing;
}

/**
 * Checks a decision against the proposal and the approval policy in force, in this order: the
 * proposal can still be decided, the principal is in the policy, the rules for what the patch
 * touches admit the principal, the signature verifies, the principal has not approved already.
 * Returns the principal's name; refuses with GOVERNANCE_REFUSED (nothing is journaled then).
 */
export function checkGovernanceDecision(policy: ApprovalPolicy | undefined, proposal: Proposal | undefined, input: GovernanceDecisionInput): string {
  const subject = decidable(proposal, input);
  if (!isPublicKeyId(input.principal)) throw refused(`principal "${String(input.principal).slice(0, 80)}" is not a public key id`, 'pass the principal\'s ed25519:<64 hex> key id');
  if (policy === undefined) throw refused(`this world's manifest has no approval_policy, so no key may ${input.decision} proposals`, 'add an approval_policy to the manifest (at creation; changing it later is itself a governance change)');
  const name = policy.principals.find((principal) => principal.public_key === input.principal)?.name;
  if (name === undefined) {
    throw refused(`key ${input.principal} is not a principal of this world's approval_policy (it lists ${policy.principals.map((principal) => principal.name).join(', ')})`, 'sign with a principal key listed in the manifest\'s approval_policy');
  }
  const restricted = applicableRules(policy, subject.touches).filter((rule) => rule.principals !== undefined);
  if (restricted.length > 0 && !restricted.some((rule) => rule.principals?.includes(name) === true)) {
    const rule = restricted[0];
    throw refused(`${name} may not decide proposal ${subject.id}: it touches ${rule?.touches.join(', ') ?? ''}, and the approval policy's rule for that admits only ${rule?.principals?.join(', ') ?? ''}`, 'ask a principal the rule names');
  }
  if (input.reason !== undefined && input.reason.length > GOVERNANCE_REASON_CHARS_MAX) throw refused(`the reason has ${input.reason.length} characters; at most ${GOVERNANCE_REASON_CHARS_MAX} are kept`, 'shorten it');
  const signed = governanceSigningBytes(signingFieldsOf(subject, input.decision, input.reason ?? null));
  if (!verifyPrincipalSignature(input.principal, signed, input.signature)) {
    throw refused(`the ${input.decision} of proposal ${subject.id} by ${name} (${input.principal}) has a signature that does not verify: it was altered, made by another key, or made for another proposal or world`, 'sign the decision again with the principal\'s key for this proposal');
  }
  if (input.decision === 'approve' && subject.approvers.includes(input.principal)) {
    throw refused(`${name} (${input.principal}) already approved proposal ${subject.id}; a quorum counts distinct principals`, 'ask another principal of the approval policy');
  }
  if (subject.approvers.length >= APPROVALS_PER_INTENT_MAX) throw refused(`proposal ${subject.id} already has ${APPROVALS_PER_INTENT_MAX} approvals`, 'apply it');
  return name;
}

/** The fields a decision on this proposal signs. */
export function signingFieldsOf(proposal: Proposal, decision: GovernanceDecision, reason: string | null): GovernanceSigningFields {
  if (proposal.patch_hash === null) throw refused(`proposal ${proposal.id} never compiled, so there is nothing to decide`, 'propose a corrected patch');
  return { proposal_id: proposal.id, patch_hash: proposal.patch_hash, proposal_record: proposal.record, decision, reason };
}

/** The proposal, when it can still be decided: shadowed (approvals), or not yet rejected or applied. */
export function decidable(proposal: Proposal | undefined, input: { readonly proposal_id: number; readonly decision: GovernanceDecision }): Proposal {
  if (proposal === undefined) throw refused(`there is no proposal ${input.proposal_id}`, 'list the proposals with `aos gov ls`');
  if (proposal.status === 'rejected') throw refused(`proposal ${proposal.id} was rejected (${proposal.rejection?.reasons.join('; ') ?? ''}); a rejection is final`, 'propose the change again');
  if (proposal.status === 'applied') throw refused(`proposal ${proposal.id} is already applied`, 'propose a new change');
  if (input.decision === 'approve' && proposal.status === 'proposed') {
    throw refused(`proposal ${proposal.id} has not been shadowed yet; approvers approve what a shadow run showed`, `run \`aos gov shadow ${proposal.id}\` first`);
  }
  return proposal;
}

function applicableRules(policy: ApprovalPolicy, touches: readonly string[]): NonNullable<ApprovalPolicy['rules']> {
  return (policy.rules ?? []).filter((rule) => rule.touches.some((touch) => touches.includes(touch)));
}

function approverNames(policy: ApprovalPolicy, approvers: readonly PublicKeyId[]): string[] {
  const names: string[] = [];
  for (const key of approvers) {
    const name = policy.principals.find((principal) => principal.public_key === key)?.name;
    if (name !== undefined) names.push(name);
  }
  return names;
}

function refused(message: string, hint: string): KernelError {
  return new KernelError('GOVERNANCE_REFUSED', `governance refused: ${message}; ${hint}`);
}
