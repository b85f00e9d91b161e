// bool: true or false.
import { assert } from '../../../cbor/index.ts';
import type { CborValue } from '../../../cbor/index.ts';
import type { LeafCodec } from '../leaf-codec.ts';
import { mismatch } from '../leaf-codec.ts';
import type { Site } from '../site.ts';

const EXPECTED = 'a bool: true or false';

function read(json: unknown, site: Site): CborValue {
  if (typeof json !== 'boolean') mismatch(site, json, EXPECTED);
  return json;
}

function write(value: CborValue): boolean {
  assert(typeof value === 'boolean', 'a checked bool is a boolean');
  return value;
}

export const bool: LeafCodec = {
  canonicalTag: 'bool', expected: EXPECTED, fromSugar: read, fromCanonical: read, fromCbor: read, toSugar: write, toCanonical: write,
};
