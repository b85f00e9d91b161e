// A domain event's identity: the hash of its schema, canonical value and key.
import { encodeCanonical, hashBytes } from '../cbor/index.ts';
import type { Hash } from '../cbor/index.ts';

/** sha256 of canonical `{schema, value, key?}` (fields built in canonical key order: key, value, schema). */
export function eventHashOf(schema: string, value: Uint8Array, key: Uint8Array | undefined): Hash {
  return hashBytes(encodeCanonical(key !== undefined ? { key, value, schema } : { value, schema }));
}
