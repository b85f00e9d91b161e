// Goal: the SDK's in-sandbox CBOR codec produces exactly the bytes of src/cbor (the host's
// canonical encoder) and decodes them back to the same values; refusals are SdkErrors.
// Method: fast-check values of the AIR value model, compared byte for byte; named failures.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { decodeCanonical, encodeCanonical, toHex } from '../../../src/cbor/index.ts';
import type { CborValue } from '../../../src/cbor/index.ts';
import { decodeCbor, encodeCbor, SdkError } from '../../../src/sdk/index.ts';
import type { AirValue } from '../../../src/sdk/index.ts';

const scalar = fc.oneof(
  fc.constant(null), fc.boolean(), fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
  fc.bigInt({ min: -(1n << 64n), max: (1n << 64n) - 1n }).filter((value) => value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)),
  fc.string({ unit: 'binary', maxLength: 40 }).filter((text) => !/[\ud800-\udfff]/.test(text)), fc.uint8Array({ maxLength: 40 }),
);
const value = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small' }, scalar, fc.array(tie('node'), { maxLength: 5 }), fc.dictionary(fc.string({ maxLength: 8 }), tie('node'), { maxKeys: 5 })),
})).node as fc.Arbitrary<CborValue>;

test('SDK encode equals src/cbor canonical bytes, and SDK decode reads them back', () => {
  fc.assert(fc.property(value, (item) => {
    const host = encodeCanonical(item, { selfDescribe: false });
    assert.equal(toHex(encodeCbor(item as AirValue)), toHex(host));
    // src/cbor may hand back Buffers for byte strings; compare the values through their bytes.
    const decoded = decodeCbor(host);
    assert.equal(toHex(encodeCanonical(decoded as CborValue, { selfDescribe: false })), toHex(host));
    assert.equal(toHex(encodeCanonical(decodeCanonical(host), { selfDescribe: false })), toHex(host));
  }), { numRuns: 2_000 });
});

test('SDK decode refuses floats, indefinite lengths, unknown tags, bad UTF-8 and trailing bytes with offsets', () => {
  const cases: ReadonlyArray<readonly [number[], RegExp]> = [
    [[0xf9, 0x3c, 0x00], /byte 0: found a float/],
    [[0x9f, 0x01, 0xff], /byte 0: indefinite-length item/],
    [[0xc1, 0x01], /byte 0: found tag 1/],
    [[0x62, 0xc3, 0x28], /byte 1: text is not valid UTF-8/],
    [[0x01, 0x02], /byte 1: bytes follow the end/],
    [[0x82, 0x01], /byte 0: a length runs past the end/],
  ];
  for (const [bytes, pattern] of cases) {
    assert.throws(() => decodeCbor(Uint8Array.from(bytes)), (error: unknown) => error instanceof SdkError && error.code === 'CBOR_DECODE' && pattern.test(error.message), pattern.source);
  }
});

test('SDK encode refuses floats, unsafe numbers and class instances, naming the path', () => {
  assert.throws(() => encodeCbor({ a: [1, 1.5] }), /at a\[1\]: 1.5 is not an integer/);
  assert.throws(() => encodeCbor({ n: 2 ** 60 }), /beyond 2\^53.*use a bigint/);
  assert.throws(() => encodeCbor({ when: new Date(0) as unknown as AirValue }), /class instance/);
});
