// Effect-level approvals (DESIGN §4, §8): an intent a require_approval policy decision held back
// is approved or denied by principals of the manifest's approval policy, each signing
//   sig = ed25519(principal key, cbor{purpose: "aos/effect-approval@1", intent_hash, decision, intent_record})
// `intent_record` is the hash of the effect_intent record that opened the pending intent. That
// hash chains the whole journal before it, ingress entropy included, so it names one emission in
// one world: an approval cannot be replayed in another world (even one with the same manifest and
// inputs), nor against a later emission of the same intent hash, and it does not go stale when
// other inputs move the journal head. The payload is canonical CBOR with the self-describe
// prefix, like receipt signatures.
import { verify as cryptoVerify } from 'node:crypto';
import { encodeCanonical, isHash } from '../cbor/index.ts';
import type { Hash } from '../cbor/index.ts';
import type { EffectApprovalPolicy } from './authority.ts';
import { KernelError } from './errors.ts';
import { APPROVALS_PER_INTENT_MAX, ED25519_PUBLIC_KEY_BYTES, RECEIPT_SIGNATURE_BYTES } from './limits.ts';
import type { OpenIntent, PendingApproval } from './open-work.ts';
import { isPublicKeyId, parsePublicKeyId, publicKeyObject } from './public-key.ts';
import type { PublicKeyId } from './public-key.ts';

/** What a principal decides about a pending intent. */
export type ApprovalDecision = 'approve' | 'deny';

/** A principal's signed decision on a pending intent. */
export interface ApprovalInput {
  readonly intent_hash: Hash;
  readonly decision: ApprovalDecision;
  /** The principal's public key id (`ed25519:<hex>`), which must be in the approval policy. */
  readonly principal: PublicKeyId;
  /** ed25519 over approvalSigningBytes({intent_hash, decision, intent_record}). */
  readonly signature: Uint8Array;
}

/** The fields an approval signature covers. */
export interface ApprovalSigningFields {
  readonly intent_hash: Hash;
  readonly decision: ApprovalDecision;
  /** The hash of the effect_intent record that opened the pending intent. */
  readonly intent_record: Hash;
}

const PURPOSE = 'aos/effect-approval@1';

/** The canonical bytes an approval signature is made over. */
export function approvalSigningBytes(fields: ApprovalSigningFields): Uint8Array {
  if (!isHash(fields.intent_hash) || !isHash(fields.intent_record)) throw refused(`intent_hash and intent_record must be hashes ("sha256:" and 64 lowercase hex digits)`, 'copy the intent hash from `aos approvals ls`');
  if (fields.decision !== 'approve' && fields.decision !== 'deny') throw refused(`decision is ${JSON.stringify(fields.decision)}; expected "approve" or "deny"`, 'approve or deny');
  return encodeCanonical({ purpose: PURPOSE, intent_hash: fields.intent_hash, decision: fields.decision, intent_record: fields.intent_record });
}

/**
 * Checks an approval against the pending intent and the approval policy, in this order: the intent
 * is pending, the principal is in the policy, the signature verifies under the principal's key,
 * the principal has not approved it already. Returns the principal's name; refuses with
 * APPROVAL_REFUSED otherwise (nothing is journaled then).
 */
export function checkApproval(policy: EffectApprovalPolicy | null, intent: OpenIntent | undefined, approval: ApprovalInput): string {
  const pending = pendingApprovalOf(intent, approval.intent_hash);
  if (!isPublicKeyId(approval.principal)) throw refused(`principal "${String(approval.principal).slice(0, 80)}" is not a public key id`, 'pass the principal\'s ed25519:<64 hex> key id');
  const name = policy?.principals.get(approval.principal);
  if (policy === null || name === undefined) {
    const allowed = policy === null ? 'this world\'s manifest has no approval_policy' : `its approval_policy lists ${[...policy.principals.values()].join(', ')}`;
    throw refused(`principal ${approval.principal} may not approve effects in this world: ${allowed}`, 'sign with a principal key listed in the manifest\'s approval_policy (changing the policy is a governance change)');
  }
  const signed = approvalSigningBytes({ intent_hash: approval.intent_hash, decision: approval.decision, intent_record: pending.record });
  if (!verifyPrincipalSignature(approval.principal, signed, approval.signature)) {
    throw refused(`the ${approval.decision} of intent ${approval.intent_hash} by ${name} (${approval.principal}) has a signature that does not verify: it was altered, made by another key, or made for another world or emission`, 'sign the decision again with the principal\'s key for this world\'s pending intent');
  }
  if (pending.approvers.includes(approval.principal)) {
    throw refused(`${name} (${approval.principal}) already approved intent ${approval.intent_hash}; a quorum counts distinct principals`, 'ask another principal of the approval policy');
  }
  if (pending.approvers.length >= APPROVALS_PER_INTENT_MAX) throw refused(`intent ${approval.intent_hash} already has ${APPROVALS_PER_INTENT_MAX} approvals`, 'lower the approval policy\'s quorum');
  return name;
}

/** True when `signature` is the principal's ed25519 signature of `signed` (effect approvals and governance decisions). */
export function verifyPrincipalSignature(principal: PublicKeyId, signed: Uint8Array, signature: Uint8Array): boolean {
  const key = parsePublicKeyId(principal, 'approval principal');
  return key.length === ED25519_PUBLIC_KEY_BYTES && signature.length === RECEIPT_SIGNATURE_BYTES && cryptoVerify(null, signed, publicKeyObject(key), signature);
}

/** The pending approval of an open intent; APPROVAL_REFUSED when the intent is not waiting for one. */
export function pendingApprovalOf(intent: OpenIntent | undefined, intentHash: Hash): PendingApproval {
  if (intent === undefined || intent.approval === null) {
    throw refused(`intent ${String(intentHash)} is not waiting for approval (${intent === undefined ? 'it is not open work' : 'it is already approved and runs as ordinary open work'})`, 'list the intents waiting for approval with `aos approvals ls`');
  }
  return intent.approval;
}

function refused(message: string, hint: string): KernelError {
  return new KernelError('APPROVAL_REFUSED', `approval refused: ${message}; ${hint}`);
}
