// bytes: a byte string; JSON carries it as canonical base64.
import { assert } from '../../../cbor/index.ts';
import type { CborValue } from '../../../cbor/index.ts';
import type { LeafCodec } from '../leaf-codec.ts';
import { mismatch } from '../leaf-codec.ts';
import { fail } from '../site.ts';
import type { Site } from '../site.ts';
import { decodeBase64Strict, encodeBase64 } from '../base64.ts';

const EXPECTED = 'bytes: base64 text (standard alphabet, padded with "=")';

function read(json: unknown, site: Site): CborValue {
  if (typeof json !== 'string') mismatch(site, json, EXPECTED);
  const bytes = decodeBase64Strict(json);
  if (!bytes.ok) fail(site, bytes.code, bytes.detail);
  return bytes.value;
}

/** A Buffer or other view becomes a plain Uint8Array, so equal values compare equal. */
function fromCbor(value: CborValue, site: Site): CborValue {
  if (!(value instanceof Uint8Array)) mismatch(site, value, 'bytes: a CBOR byte string');
  return Object.getPrototypeOf(value) === Uint8Array.prototype ? value : Uint8Array.from(value);
}

function write(value: CborValue): string {
  assert(value instanceof Uint8Array, 'checked bytes are a Uint8Array');
  return encodeBase64(value);
}

export const bytes: LeafCodec = {
  canonicalTag: 'bytes_b64', expected: EXPECTED, fromSugar: read, fromCanonical: read, fromCbor, toSugar: write, toCanonical: write,
};
