// Canonicalising CBOR bytes against an AIR schema: what every value crossing into the journal passes.
import { decodeCanonical, encodeCanonical } from '../cbor/index.ts';
import type { CborValue } from '../cbor/index.ts';
import { valueFromCbor } from '../air/index.ts';
import type { SchemaResolver } from '../air/index.ts';

/** Decodes bytes strictly, checks them against `schema` and returns the canonical bytes and value (no prefix). */
export function canonicalTyped(bytes: Uint8Array, schema: string, schemas: SchemaResolver, what: string): { bytes: Uint8Array; value: CborValue } {
  const value = valueFromCbor(decodeCanonical(bytes), { ref: schema }, schemas, { path: what });
  return { bytes: encodeCanonical(value, { selfDescribe: false }), value };
}
