// Receipt admission (DESIGN §7): what a receipt for an open intent must satisfy before the
// kernel journals it and delivers it to the emitting instance. Checked in this order, so an
// unsigned receipt never gets its payload parsed:
//   1. its signature verifies against a key the world trusts for its adapter_id (receipt-signature.ts);
//   2. its status is ok, error or timeout;
//   3. its payload is a canonical value of the effect's receipt schema, byte for byte (the
//      signature covers the payload's hash, so it is never re-encoded); an error or timeout
//      receipt may instead carry a failure message: canonical CBOR text of at most
//      RECEIPT_FAILURE_MESSAGE_BYTES_MAX bytes (what the executor writes when an adapter throws
//      or its deadline passes and the receipt schema has no field for a message).
// Pure: the same world, intent and receipt always give the same answer.
import { AirError } from '../air/index.ts';
import { assert, CborError, decodeCanonical, hashBytes } from '../cbor/index.ts';
import type { Hash } from '../cbor/index.ts';
import { DENY_MESSAGE_CHARS_MAX, DENY_QUOTED_CHARS_MAX, RECEIPT_FAILURE_MESSAGE_BYTES_MAX, REJECTED_SIGNATURE_BYTES_MAX } from './limits.ts';
import type { ManifestView } from './manifest-view.ts';
import type { OpenIntent } from './open-work.ts';
import { isPublicKeyId, parsePublicKeyId, publicKeyId } from './public-key.ts';
import { checkReceiptSignature, checkVouchedReceiptSignature, isReceiptCost, isReceiptUsage } from './receipt-signature.ts';
import type { ReceiptSignatureRejection, ReceiptUsage, TrustedReceiptKeys } from './receipt-signature.ts';
import type { ReceiptRejectedRecordBody, TrustedKeyEntry, TrustedKeysRecordBody } from './records.ts';
import { canonicalTyped } from './typed-bytes.ts';
import { KernelError } from './errors.ts';

/** Why a receipt was refused: a signature rejection, or a status or payload that does not fit the effect. */
export type ReceiptRejectionReason = ReceiptSignatureRejection | 'STATUS_INVALID' | 'PAYLOAD_INVALID';

/** The receipt fields admission reads (a ReceiptInput, possibly from outside). */
export interface ReceiptFields {
  readonly intent_hash: Hash;
  readonly adapter_id: string;
  readonly status: string;
  readonly payload: Uint8Array;
  readonly cost_cents?: number;
  readonly usage?: ReceiptUsage;
  readonly signature: Uint8Array;
}

/** The outcome of admission: admit, or a rejection to journal. */
export type ReceiptAdmission = { readonly ok: true } | { readonly ok: false; readonly reason: ReceiptRejectionReason; readonly message: string };

const STATUSES: ReadonlySet<string> = new Set(['ok', 'error', 'timeout']);

/** Checks a receipt for an open intent against the world's trusted (and retired) keys and the effect's receipt schema. */
export function admitReceipt(view: ManifestView, trusted: TrustedReceiptKeys, intent: OpenIntent, receipt: ReceiptFields, retired?: TrustedReceiptKeys, vouched?: Uint8Array): ReceiptAdmission {
  assert(receipt.intent_hash === intent.hash, 'admission is asked about the intent the receipt names');
  const fields = {
    intent_hash: receipt.intent_hash, adapter_id: receipt.adapter_id, status: receipt.status, payload_hash: hashBytes(receipt.payload),
    cost_cents: receipt.cost_cents ?? null, usage: receipt.usage ?? null,
  };
  const signature = vouched === undefined ? checkReceiptSignature(trusted, fields, receipt.signature, retired) : checkVouchedReceiptSignature(trusted, fields, receipt.signature, vouched, retired);
  if (!signature.ok) return { ok: false, reason: signature.reason, message: signature.message };
  if (!STATUSES.has(receipt.status)) {
    return { ok: false, reason: 'STATUS_INVALID', message: `receipt for ${intent.hash} has status ${quoted(receipt.status)}; a receipt's status is ok, error or timeout` };
  }
  const problem = findPayloadProblem(view, intent, receipt);
  return problem === null ? { ok: true } : { ok: false, reason: 'PAYLOAD_INVALID', message: cut(problem, DENY_MESSAGE_CHARS_MAX) };
}

function findPayloadProblem(view: ManifestView, intent: OpenIntent, receipt: ReceiptFields): string | null {
  const effect = view.effects.get(intent.kind);
  assert(effect !== undefined, 'an open intent was emitted under this manifest, which defines its effect');
  const where = `the ${receipt.status} receipt payload for ${intent.kind} intent ${intent.hash}`;
  let problem: string;
  try {
    const typed = canonicalTyped(receipt.payload, effect.receipt_schema, view.index, 'receipt_payload');
    if (sameBytes(typed.bytes, receipt.payload)) return null;
    problem = `${where} is a ${effect.receipt_schema} but not in canonical form; canonicalise it before signing`;
  } catch (error) {
    if (!(error instanceof AirError || error instanceof CborError)) throw error;
    problem = `${where} is not a ${effect.receipt_schema}: ${error.message}`;
  }
  if (receipt.status !== 'ok' && isFailureMessage(receipt.payload)) return null;
  return receipt.status === 'ok' ? problem : `${problem} (nor a failure message: canonical CBOR text of at most ${RECEIPT_FAILURE_MESSAGE_BYTES_MAX} bytes)`;
}

/** True when the payload is a failure message: canonical CBOR text of at most RECEIPT_FAILURE_MESSAGE_BYTES_MAX bytes. */
export function isFailureMessage(payload: Uint8Array): boolean {
  if (payload.length > RECEIPT_FAILURE_MESSAGE_BYTES_MAX + 9) return false;
  try {
    return typeof decodeCanonical(payload) === 'string';
  } catch (error) {
    if (error instanceof CborError) return false;
    throw error;
  }
}

/**
 * The journal record of a refused receipt, with the evidence `aos audit verify` needs to re-check
 * the refusal: every signed field (the payload as its hash) and the signature. Outside input is
 * bounded so a refusal cannot write an unbounded record: text is cut, a signature longer than
 * REJECTED_SIGNATURE_BYTES_MAX keeps only its first bytes (still the wrong length), and a
 * cost_cents or usage that has no canonical form (a FIELDS_INVALID refusal) is left out.
 */
export function rejectionRecord(receipt: ReceiptFields, rejection: { readonly reason: ReceiptRejectionReason; readonly message: string }, stamp: ReceiptRejectedRecordBody['stamp']): ReceiptRejectedRecordBody {
  const usage = receipt.usage;
  const signature = receipt.signature instanceof Uint8Array ? receipt.signature : new Uint8Array(0);
  return {
    kind: 'receipt_rejected', intent_hash: receipt.intent_hash, adapter_id: cut(String(receipt.adapter_id), DENY_QUOTED_CHARS_MAX), status: cut(String(receipt.status), DENY_QUOTED_CHARS_MAX),
    payload_hash: hashBytes(receipt.payload),
    ...(isReceiptCost(receipt.cost_cents) ? { cost_cents: receipt.cost_cents } : {}),
    ...(usage !== undefined && isReceiptUsage(usage) ? { usage: { prompt_tokens: usage.prompt_tokens, completion_tokens: usage.completion_tokens } } : {}),
    signature: signature.length > REJECTED_SIGNATURE_BYTES_MAX ? signature.slice(0, REJECTED_SIGNATURE_BYTES_MAX) : signature,
    reason: rejection.reason, message: cut(rejection.message, DENY_MESSAGE_CHARS_MAX), stamp,
  };
}

/** The trusted_keys record of a key map, sorted by adapter_id then key id, with each key checked. */
export function trustedKeysRecord(trusted: TrustedReceiptKeys): TrustedKeysRecordBody {
  const keys: TrustedKeyEntry[] = [];
  for (const [adapterId, raws] of trusted) {
    if (adapterId.length === 0) throw new KernelError('BAD_PUBLIC_KEY', 'a trusted key is listed under an empty adapter_id');
    for (const raw of raws) keys.push({ adapter_id: adapterId, public_key: publicKeyId(raw) });
  }
  keys.sort((a, b) => (a.adapter_id !== b.adapter_id ? (a.adapter_id < b.adapter_id ? -1 : 1) : a.public_key < b.public_key ? -1 : a.public_key > b.public_key ? 1 : 0));
  return { kind: 'trusted_keys', keys };
}

/** The key map a trusted_keys record describes. */
export function trustedKeysOf(record: TrustedKeysRecordBody): TrustedReceiptKeys {
  const trusted = new Map<string, Uint8Array[]>();
  for (const entry of record.keys) {
    if (!isPublicKeyId(entry.public_key)) throw new KernelError('JOURNAL_CORRUPT', `a trusted_keys record lists ${quoted(String(entry.public_key))}, which is not a public key id`);
    const list = trusted.get(entry.adapter_id) ?? [];
    list.push(parsePublicKeyId(entry.public_key, `trusted key of ${entry.adapter_id}`));
    trusted.set(entry.adapter_id, list);
  }
  return trusted;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let index = 0; index < a.length; index += 1) if (a[index] !== b[index]) return false;
  return true;
}

function cut(text: string, charsMax: number): string {
  return text.length > charsMax ? `${text.slice(0, charsMax - 3)}...` : text;
}

function quoted(text: string): string {
  return JSON.stringify(cut(text, DENY_QUOTED_CHARS_MAX));
}
