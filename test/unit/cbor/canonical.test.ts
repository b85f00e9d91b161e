// Goal: our canonical CBOR matches the upstream vectors byte for byte and refuses every
// non-canonical form with a message naming the byte offset.
// Method: the vectors from the AIR spec data, hand-written hex for each refusal, then fast-check
// over random values (round trip) and random/mutated bytes (value or typed error, never a crash).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encode as cborgEncode, rfc8949EncodeOptions } from 'cborg';
import vectors from '../../fixtures/upstream-air/spec/test-vectors/canonical-cbor.json' with { type: 'json' };
import {
  CborDecodeError, CborEncodeError, decodeCanonical, decodeVerified, encodeCanonical, fromHex, hashValue, parseJsonExact, Tagged, toHex,
} from '../../../src/cbor/index.ts';
import type { CborValue } from '../../../src/cbor/index.ts';

test('every upstream canonical-CBOR vector: exact bytes and hash', () => {
  assert.ok(vectors.length >= 3);
  for (const vector of vectors) {
    const value = vector.json as CborValue;
    assert.equal(toHex(encodeCanonical(value)), vector.cbor_hex, vector.label);
    assert.equal(hashValue(value), vector.hash, vector.label);
    assert.deepEqual(decodeCanonical(fromHex(vector.cbor_hex)), value, vector.label);
  }
});

test('map keys are ordered bytewise by their encoding (RFC 8949 §4.2.1)', () => {
  assert.equal(toHex(encodeCanonical({ bb: 1, a: 2, c: 3 }, { selfDescribe: false })), 'a361610261630362626201');
  const mixed = new Map<CborValue, CborValue>([['a', 1], [10, 2], [-1, 3]]);
  assert.equal(toHex(encodeCanonical(mixed, { selfDescribe: false })), 'a30a022003616101');
});

test('64-bit integers stay exact as bigints', () => {
  const max = (1n << 64n) - 1n;
  const bytes = encodeCanonical({ max, min: -(1n << 64n) });
  assert.deepEqual(decodeCanonical(bytes), { max, min: -(1n << 64n) });
  assert.deepEqual(parseJsonExact('{"n": 18446744073709551615}'), { n: max });
});

const REFUSALS: ReadonlyArray<readonly [string, string, number, RegExp]> = [
  ['unsorted keys', 'a2616201616102', 2, /NOT_CANONICAL|not the canonical encoding/],
  ['long integer form', '1801', 0, /shortest form/],
  ['long length form', '780161', 0, /shortest form/],
  ['indefinite array', '9f01ff', 0, /indefinite-length/],
  ['indefinite text', '7f6161ff', 0, /indefinite-length/],
  ['half float', 'f93c00', 0, /float/],
  ['double float', 'fb3ff8000000000000', 0, /float/],
  ['undefined', 'f7', 0, /undefined/],
  ['unknown tag', 'c11a514b67b0', 0, /tag 1/],
  ['dec128 of 4 bytes', 'd907d04401020304', 3, /16 bytes/],
  ['duplicate key', 'a2616101616102', 4, /repeats a key/],
  ['trailing bytes', '0102', 1, /follow the end/],
  ['truncated', '8301', 2, /truncated/],
  ['empty input', '', 0, /no data item/],
  ['array as a map key', 'a181f600', 1, /map key is an array/],
  ['null as a map key', 'a1f600', 1, /map key is null/],
];

test('refusals name the problem and its byte offset', () => {
  for (const [label, hex, offset, message] of REFUSALS) {
    assert.throws(() => decodeCanonical(fromHex(hex)), (error: unknown) => {
      assert.ok(error instanceof CborDecodeError, `${label}: ${String(error)}`);
      assert.match(error.message, message, label);
      assert.match(error.message, /at byte \d+/, label);
      assert.equal(error.offset, offset, `${label}: ${error.message}`);
      return true;
    }, label);
  }
});

test('the self-describe prefix is accepted and offsets count it', () => {
  assert.throws(() => decodeCanonical(fromHex('d9d9f71801')), (error: unknown) => error instanceof CborDecodeError && error.offset === 3);
});

test('nesting deeper than the limit is refused, not a stack overflow', () => {
  assert.throws(() => decodeCanonical(fromHex(`${'81'.repeat(100_000)}00`)), /nesting deeper than/);
  const deep: CborValue[] = [];
  let cursor = deep;
  for (let i = 0; i < 1000; i += 1) { const next: CborValue[] = []; cursor.push(next); cursor = next; }
  assert.throws(() => encodeCanonical(deep), CborEncodeError);
});

test('values without a canonical form are refused on encode, naming the path', () => {
  assert.throws(() => encodeCanonical(new Map<CborValue, CborValue>([[0, 'a'], [0n, 'b']])), /has the key 0 twice/);
  assert.throws(() => encodeCanonical(new Map<CborValue, CborValue>([[[1], 'a']])), /map key is an array/);
  assert.throws(() => encodeCanonical({ a: [1, 1.5] }), /at \.a\[1\]: 1\.5 is a float/);
  assert.throws(() => encodeCanonical({ big: 2 ** 60 }), /pass it as a bigint/);
  assert.throws(() => encodeCanonical({ when: new Date(0) as unknown as CborValue }), /instance of Date/);
  assert.throws(() => encodeCanonical({ u: undefined as unknown as CborValue }), /undefined/);
});

const cborValue: fc.Arbitrary<CborValue> = fc.letrec<{ value: CborValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null), fc.boolean(), fc.maxSafeInteger(), fc.bigInt({ min: -(1n << 64n), max: (1n << 64n) - 1n }),
    fc.string(), fc.uint8Array({ maxLength: 64 }),
    fc.uint8Array({ minLength: 16, maxLength: 16 }).map((bytes) => new Tagged(2000, bytes) as CborValue),
    fc.array(tie('value'), { maxLength: 6 }),
    fc.dictionary(fc.string({ maxLength: 8 }), tie('value'), { maxKeys: 6 }),
  ),
})).value;

const mapKey = fc.oneof(fc.maxSafeInteger(), fc.bigInt({ min: -(1n << 64n), max: (1n << 64n) - 1n }), fc.string({ maxLength: 30 }), fc.uint8Array({ maxLength: 8 }));
const keyIdentity = ([key]: readonly [CborValue, CborValue]) => (key instanceof Uint8Array ? `b${toHex(key)}` : typeof key === 'string' ? `s${key}` : `i${String(key)}`);
const withMaps: fc.Arbitrary<CborValue> = fc.tuple(fc.uniqueArray(fc.tuple(mapKey, cborValue), { maxLength: 8, selector: keyIdentity }), cborValue)
  .map(([entries, value]) => [new Map<CborValue, CborValue>(entries), value] as CborValue);

test('property: our key order is RFC 8949 bytewise order (cborg rfc8949EncodeOptions as the oracle)', () => {
  fc.assert(fc.property(fc.oneof(cborValue, withMaps), (value) => {
    assert.deepEqual(encodeCanonical(value, { selfDescribe: false }), new Uint8Array(cborgEncode(value, rfc8949EncodeOptions)));
  }), { numRuns: 20_000 });
});

test('property: objects with few and with many keys (sorted two ways) are written in RFC 8949 order', () => {
  const object = fc.dictionary(fc.string({ maxLength: 12 }), fc.oneof(fc.integer(), fc.string({ maxLength: 4 })), { minKeys: 0, maxKeys: 80 });
  fc.assert(fc.property(fc.array(object, { minLength: 1, maxLength: 3 }), (value) => {
    assert.deepEqual(encodeCanonical(value, { selfDescribe: false }), new Uint8Array(cborgEncode(value, rfc8949EncodeOptions)));
  }), { numRuns: 2_000 });
});

test('property: any value round-trips through canonical bytes, and re-encoding is a fixed point', () => {
  fc.assert(fc.property(fc.oneof(cborValue, withMaps), (value) => {
    const bytes = encodeCanonical(value);
    const back = decodeCanonical(bytes);
    assert.deepEqual(encodeCanonical(back), bytes);
  }), { numRuns: 20_000 });
});

function decodesOrTypedError(bytes: Uint8Array): void {
  let value: CborValue;
  try {
    value = decodeCanonical(bytes);
  } catch (error) {
    assert.ok(error instanceof CborDecodeError, `not a CborDecodeError: ${String(error)} for ${toHex(bytes)}`);
    return;
  }
  assert.deepEqual(encodeCanonical(value, { selfDescribe: false }), bytes[0] === 0xd9 && bytes[1] === 0xd9 && bytes[2] === 0xf7 ? bytes.subarray(3) : bytes);
}

test('property: random bytes decode to a fixed point or a CborDecodeError', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 256 }), decodesOrTypedError), { numRuns: 60_000 });
});

test('property: mutated canonical bytes decode to a fixed point or a CborDecodeError', () => {
  const mutated = fc.tuple(cborValue, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }))
    .map(([value, edits]) => {
      const bytes = encodeCanonical(value, { selfDescribe: false }).slice();
      for (const [position, byte] of edits) bytes[position % bytes.length] = byte;
      return bytes;
    });
  fc.assert(fc.property(mutated, decodesOrTypedError), { numRuns: 40_000 });
});

test('decodeVerified reads what decodeCanonical reads, and still refuses malformed bytes', () => {
  fc.assert(fc.property(cborValue, (value) => {
    const bytes = encodeCanonical(value);
    assert.deepEqual(decodeVerified(bytes), decodeCanonical(bytes));
  }), { numRuns: 5_000 });
  assert.throws(() => decodeVerified(fromHex('8301')), CborDecodeError);
  assert.throws(() => decodeVerified(fromHex('f93c00')), /float/);
});
