// time: nanoseconds since 1970-01-01T00:00:00Z (nat range); sugar also takes RFC 3339 text.
import type { LeafCodec } from '../leaf-codec.ts';
import { fail } from '../site.ts';
import { formatRfc3339, parseRfc3339 } from '../rfc3339.ts';
import { integerFromCbor, integerFromJson, integerOut, integerValue, U64_RANGE_MAX } from './integer.ts';

const RANGE = { kind: 'time', min: 0n, max: U64_RANGE_MAX };
const EXPECTED = 'a time: an RFC 3339 timestamp such as "2026-01-02T03:04:05Z", or integer nanoseconds since the epoch';

export const time: LeafCodec = {
  canonicalTag: 'time_ns',
  expected: EXPECTED,
  fromSugar(json, site) {
    if (typeof json !== 'string' || /^-?[0-9]+$/.test(json)) return integerFromJson(json, RANGE, site, EXPECTED);
    const ns = parseRfc3339(json);
    if (!ns.ok) fail(site, ns.code, ns.detail);
    if (ns.value < RANGE.min || ns.value > RANGE.max) {
      fail(site, 'OUT_OF_RANGE', `found ${JSON.stringify(json)}; a time lies from 1970-01-01T00:00:00Z to ${formatRfc3339(RANGE.max)}`);
    }
    return integerValue(ns.value);
  },
  fromCanonical: (body, site) => integerFromJson(body, RANGE, site, 'time_ns: integer nanoseconds since the epoch'),
  fromCbor: (value, site) => integerFromCbor(value, RANGE, site, EXPECTED),
  toSugar: (value) => formatRfc3339(BigInt(integerOut(value))),
  toCanonical: integerOut,
};
