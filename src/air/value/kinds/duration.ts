// duration: signed integer nanoseconds (i64).
import type { LeafCodec } from '../leaf-codec.ts';
import { I64_RANGE_MAX, I64_RANGE_MIN, integerFromCbor, integerFromJson, integerOut } from './integer.ts';

const RANGE = { kind: 'duration', min: I64_RANGE_MIN, max: I64_RANGE_MAX };
const EXPECTED = 'a duration: integer nanoseconds (write one beyond 2^53 as a string of digits)';

export const duration: LeafCodec = {
  canonicalTag: 'duration_ns',
  expected: EXPECTED,
  fromSugar: (json, site) => integerFromJson(json, RANGE, site, EXPECTED),
  fromCanonical: (body, site) => integerFromJson(body, RANGE, site, EXPECTED),
  fromCbor: (value, site) => integerFromCbor(value, RANGE, site, EXPECTED),
  toSugar: integerOut,
  toCanonical: integerOut,
};
