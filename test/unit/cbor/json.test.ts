// Goal: JSON for people and for `--json` keeps every integer exact and is laid out like
// JSON.stringify; no string a user controls can turn into a number.
// Method: random JSON values compared with JSON.stringify; values with bigints beyond 2^53
// round-tripped through parseJsonExact.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseJsonExact, stringifyJsonExact } from '../../../src/cbor/index.ts';

test('without bigints, the text is exactly what JSON.stringify writes, at any indent', () => {
  fc.assert(fc.property(fc.jsonValue(), fc.constantFrom(undefined, 0, 2, 4), (value, indent) => {
    assert.equal(stringifyJsonExact(value, indent), JSON.stringify(value, null, indent));
  }), { numRuns: 3_000 });
});

test('bigints beyond 2^53 come back exact, and a string that looks like a marker stays a string', () => {
  const big = fc.bigInt({ min: -(1n << 64n), max: 1n << 64n }).filter((value) => !Number.isSafeInteger(Number(value)));
  fc.assert(fc.property(fc.dictionary(fc.string(), fc.oneof(big, fc.array(big, { maxLength: 3 }), fc.string()), { noNullPrototype: true }), (value) => {
    assert.deepEqual(parseJsonExact(stringifyJsonExact(value, 2)), value);
  }), { numRuns: 2_000 });
  assert.deepEqual(parseJsonExact(stringifyJsonExact({ s: '\u0000bigint:5', n: 12345678901234567890n })), { s: '\u0000bigint:5', n: 12345678901234567890n });
});
