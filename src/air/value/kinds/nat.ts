// nat: an unsigned 64-bit integer.
import type { LeafCodec } from '../leaf-codec.ts';
import { integerFromCbor, integerFromJson, integerOut, U64_RANGE_MAX } from './integer.ts';

const RANGE = { kind: 'nat', min: 0n, max: U64_RANGE_MAX };
const EXPECTED = 'a nat: an integer ≥ 0 (write one beyond 2^53 as a string of digits)';

export const nat: LeafCodec = {
  canonicalTag: 'nat',
  expected: EXPECTED,
  fromSugar: (json, site) => integerFromJson(json, RANGE, site, EXPECTED),
  fromCanonical: (body, site) => integerFromJson(body, RANGE, site, EXPECTED),
  fromCbor: (value, site) => integerFromCbor(value, RANGE, site, EXPECTED),
  toSugar: integerOut,
  toCanonical: integerOut,
};
