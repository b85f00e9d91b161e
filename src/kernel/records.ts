// Journal records: canonical CBOR, each carrying the hash of the record before it (DESIGN §6),
// so the journal is a hash chain whose head is the world's audit root.
import { decodeVerified, encodeCanonical, hashBytes, isCborObject } from '../cbor/index.ts';
import type { CborValue, Hash } from '../cbor/index.ts';
import type { PolicyDecision } from '../air/index.ts';
import { KernelError } from './errors.ts';
import type { PublicKeyId } from './public-key.ts';
import type { ReceiptUsage } from './receipt-signature.ts';
import { GOVERNANCE_RECORD_FIELDS } from './governance/governance-record.ts';
import type { GovernanceRecordBody } from './governance/governance-record.ts';
import type { KeyRotationRecordBody } from './trusted-keys.ts';
import type { StreamFrameRecordBody } from './stream-frames.ts';

/** What ingress stamps on every outside input: the only way time and randomness enter a world. */
export interface IngressStamp {
  readonly now_ns: bigint;
  readonly logical_now_ns: bigint;
  readonly entropy: Uint8Array;
  readonly journal_height: number;
  readonly manifest_hash: Hash;
}

/** Where a domain event came from: outside the world, or a workflow instance. */
export type EventOrigin = { readonly kind: 'ingress' } | { readonly kind: 'workflow'; readonly module: string; readonly key?: Uint8Array };

/** The instance that emitted an effect: its module and, for a keyed module, its key. */
export interface EffectOrigin {
  readonly module: string;
  readonly key?: Uint8Array;
}

/**
 * A capability decision on one emitted effect (DESIGN §6): which grant authorised it (null when
 * none resolved) and whether the grant's enforcer, its expiry and the secrets' allowances let it
 * through. A deny carries a stable `code` and a `message` saying what was refused. `cap_type` is
 * the type the effect needs; `cause` is the height of the record whose delivery emitted it.
 *
 * For one step, the records are, per effect in emission order: cap_decision, then (when the cap
 * allowed it) policy_decision, then (when the policy allowed it) effect_intent; then the step's
 * domain events. The first denial ends the step: its decisions so far are journaled, then a
 * workflow_fault of kind `effect_denied` with the denial's code, and no intent or event of the
 * step follows. Except for a module whose event takes sys/EffectReceiptRejected@1: there every
 * effect is decided, the step takes effect, and each denied effect (its decisions journaled, no
 * intent) settles at once as a rejection delivered to the instance (step-input.ts rejectDenied). After a require_approval policy_decision the effect_intent carries
 * `awaiting_approval: true` (see ApprovalRecordBody). A spent budget is a cap_decision deny with
 * code `budget_exhausted`, with no policy_decision after it. When no grant resolved, the
 * intent hash is computed with an empty grant name.
 */
export interface CapDecisionRecordBody {
  readonly kind: 'cap_decision';
  readonly intent_hash: Hash;
  readonly effect_kind: string;
  readonly grant: string | null;
  readonly cap_type: string;
  readonly decision: 'allow' | 'deny';
  readonly code?: string;
  readonly message?: string;
  readonly origin: EffectOrigin;
  readonly cause: number;
}

/**
 * The policy's decision on an effect its grant allowed: the default policy's name (null when the
 * manifest has none: everything is allowed) and the index of the first rule that matched (null
 * when none did: denied).
 */
export interface PolicyDecisionRecordBody {
  readonly kind: 'policy_decision';
  readonly intent_hash: Hash;
  readonly policy: string | null;
  readonly rule_index: number | null;
  readonly decision: PolicyDecision;
  readonly origin: EffectOrigin;
  readonly cause: number;
}

/**
 * A principal's decision on an intent held for approval (DESIGN §6 `approval`): an input of its
 * own, stamped at ingress, admitted only if `principal` is in the manifest's approval_policy and
 * `signature` verifies (approvals.ts says what it signs); a refused approval is not journaled.
 * Replay re-derives from these records alone (no signature re-checked): when distinct principals
 * approving reach the policy's quorum, the intent becomes ordinary open work (nothing else is
 * journaled); a `deny` by any allowed principal settles it at once, and the emitting instance
 * receives a sys/EffectReceiptEnvelope@1 with status `denied`, adapter_id `kernel.approval`, the
 * principal's signature, and as payload a canonical CBOR text saying who denied it. The records
 * that delivery causes follow, with `cause` = this record's height.
 */
export interface ApprovalRecordBody {
  readonly kind: 'approval';
  readonly intent_hash: Hash;
  readonly decision: 'approve' | 'deny';
  readonly principal: PublicKeyId;
  readonly signature: Uint8Array;
  readonly stamp: IngressStamp;
}

/**
 * A receipt charged to its grant's budget (only grants with a budget are charged): cost_cents as
 * reported (0 if not), tokens = prompt + completion (0 if not reported), count = 1. It follows
 * the effect_receipt at height `cause`, before the receipt is delivered. The intent's
 * reservation (its effect_intent's `reserved`) is released by the same receipt.
 */
export interface BudgetChargeRecordBody {
  readonly kind: 'budget_charge';
  readonly grant: string;
  readonly intent_hash: Hash;
  /** Written as bigints; read back as numbers when small (the bytes are the same). */
  readonly cost_cents: number | bigint;
  readonly tokens: number | bigint;
  readonly count: number | bigint;
  readonly cause: number;
}

/** Budget amounts as journaled: written as bigints, read back as numbers when small (the bytes are the same). */
export interface BudgetAmountsField {
  readonly cost_cents: number | bigint;
  readonly tokens: number | bigint;
  readonly count: number | bigint;
}

/** Why a step produced no output, as journaled. */
export interface FaultRecordBody {
  readonly kind: 'workflow_fault';
  readonly module: string;
  readonly key?: Uint8Array;
  readonly failure: { readonly kind: string; readonly code?: string; readonly limit?: string; readonly message: string };
  readonly cause: number;
}

/**
 * A receipt refused at admission (DESIGN §7): its signature did not verify against the world's
 * trusted keys, its status is not one a receipt may have, or its payload is not a canonical value
 * of the effect's receipt schema. It is an input of its own (stamped like a receipt) that changes
 * nothing: the intent stays open, so the genuine receipt can still settle it. It keeps what the
 * signature covered (the payload only as its hash) and the signature, so `aos audit verify` can
 * re-check the refusal against the keys trusted at its height (receipt-admission.ts
 * rejectionRecord says what is bounded or left out); `reason` is a stable code
 * (ReceiptRejectionReason) and `message` says what was wrong. Records written before the
 * signature was kept lack it (and cost_cents, usage). Receipts for an intent that is not open
 * (duplicates, late receipts, unknown intents) are fenced by intent hash without a record.
 */
export interface ReceiptRejectedRecordBody {
  readonly kind: 'receipt_rejected';
  readonly intent_hash: Hash;
  readonly adapter_id: string;
  readonly status: string;
  readonly payload_hash: Hash;
  readonly cost_cents?: number | bigint;
  readonly usage?: ReceiptUsage;
  readonly signature?: Uint8Array;
  readonly reason: string;
  readonly message: string;
  readonly stamp: IngressStamp;
}

/**
 * The public keys the world trusts to sign receipts, per adapter_id: journaled once at creation,
 * right after the genesis manifest record, so the chain binds them and `aos audit verify` can
 * check every receipt offline. Sorted by adapter_id, then key id. Later key_rotation records
 * (trusted-keys.ts) trust and retire keys from their own height on.
 */
export interface TrustedKeysRecordBody {
  readonly kind: 'trusted_keys';
  readonly keys: readonly TrustedKeyEntry[];
}

/** One trusted key of an adapter. */
export interface TrustedKeyEntry {
  readonly adapter_id: string;
  readonly public_key: PublicKeyId;
}

export type RecordBody =
  | {
    readonly kind: 'domain_event'; readonly schema: string; readonly value: Uint8Array; readonly key?: Uint8Array;
    readonly event_hash: Hash; readonly origin: EventOrigin; readonly stamp?: IngressStamp; readonly cause?: number;
    /** Deliveries of this input that the wall-clock watchdog aborted: replay journals the abort instead of stepping. */
    readonly aborts?: readonly number[];
  }
  | {
    readonly kind: 'effect_intent'; readonly intent_hash: Hash; readonly effect_kind: string; readonly params: Uint8Array;
    /** The grant that authorised it (upstream's `cap_name`): part of the intent hash. */
    readonly grant: string;
    readonly cap_slot?: string; readonly issuer_ref?: string; readonly idempotency_key: Uint8Array;
    /**
     * True when a require_approval policy decision holds it: it is open work that no executor
     * starts until approval records reach the approval policy's quorum (or one denies it).
     */
    readonly awaiting_approval?: true;
    /**
     * What it reserves of its grant's budget until it settles (budgets.ts has the rule); present
     * only under a grant with a budget. The receipt's budget_charge then charges the actual.
     */
    readonly reserved?: BudgetAmountsField;
    readonly origin: EffectOrigin; readonly cause: number;
  }
  | {
    readonly kind: 'effect_receipt'; readonly intent_hash: Hash; readonly adapter_id: string; readonly status: 'ok' | 'error' | 'timeout';
    readonly payload: Uint8Array; readonly cost_cents?: number;
    /** Token counts the adapter reported: signed with the receipt, so kept for offline verification. */
    readonly usage?: ReceiptUsage;
    readonly signature: Uint8Array; readonly stamp: IngressStamp;
    readonly aborts?: readonly number[];
  }
  | ReceiptRejectedRecordBody
  | TrustedKeysRecordBody
  | KeyRotationRecordBody
  | StreamFrameRecordBody
  | CapDecisionRecordBody
  | PolicyDecisionRecordBody
  | ApprovalRecordBody
  | BudgetChargeRecordBody
  | FaultRecordBody
  | GovernanceRecordBody
  | { readonly kind: 'manifest'; readonly manifest_hash: Hash }
  | { readonly kind: 'snapshot'; readonly snapshot_hash: Hash; readonly manifest_hash: Hash };

export type RecordKind = RecordBody['kind'];

/** A record with its place in the chain. */
export interface JournalRecord {
  readonly height: number;
  readonly prev: Hash | null;
  readonly body: RecordBody;
}

/** A record as stored: its canonical bytes and their hash. */
export interface SealedRecord extends JournalRecord {
  readonly bytes: Uint8Array;
  readonly hash: Hash;
}

/** Encodes a record canonically and computes its hash (the next record's `prev`). */
export function sealRecord(height: number, prev: Hash | null, body: RecordBody): SealedRecord {
  const bytes = encodeCanonical(recordData(height, prev, body));
  return { height, prev, body, bytes, hash: hashBytes(bytes) };
}

/** The fields of each kind of record body: listed once, kept in canonical order below. */
const BODY_FIELDS: Readonly<Record<RecordKind, readonly string[]>> = {
  domain_event: ['kind', 'schema', 'value', 'key', 'event_hash', 'origin', 'stamp', 'cause', 'aborts'],
  effect_intent: ['kind', 'intent_hash', 'effect_kind', 'params', 'grant', 'cap_slot', 'issuer_ref', 'idempotency_key', 'awaiting_approval', 'reserved', 'origin', 'cause'],
  cap_decision: ['kind', 'intent_hash', 'effect_kind', 'grant', 'cap_type', 'decision', 'code', 'message', 'origin', 'cause'],
  policy_decision: ['kind', 'intent_hash', 'policy', 'rule_index', 'decision', 'origin', 'cause'],
  effect_receipt: ['kind', 'intent_hash', 'adapter_id', 'status', 'payload', 'cost_cents', 'usage', 'signature', 'stamp', 'aborts'],
  approval: ['kind', 'intent_hash', 'decision', 'principal', 'signature', 'stamp'],
  budget_charge: ['kind', 'grant', 'intent_hash', 'cost_cents', 'tokens', 'count', 'cause'],
  receipt_rejected: ['kind', 'intent_hash', 'adapter_id', 'status', 'payload_hash', 'cost_cents', 'usage', 'signature', 'reason', 'message', 'stamp'],
  trusted_keys: ['kind', 'keys'],
  key_rotation: ['kind', 'adapter_id', 'trust', 'retire', 'stamp'],
  stream_frame: ['kind', 'intent_hash', 'adapter_id', 'seq', 'frame_kind', 'payload', 'signature', 'stamp'],
  workflow_fault: ['kind', 'module', 'key', 'failure', 'cause'],
  governance: GOVERNANCE_RECORD_FIELDS,
  manifest: ['kind', 'manifest_hash'],
  snapshot: ['kind', 'snapshot_hash', 'manifest_hash'],
};

/** Canonical CBOR order of text keys: shorter first, then bytewise (all are ASCII). */
function canonicalKeyOrder(keys: readonly string[]): readonly string[] {
  return [...keys].sort((a, b) => (a.length !== b.length ? a.length - b.length : a < b ? -1 : 1));
}

/** Each kind's fields and the frame's (height, prev), in the order the encoder writes them. */
const RECORD_KEY_ORDER = new Map<string, readonly string[]>(
  Object.entries(BODY_FIELDS).map(([kind, fields]) => [kind, canonicalKeyOrder([...fields, 'height', 'prev'])]),
);

/**
 * The record as the encoder will see it: built in canonical key order, so the encoder finds
 * it sorted and writes it without sorting. A body with a field its kind does not list is
 * still encoded whole, by the encoder's own sort.
 */
function recordData(height: number, prev: Hash | null, body: RecordBody): CborValue {
  const fields = body as unknown as Record<string, unknown>;
  const order = RECORD_KEY_ORDER.get(body.kind);
  let defined = 0;
  for (const key in fields) if (fields[key] !== undefined) defined += 1;
  if (order !== undefined) {
    const data: Record<string, unknown> = {};
    let written = 0;
    for (const key of order) {
      const value = key === 'height' ? height : key === 'prev' ? prev : fields[key];
      if (value === undefined) continue;
      data[key] = value;
      written += 1;
    }
    if (written === defined + 2) return data as unknown as CborValue;
  }
  return { ...withoutUndefined(body), height, prev } as unknown as CborValue;
}

function withoutUndefined(body: RecordBody): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) if (value !== undefined) out[key] = value;
  return out;
}

/**
 * Decodes stored record bytes (integrity checked by the store, canonical form by replay, which
 * re-produces them); a record that does not decode or lacks its frame is corrupt. A store that
 * has just checked the bytes against their hash passes it as `verifiedHash`.
 */
export function openRecord(bytes: Uint8Array, expectedHeight: number, verifiedHash?: Hash): SealedRecord {
  let value: CborValue;
  try {
    value = decodeVerified(bytes);
  } catch (error) {
    throw new KernelError('JOURNAL_CORRUPT', `journal record at height ${expectedHeight} is not canonical CBOR: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  if (!isCborObject(value) || typeof value.kind !== 'string' || value.height === undefined) {
    throw new KernelError('JOURNAL_CORRUPT', `journal record at height ${expectedHeight} is not a record (no kind or height)`);
  }
  const { height, prev, ...body } = value as Record<string, CborValue>;
  if (Number(height) !== expectedHeight) {
    throw new KernelError('JOURNAL_CORRUPT', `journal record stored at height ${expectedHeight} says it is at height ${String(height)}`);
  }
  return new StoredRecord(expectedHeight, (prev ?? null) as Hash | null, normalizeBody(body) as unknown as RecordBody, bytes, verifiedHash);
}

/**
 * A record read back from the journal. Its hash is computed when first read: replay compares
 * the bytes it re-produces with these (and chains the hashes of those), so hashing every
 * stored record as well would double the hashing of a replay.
 */
class StoredRecord implements SealedRecord {
  constructor(readonly height: number, readonly prev: Hash | null, readonly body: RecordBody, readonly bytes: Uint8Array, private computedHash: Hash | undefined) {}

  get hash(): Hash {
    this.computedHash ??= hashBytes(this.bytes);
    return this.computedHash;
  }
}

/** Decoded integers are numbers when small and bigints when large; stamps always hold bigints. */
function normalizeBody(body: Record<string, CborValue>): Record<string, unknown> {
  const stamp = body.stamp;
  if (stamp === undefined || !isCborObject(stamp)) return body;
  return {
    ...body,
    stamp: { ...stamp, now_ns: BigInt(stamp.now_ns as number | bigint), logical_now_ns: BigInt(stamp.logical_now_ns as number | bigint), journal_height: Number(stamp.journal_height) },
  };
}
