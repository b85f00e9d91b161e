// What a receipt signature covers, and checking one (DESIGN §7):
//   sig = ed25519(adapter key, cbor{intent_hash, adapter_id, status, payload_hash, cost_cents, usage})
// The payload is canonical CBOR with the self-describe prefix, like every hashed node, so
// `aos cbor encode` reproduces it by hand. All six keys are always present: an absent
// cost_cents or usage is written as null, so "not reported" has one spelling and the same
// receipt always gives the same bytes (0 and null are different claims and differ in bytes).
import { verify as cryptoVerify } from 'node:crypto';
import { encodeCanonical, isHash } from '../cbor/index.ts';
import type { CborObject, Hash } from '../cbor/index.ts';
import { KernelError } from './errors.ts';
import { ED25519_PUBLIC_KEY_BYTES, RECEIPT_SIGNATURE_BYTES } from './limits.ts';
import { publicKeyId, publicKeyObject } from './public-key.ts';
import type { PublicKeyId } from './public-key.ts';

/** Token counts an adapter reports; budgets charge them. Fields follow AIR's token_usage {prompt, completion}. */
export interface ReceiptUsage {
  readonly prompt_tokens: number | bigint;
  readonly completion_tokens: number | bigint;
}

/** The fields a receipt signature covers; other fields of the object passed in are ignored. */
export interface ReceiptSigningFields {
  readonly intent_hash: Hash;
  readonly adapter_id: string;
  /** Any text: the signature binds it; which statuses a world admits is decided at admission. */
  readonly status: string;
  /** sha256 of the receipt's payload bytes. */
  readonly payload_hash: Hash;
  /** Absent and null both mean "not reported" and are signed as null. */
  readonly cost_cents?: number | bigint | null;
  /** Absent and null both mean "not reported" and are signed as null. */
  readonly usage?: ReceiptUsage | null;
}

/** Which public keys may sign receipts for each adapter_id: the world's trusted keys (several during a rotation). */
export type TrustedReceiptKeys = ReadonlyMap<string, readonly Uint8Array[]>;

/**
 * Why a receipt signature was refused; stable codes a caller can journal or print. KEY_RETIRED:
 * the signature verifies, but under a key the world has retired for that adapter (trusted-keys.ts).
 */
export type ReceiptSignatureRejection = 'FIELDS_INVALID' | 'SIGNATURE_LENGTH' | 'UNKNOWN_KEY' | 'BAD_SIGNATURE' | 'KEY_RETIRED';

/** The outcome of {@link checkReceiptSignature}: the key that signed, or why none did. */
export type ReceiptSignatureCheck =
  | { readonly ok: true; readonly key: PublicKeyId }
  | { readonly ok: false; readonly reason: ReceiptSignatureRejection; readonly message: string };

const UINT64_MAX = (1n << 64n) - 1n;
const NO_KEYS: TrustedReceiptKeys = new Map();
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const USAGE_KEYS: readonly string[] = ['completion_tokens', 'prompt_tokens'];

/** The canonical bytes a receipt signature is made over; refuses fields that have no canonical form. */
export function receiptSigningBytes(fields: ReceiptSigningFields): Uint8Array {
  const problem = findFieldProblem(fields);
  if (problem !== null) throw new KernelError('RECEIPT_INVALID', `receipt for ${shown(fields.intent_hash)} cannot be signed: ${problem}`);
  return encodeCanonical(signingPayload(fields));
}

/** True only when `signature` is `publicKey`'s ed25519 signature over exactly these fields. */
export function verifyReceiptSignature(publicKey: Uint8Array, fields: ReceiptSigningFields, signature: Uint8Array): boolean {
  if (publicKey.length !== ED25519_PUBLIC_KEY_BYTES || signature.length !== RECEIPT_SIGNATURE_BYTES) return false;
  if (findFieldProblem(fields) !== null) return false;
  return cryptoVerify(null, encodeCanonical(signingPayload(fields)), publicKeyObject(publicKey), signature);
}

/**
 * Verifies a receipt against the keys trusted for its adapter_id, saying why when it fails; with
 * `retired`, a signature that verifies only under a retired key of the adapter is KEY_RETIRED.
 */
export function checkReceiptSignature(trusted: TrustedReceiptKeys, fields: ReceiptSigningFields, signature: Uint8Array, retired: TrustedReceiptKeys = NO_KEYS): ReceiptSignatureCheck {
  const problem = findFieldProblem(fields);
  if (problem !== null) return refuse('FIELDS_INVALID', `receipt for ${shown(fields.intent_hash)} is malformed: ${problem}`);
  const where = `receipt from adapter ${shown(fields.adapter_id)} for ${fields.intent_hash}`;
  if (signature.length !== RECEIPT_SIGNATURE_BYTES) {
    return refuse('SIGNATURE_LENGTH', `${where} has a ${signature.length}-byte signature; an ed25519 signature is ${RECEIPT_SIGNATURE_BYTES} bytes`);
  }
  const keys = trusted.get(fields.adapter_id) ?? [];
  const bytes = encodeCanonical(signingPayload(fields));
  for (const key of keys) {
    if (cryptoVerify(null, bytes, publicKeyObject(key), signature)) return { ok: true, key: publicKeyId(key) };
  }
  for (const key of retired.get(fields.adapter_id) ?? []) {
    if (cryptoVerify(null, bytes, publicKeyObject(key), signature)) {
      return refuse('KEY_RETIRED', `${where} is signed by ${publicKeyId(key)}, a key this world has retired for that adapter; the adapter must sign with its current key (aos key ls)`);
    }
  }
  if (keys.length === 0) {
    return refuse('UNKNOWN_KEY', `${where}: the world trusts no key for that adapter; add the adapter's public key (aos key ls) to the world's trusted keys`);
  }
  return refuse('BAD_SIGNATURE', `${where}: the signature does not match its fields under any of the ${keys.length} key(s) trusted for that adapter; the receipt was altered or signed by another key`);
}

/**
 * The check for a receipt signed in this very process by a signer whose public key is `vouched`
 * (the node's own executor): when that key is trusted for the adapter and the fields and
 * signature have their canonical shapes, the receipt is admitted without re-running ed25519 over
 * a signature made microseconds ago. Otherwise the full check runs, so an untrusted or retired
 * key is refused exactly as it would be from outside. Receipts that cross a process boundary
 * never take this path, and `aos audit verify` re-checks every journaled signature.
 */
export function checkVouchedReceiptSignature(trusted: TrustedReceiptKeys, fields: ReceiptSigningFields, signature: Uint8Array, vouched: Uint8Array, retired: TrustedReceiptKeys = NO_KEYS): ReceiptSignatureCheck {
  const keys = trusted.get(fields.adapter_id) ?? [];
  const key = keys.find((candidate) => sameKey(candidate, vouched));
  if (key === undefined || signature.length !== RECEIPT_SIGNATURE_BYTES || findFieldProblem(fields) !== null) return checkReceiptSignature(trusted, fields, signature, retired);
  return { ok: true, key: publicKeyId(key) };
}

function sameKey(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let index = 0; index < a.length; index += 1) if (a[index] !== b[index]) return false;
  return true;
}

function refuse(reason: ReceiptSignatureRejection, message: string): ReceiptSignatureCheck {
  return { ok: false, reason, message };
}

function signingPayload(fields: ReceiptSigningFields): CborObject {
  const usage = fields.usage ?? null;
  return {
    intent_hash: fields.intent_hash,
    adapter_id: fields.adapter_id,
    status: fields.status,
    payload_hash: fields.payload_hash,
    cost_cents: fields.cost_cents ?? null,
    usage: usage === null ? null : { prompt_tokens: usage.prompt_tokens, completion_tokens: usage.completion_tokens },
  };
}

/** What is wrong with the fields, or null; fields may come from outside, so nothing is assumed of their types. */
function findFieldProblem(fields: ReceiptSigningFields): string | null {
  if (!isHash(fields.intent_hash)) return 'intent_hash is not a hash ("sha256:" and 64 lowercase hex digits)';
  if (!isHash(fields.payload_hash)) return 'payload_hash is not a hash ("sha256:" and 64 lowercase hex digits)';
  const textProblem = findTextProblem('adapter_id', fields.adapter_id) ?? findTextProblem('status', fields.status);
  if (textProblem !== null) return textProblem;
  if (fields.cost_cents !== undefined && fields.cost_cents !== null && !isUint64(fields.cost_cents)) {
    return `cost_cents is ${describe(fields.cost_cents)}; expected a whole number of cents from 0 to 2^64-1, or null`;
  }
  return fields.usage === undefined || fields.usage === null ? null : findUsageProblem(fields.usage);
}

function findTextProblem(name: string, value: unknown): string | null {
  if (typeof value !== 'string' || value.length === 0) return `${name} is ${describe(value)}; expected non-empty text`;
  // A lone surrogate becomes U+FFFD in UTF-8, so two different texts would sign alike.
  if (LONE_SURROGATE.test(value)) return `${name} contains a lone UTF-16 surrogate, which has no UTF-8 form`;
  return null;
}

/** True when `value` is a cost a receipt may report: a whole number of cents from 0 to 2^64-1. */
export function isReceiptCost(value: unknown): value is number | bigint {
  return isUint64(value);
}

/** True when `value` is usage a receipt may report: exactly {prompt_tokens, completion_tokens}, each from 0 to 2^64-1. */
export function isReceiptUsage(value: unknown): value is ReceiptUsage {
  return typeof value === 'object' && value !== null && findUsageProblem(value as ReceiptUsage) === null;
}

function findUsageProblem(usage: ReceiptUsage): string | null {
  if (typeof usage !== 'object' || Array.isArray(usage)) return `usage is ${describe(usage)}; expected {prompt_tokens, completion_tokens} or null`;
  const keys = Object.keys(usage).sort();
  if (keys.length !== USAGE_KEYS.length || keys.some((key, index) => key !== USAGE_KEYS[index])) {
    return `usage has the fields [${keys.join(', ')}]; expected exactly [prompt_tokens, completion_tokens] (unsigned extras would be trusted without a signature)`;
  }
  for (const key of USAGE_KEYS) {
    const count: unknown = (usage as unknown as Record<string, unknown>)[key];
    if (!isUint64(count)) return `usage.${key} is ${describe(count)}; expected a whole number from 0 to 2^64-1`;
  }
  return null;
}

function isUint64(value: unknown): boolean {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 && !Object.is(value, -0);
  return typeof value === 'bigint' && value >= 0n && value <= UINT64_MAX;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return value.length === 0 ? 'empty text' : 'text';
  if (typeof value === 'bigint') return `${value}`;
  if (typeof value === 'number') return Object.is(value, -0) ? '-0 (a float)' : Number.isInteger(value) ? `${value}` : `the non-integer ${value}`;
  return value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value;
}

/** A value from outside, quoted and cut short for a message. */
function shown(value: unknown): string {
  if (typeof value !== 'string') return `(${describe(value)})`;
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
}
