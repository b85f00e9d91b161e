// The approval half of `aos audit verify` (audit.ts checks the chain and receipts): every signed
// decision a principal made is re-verified offline against the principal's own key.
// - an `approval` record signs approvalSigningBytes({intent_hash, decision, intent_record}), where
//   intent_record is the hash of the effect_intent record (awaiting_approval) that opened the
//   pending intent: it must name an intent that was waiting, and its signature must verify;
// - a `governance` approved/rejected record with a principal signs governanceSigningBytes({
//   proposal_id, patch_hash, proposal_record, decision, reason}), where proposal_record is the
//   hash of the record that opened the proposal.
// Whether the principal was in the approval policy in force is the kernel's check at admission
// (replay re-derives the outcome); this audit proves each decision was signed by the key it names.
import { verify as cryptoVerify } from 'node:crypto';
import type { Hash } from '../cbor/index.ts';
import { approvalSigningBytes, governanceSigningBytes, KernelError, parsePublicKeyId, publicKeyObject } from '../kernel/index.ts';
import type { ApprovalRecordBody, GovernanceRecordBody, PublicKeyId, SealedRecord } from '../kernel/index.ts';
import { AUDIT_FINDINGS_KEPT_MAX } from './audit.ts';

/** What an approval audit found wrong. */
export type ApprovalFindingCode = 'APPROVAL_WITHOUT_INTENT' | 'APPROVAL_SIGNATURE_INVALID' | 'DECISION_WITHOUT_PROPOSAL' | 'DECISION_SIGNATURE_INVALID';

/** One decision that does not hold. */
export interface ApprovalFinding {
  readonly height: number;
  readonly kind: string;
  readonly code: ApprovalFindingCode;
  readonly message: string;
}

/** What the approval audit checked and found. */
export interface ApprovalAuditReport {
  readonly ok: boolean;
  /** Effect approval records checked. */
  readonly approvals: number;
  /** Governance decisions (approved/rejected by a principal) checked. */
  readonly decisions: number;
  /** Signatures that verified. */
  readonly verified: number;
  /** Principals whose decisions are journaled, sorted. */
  readonly principals: readonly string[];
  readonly findings_total: number;
  readonly findings: readonly ApprovalFinding[];
}

/** Re-verifies every signed decision in `records` (journal order). */
export function auditApprovals(records: Iterable<SealedRecord>): ApprovalAuditReport {
  const waiting = new Map<Hash, Hash>();
  const proposals = new Map<number, Hash>();
  const principals = new Set<string>();
  const findings: ApprovalFinding[] = [];
  let total = 0;
  let approvals = 0;
  let decisions = 0;
  let verified = 0;
  const find = (finding: ApprovalFinding) => {
    total += 1;
    if (findings.length < AUDIT_FINDINGS_KEPT_MAX) findings.push(finding);
  };
  for (const record of records) {
    const body = record.body;
    if (body.kind === 'effect_intent' && body.awaiting_approval === true) waiting.set(body.intent_hash, record.hash);
    if (body.kind === 'governance' && (body.op === 'proposed' || (body.op === 'rejected' && body.principal === undefined))) proposals.set(body.proposal_id, record.hash);
    if (body.kind === 'approval') {
      approvals += 1;
      principals.add(body.principal);
      const problem = guarded('APPROVAL_SIGNATURE_INVALID', () => approvalProblem(body, waiting.get(body.intent_hash)));
      if (problem === null) verified += 1;
      else find({ height: record.height, kind: body.kind, ...problem });
    }
    if (body.kind === 'governance' && body.principal !== undefined && (body.op === 'approved' || body.op === 'rejected')) {
      decisions += 1;
      principals.add(body.principal);
      const principal = body.principal;
      const problem = guarded('DECISION_SIGNATURE_INVALID', () => decisionProblem(body, principal, proposals.get(body.proposal_id)));
      if (problem === null) verified += 1;
      else find({ height: record.height, kind: body.kind, ...problem });
    }
  }
  return { ok: total === 0, approvals, decisions, verified, principals: [...principals].sort(), findings_total: total, findings };
}

type Problem = { code: ApprovalFindingCode; message: string } | null;

/** Runs a check whose signing bytes the kernel refuses to build from malformed fields: that is a finding too. */
function guarded(code: ApprovalFindingCode, check: () => Problem): Problem {
  try {
    return check();
  } catch (error) {
    if (!(error instanceof KernelError)) throw error;
    return { code, message: `its signed fields are malformed: ${error.message}` };
  }
}

function approvalProblem(body: ApprovalRecordBody, intentRecord: Hash | undefined): Problem {
  if (intentRecord === undefined) {
    return { code: 'APPROVAL_WITHOUT_INTENT', message: `${body.decision} by ${body.principal} names intent ${body.intent_hash}, which no effect_intent awaiting approval opened before it` };
  }
  const signed = approvalSigningBytes({ intent_hash: body.intent_hash, decision: body.decision, intent_record: intentRecord });
  if (signatureVerifies(body.principal, signed, body.signature)) return null;
  return { code: 'APPROVAL_SIGNATURE_INVALID', message: `the ${body.decision} of intent ${body.intent_hash} by ${body.principal} does not verify under that key: it was altered or signed by another key` };
}

function decisionProblem(body: GovernanceRecordBody, principal: PublicKeyId, proposalRecord: Hash | undefined): Problem {
  if (proposalRecord === undefined || body.patch_hash === undefined || body.signature === undefined) {
    return { code: 'DECISION_WITHOUT_PROPOSAL', message: `${body.op} of proposal ${body.proposal_id} by ${principal} names no proposal opened before it (or lacks its patch_hash or signature)` };
  }
  const signed = governanceSigningBytes({
    proposal_id: body.proposal_id, patch_hash: body.patch_hash, proposal_record: proposalRecord,
    decision: body.op === 'approved' ? 'approve' : 'reject', reason: body.reason ?? null,
  });
  if (signatureVerifies(principal, signed, body.signature)) return null;
  return { code: 'DECISION_SIGNATURE_INVALID', message: `the ${body.op} decision on proposal ${body.proposal_id} by ${principal} does not verify under that key: it was altered or signed by another key` };
}

/** True when `signature` is the principal's ed25519 signature of `signed`; a malformed key or signature is simply false. */
function signatureVerifies(principal: PublicKeyId, signed: Uint8Array, signature: Uint8Array): boolean {
  try {
    return cryptoVerify(null, signed, publicKeyObject(parsePublicKeyId(principal, 'approval principal')), signature);
  } catch (error) {
    // node:crypto throws on a malformed key or signature length: that is a signature that does not verify.
    if (error instanceof Error) return false;
    throw error;
  }
}
