// The identity of a typed value: its canonical bytes bound to the hash of its schema.
import { hashValue } from '../../cbor/index.ts';
import type { CborValue, Hash } from '../../cbor/index.ts';

/**
 * The hash of a typed value: `hashValue({"schema": <schema hash as text>, "value": value})`,
 * i.e. sha256 over the self-described canonical CBOR of that two-key map. Binding the schema
 * keeps equal bytes of different types (a nat 1 and an int 1) from colliding. The value must
 * already be canonical (from valueFromJson or valueFromCbor).
 */
export function hashTypedValue(value: CborValue, schemaHashValue: Hash): Hash {
  return hashValue({ schema: schemaHashValue, value });
}
