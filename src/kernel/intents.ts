// Effect intents get a stable identity before they become open work (DESIGN §6).
import { encodeCanonical, hashBytes, hashDigest } from '../cbor/index.ts';
import type { Hash } from '../cbor/index.ts';

/**
 * The idempotency key adapters receive: the module's own when it gave one, else derived from
 * where the intent was emitted (instance, the record that caused the step, its index), so a
 * replay or a retry after a crash names the same intent.
 */
export function idempotencyKey(given: Uint8Array | undefined, module: string, key: Uint8Array | null, cause: number, index: number): Uint8Array {
  if (given !== undefined) return given;
  return hashDigest(hashBytes(encodeCanonical({ module, key, cause, index })));
}

/**
 * `intent_hash = sha256(cbor{kind, params, cap, idempotency_key})`, as upstream, where `cap` is
 * the name of the grant the intent runs under (upstream's `cap_name`): the same effect under
 * another grant is another intent.
 */
export function intentHash(kind: string, params: Uint8Array, cap: string, key: Uint8Array): Hash {
  return hashBytes(encodeCanonical({ kind, params, cap, idempotency_key: key }));
}
