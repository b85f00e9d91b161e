// Canonicalising CBOR bytes against an AIR schema: what every value crossing into the journal passes.
import { decodeCanonical, decodeVerified, encodeCanonical } from '../cbor/index.ts';
import type { CborValue } from '../cbor/index.ts';
import { valueFromCbor } from '../air/index.ts';
import type { SchemaResolver } from '../air/index.ts';

/**
 * Decodes bytes, checks them against `schema` and returns the canonical bytes and value (no
 * prefix). Bytes from outside are decoded strictly; `fromSandbox` bytes were just written by the
 * js sandbox host's own canonical encoder, so the re-encode comparison is skipped for them.
 */
export function canonicalTyped(bytes: Uint8Array, schema: string, schemas: SchemaResolver, what: string, fromSandbox = false): { bytes: Uint8Array; value: CborValue } {
  const decoded = fromSandbox ? decodeVerified(bytes) : decodeCanonical(bytes);
  const value = valueFromCbor(decoded, { ref: schema }, schemas, { path: what });
  return { bytes: encodeCanonical(value, { selfDescribe: false }), value };
}
