// int: a signed 64-bit integer.
import type { LeafCodec } from '../leaf-codec.ts';
import { I64_RANGE_MAX, I64_RANGE_MIN, integerFromCbor, integerFromJson, integerOut } from './integer.ts';

const RANGE = { kind: 'int', min: I64_RANGE_MIN, max: I64_RANGE_MAX };
const EXPECTED = 'an int: an integer (write one beyond 2^53 as a string of digits)';

export const int: LeafCodec = {
  canonicalTag: 'int',
  expected: EXPECTED,
  fromSugar: (json, site) => integerFromJson(json, RANGE, site, EXPECTED),
  fromCanonical: (body, site) => integerFromJson(body, RANGE, site, EXPECTED),
  fromCbor: (value, site) => integerFromCbor(value, RANGE, site, EXPECTED),
  toSugar: integerOut,
  toCanonical: integerOut,
};
