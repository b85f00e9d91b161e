// Goal: dec128 text ↔ BID bytes is exact, canonical and bounded, and refuses what it cannot hold.
// Method: hand-computed vectors (sign | 14-bit exponent + 6176 | 113-bit coefficient, big-endian),
// canonical-equality pairs, the range limits, and named failures for text and for bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEC128_TAG, fromHex, Tagged, toHex } from '../../../../src/cbor/index.ts';
import { decodeDec128, encodeDec128, valueFromCbor, valueFromJson } from '../../../../src/air/value/index.ts';
import { packBid } from '../../../../src/air/value/dec128.ts';
import { expectAirError, schemasOf, T } from './support.ts';

// Exponent 0 is biased 6176 = 0x1820; shifted left by 113 its top 16 bits are 0x3040.
const VECTORS: ReadonlyArray<readonly [string, string]> = [
  ['1', '30400000000000000000000000000001'],
  ['-1', 'b0400000000000000000000000000001'],
  ['-0.5', 'b03e0000000000000000000000000005'], // exponent -1: 6175 = 0x181f → 0x303e
  ['1.5', '303e000000000000000000000000000f'],
  ['0', '30400000000000000000000000000000'],
  ['1e6111', '5ffe0000000000000000000000000001'], // largest exponent: 12287 = 0x2fff → 0x5ffe
  ['1e-6176', '00000000000000000000000000000001'], // smallest exponent: biased 0
  ['9999999999999999999999999999999999', '3041ed09bead87c0378d8e63ffffffff'], // 10^34 − 1 spills bit 112 into byte 1
  ['9.999999999999999999999999999999999e6144', '5fffed09bead87c0378d8e63ffffffff'], // the largest dec128
  ['1e6112', '5ffe000000000000000000000000000a'], // folded down: 10 × 10^6111
];

test('known BID vectors encode to their bytes and decode back', () => {
  for (const [text, hex] of VECTORS) {
    assert.equal(toHex(encodeDec128(text)), hex, text);
    assert.equal(toHex(encodeDec128(decodeDec128(fromHex(hex)))), hex, `${text} via its decoded text`);
  }
});

test('equal decimals have equal bytes: trailing zeros, signs and spellings of zero', () => {
  const groups = [
    ['1.5', '1.50', '15e-1', '+1.500000', '0.15E1', '00001.5'],
    ['0', '-0', '0.000', '0e100', '-0e-100'],
    ['1200', '1.2e3', '12e2', '1200.00'],
  ];
  for (const group of groups) {
    const [first = '', ...rest] = group;
    for (const text of rest) assert.equal(toHex(encodeDec128(text)), toHex(encodeDec128(first)), `${text} = ${first}`);
  }
});

test('decoding shows plain notation while reasonable, scientific beyond', () => {
  const cases: ReadonlyArray<readonly [string, string]> = [
    ['1234.5', '1234.5'], ['-0.000001', '-0.000001'], ['1e-7', '1e-7'], ['1e33', `1${'0'.repeat(33)}`],
    ['1.5e40', '1.5e40'], ['1e6111', '1e6111'], ['-12.345e-3', '-0.012345'], ['1.2e-6170', '1.2e-6170'],
  ];
  for (const [input, shown] of cases) assert.equal(decodeDec128(encodeDec128(input)), shown, input);
  // Non-canonical bytes are shown as stored: 150 × 10^-2 is "1.50".
  assert.equal(decodeDec128(packBid({ negative: false, coefficient: 150n, exponent: -2 })), '1.50');
});

test('values dec128 cannot hold exactly are OUT_OF_RANGE, never rounded', () => {
  expectAirError(() => encodeDec128('12345678901234567890123456789012345'), 'OUT_OF_RANGE', ['35 significant digits', 'at most 34']);
  expectAirError(() => encodeDec128('1e6145'), 'OUT_OF_RANGE', ['too large']);
  expectAirError(() => encodeDec128('1e-6177'), 'OUT_OF_RANGE', ['smallest dec128 exponent is -6176']);
  expectAirError(() => encodeDec128(`1e${'9'.repeat(30)}`), 'OUT_OF_RANGE', ['too large']);
  assert.equal(toHex(encodeDec128('10e-6177')), toHex(encodeDec128('1e-6176')));
  assert.equal(toHex(encodeDec128('1234567890123456789012345678901234.000')), toHex(encodeDec128('1234567890123456789012345678901234')));
});

test('text that is not a DecimalString is BAD_DECIMAL', () => {
  for (const text of ['', '1.', '.5', 'abc', '1e', 'NaN', 'Infinity', ' 1', '1,5', '0x10', '1e+-3']) {
    expectAirError(() => encodeDec128(text), 'BAD_DECIMAL', ['is not a decimal']);
  }
  expectAirError(() => encodeDec128('1'.repeat(300)), 'BAD_DECIMAL', ['300 characters']);
});

test('bytes that are not a finite canonical decimal are BAD_DECIMAL', () => {
  expectAirError(() => decodeDec128(fromHex('78000000000000000000000000000000')), 'BAD_DECIMAL', ['infinity or a NaN']);
  expectAirError(() => decodeDec128(fromHex('7c000000000000000000000000000000')), 'BAD_DECIMAL', ['infinity or a NaN']);
  expectAirError(() => decodeDec128(fromHex('60000000000000000000000000000001')), 'BAD_DECIMAL', ['large-coefficient form']);
  expectAirError(() => decodeDec128(fromHex('3041ed09bead87c0378d8e6400000000')), 'BAD_DECIMAL', ['exceeds 10^34']);
  expectAirError(() => decodeDec128(new Uint8Array(15)), 'BAD_DECIMAL', ['16 bytes; found 15']);
});

test('as a typed value: sugar text, canonical {"dec128": …} and CBOR all canonicalise alike', () => {
  const schemas = schemasOf();
  const expected = new Tagged(DEC128_TAG, encodeDec128('1.5'));
  assert.deepEqual(valueFromJson('1.50', T.dec128, schemas, {}), expected);
  assert.deepEqual(valueFromJson({ dec128: '15e-1' }, T.dec128, schemas, {}), expected);
  const stored = new Tagged(DEC128_TAG, packBid({ negative: false, coefficient: 1500n, exponent: -3 }));
  assert.deepEqual(valueFromCbor(stored, T.dec128, schemas, {}), expected);
  const negativeZero = new Tagged(DEC128_TAG, packBid({ negative: true, coefficient: 0n, exponent: 7 }));
  assert.deepEqual(valueFromCbor(negativeZero, T.dec128, schemas, {}), new Tagged(DEC128_TAG, encodeDec128('0')));
  assert.deepEqual(valueFromJson(42, T.dec128, schemas, {}), new Tagged(DEC128_TAG, encodeDec128('42')));
  expectAirError(() => valueFromJson(1.5, T.dec128, schemas, { path: '.price' }), 'BAD_DECIMAL', ['.price', 'the JSON number 1.5', 'write a dec128 as text']);
});
