// Canonicalising CBOR bytes against an AIR schema: what every value crossing into the journal passes.
import { decodeCanonical, decodeVerified, encodeCanonical } from '../cbor/index.ts';
import type { CborValue } from '../cbor/index.ts';
import { typedBytesChecker, valueFromCbor } from '../air/index.ts';
import type { SchemaResolver } from '../air/index.ts';

/**
 * Decodes bytes, checks them against `schema` and returns the canonical bytes and value (no
 * prefix). Bytes from outside are decoded strictly; `fromSandbox` bytes were just written by the
 * js sandbox host's own canonical encoder, so the re-encode comparison is skipped for them.
 *
 * Nearly always the bytes are already canonical typed bytes: a one-pass byte check
 * (typedBytesChecker) vouches for them, and decode → check → encode is skipped (about 6 µs a
 * small value before; see bench/typed.ts). The value is then decoded only when first read.
 */
/** Canonical typed bytes and their value; `value` may be decoded only when first read, so pass the object on rather than spreading it. */
export interface TypedBytes {
  readonly bytes: Uint8Array;
  readonly value: CborValue;
}

export function canonicalTyped(bytes: Uint8Array, schema: string, schemas: SchemaResolver, what: string, fromSandbox = false): TypedBytes {
  if (typedBytesChecker({ ref: schema }, schemas)(bytes)) return new VouchedTyped(bytes, schema, schemas, what);
  const decoded = fromSandbox ? decodeVerified(bytes) : decodeCanonical(bytes);
  const value = valueFromCbor(decoded, { ref: schema }, schemas, { path: what });
  return { bytes: encodeCanonical(value, { selfDescribe: false }), value };
}

/**
 * The result for bytes the checker vouched for. The bytes are copied, as the full path's
 * re-encoding is fresh: the caller's array may be a view it reuses or that pins a larger buffer
 * (a sandbox output buffer, a pooled Node Buffer), and journaled bytes must never change after
 * they are hashed; the copy also makes them a plain Uint8Array, as the encoder returns. The
 * value is decoded on first read (most callers only journal the bytes), without the re-encode
 * comparison the check has made redundant, against `schemas` as it is then: callers read it in
 * the same step.
 */
class VouchedTyped {
  declare readonly value: CborValue;
  readonly bytes: Uint8Array;
  // Private, so the result's own enumerable properties are exactly `bytes` and `value`.
  readonly #schema: string;
  readonly #schemas: SchemaResolver;
  readonly #what: string;
  #value: CborValue = null;
  #read = false;

  constructor(input: Uint8Array, schema: string, schemas: SchemaResolver, what: string) {
    this.bytes = new Uint8Array(input);
    this.#schema = schema;
    this.#schemas = schemas;
    this.#what = what;
    // An own enumerable accessor, so a spread of the result copies the value as it does a plain
    // object's; one shared descriptor keeps this cheap (an object literal with a getter cost ~1 µs).
    Object.defineProperty(this, 'value', VALUE_ACCESSOR);
  }

  decodeOnce(): CborValue {
    if (!this.#read) {
      this.#value = valueFromCbor(decodeVerified(this.bytes), { ref: this.#schema }, this.#schemas, { path: this.#what });
      this.#read = true;
    }
    return this.#value;
  }
}

const VALUE_ACCESSOR: PropertyDescriptor = {
  enumerable: true,
  configurable: false,
  get(this: VouchedTyped): CborValue {
    return this.decodeOnce();
  },
};
