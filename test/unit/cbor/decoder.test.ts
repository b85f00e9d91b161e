// Goal: the fast decoder (src/cbor/decoder.ts) changes nothing but speed: decodeCanonical and
// decodeVerified give exactly what the cborg decoder they replace gives (cborg-decoder.ts, the
// oracle), the same value down to number vs bigint and object vs Map, or the same error code,
// byte offset and message; and the fast path itself decides every canonical input (text that
// starts with U+FEFF included: it is text, kept, on both paths).
// Method: spec edges by hand, then fast-check: random values encoded canonically, the same
// bytes mutated or cut short, random streams of CBOR heads, and random bytes, each decoded by
// both sides (~108k cases, ~7 s). A failure prints fast-check's { seed, path }.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  CBOR_DEPTH_MAX, CBOR_INPUT_BYTES_MAX, CborDecodeError, decodeCanonical, decodeVerified, encodeCanonical, fromHex, Tagged, toHex,
} from '../../../src/cbor/index.ts';
import type { CborValue } from '../../../src/cbor/index.ts';
import { decodeCanonicalCborg, decodeVerifiedCborg } from '../../../src/cbor/cborg-decoder.ts';
import { decodeFast, DECLINED } from '../../../src/cbor/decoder.ts';
import { bodyOffset } from '../../../src/cbor/self-describe.ts';

type Decode = (bytes: Uint8Array) => CborValue;
type Outcome = { readonly value: CborValue } | { readonly code: string; readonly offset: number; readonly message: string };

function outcome(decode: Decode, bytes: Uint8Array): Outcome {
  let failure: unknown;
  const stackTraceLimit = Error.stackTraceLimit;
  // Stacks are never compared, and capturing them took most of this file's time: most fuzz
  // inputs are refused, and each refusal makes several errors.
  Error.stackTraceLimit = 0;
  try {
    return { value: decode(bytes) };
  } catch (error) {
    failure = error;
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
  if (!(failure instanceof CborDecodeError)) assert.fail(`not a CborDecodeError: ${String(failure)} for ${toHex(bytes)}`);
  return { code: failure.code, offset: failure.offset, message: failure.message };
}

/** Both public decoders agree with their cborg originals on these bytes: value (deep, strict types) or error. */
function agrees(bytes: Uint8Array): void {
  const hex = toHex(bytes);
  assert.deepStrictEqual(outcome(decodeCanonical, bytes), outcome(decodeCanonicalCborg, bytes), `decodeCanonical of ${hex}`);
  assert.deepStrictEqual(outcome(decodeVerified, bytes), outcome(decodeVerifiedCborg, bytes), `decodeVerified of ${hex}`);
}

function fastDecides(bytes: Uint8Array): boolean {
  return decodeFast(bytes, bodyOffset(bytes)) !== DECLINED;
}

// ---- spec edges -------------------------------------------------------------------------------

/** Label, hex, and who decides: the fast path, or cborg (refusals, and what the fast path leaves to it). */
const EDGES: ReadonlyArray<readonly [string, string, 'fast' | 'cborg']> = [
  ['uint 23 / 24 / 255 / 256', '8417181818ff190100', 'fast'],
  ['uint 2^32 - 1 and 2^32', '821affffffff1b0000000100000000', 'fast'],
  ['uint 2^53 - 1 (number) and 2^53 (bigint)', '821b001fffffffffffff1b0020000000000000', 'fast'],
  ['uint 2^64 - 1', '1bffffffffffffffff', 'fast'],
  ['negint -2^53 + 1 (number) and -2^53 (bigint)', '823b001ffffffffffffe3b001fffffffffffff', 'fast'],
  ['negint -2^64', '3bffffffffffffffff', 'fast'],
  ['long forms of small values', '8418001900171a000000171b00000000ffffffff', 'cborg'],
  ['dec128', 'd907d050000102030405060708090a0b0c0d0e0f', 'fast'],
  ['dec128 around 15 bytes, a long payload head, an array', '83d907d04f000102030405060708090a0b0c0d0ed907d05810000102030405060708090a0b0c0d0e0fd907d080', 'cborg'],
  ['tags 0, 55799 inside, 2000 in a long form', `83c0616ad9d9f700da000007d050${'00'.repeat(16)}`, 'cborg'],
  ['__proto__ and other Object.prototype names as keys', 'a3695f5f70726f746f5f5f016b636f6e7374727563746f72026e6861734f776e50726f706572747903', 'fast'],
  ['integer-like text keys', 'a36130006131016231300a', 'fast'],
  ['a Map key anywhere makes every map a Map', '82a16161f6a10102', 'fast'],
  ['int, negint, bytes, text keys in order', 'a50a0020014101026161036162f4', 'fast'],
  ['keys out of order, repeated, equal bytes keys', '83a2616201616102a2616101616102a2410101410102', 'cborg'],
  ['two empty byte-string keys', 'a240014002', 'cborg'],
  ['a map key that is an array, null, a float, a tag', `84a18001a1f601a1f93c0001a1d907d050${'00'.repeat(16)}01`, 'cborg'],
  ['text starting with U+FEFF', '64efbbbf78', 'fast'],
  ['text not UTF-8: bad continuation, overlong, surrogate, past U+10FFFF', '8462c32862c08063eda08064f4908080', 'cborg'],
  ['floats, undefined, simple values, break', '86f93c00fa3f800000fb3ff0000000000000f7e0f8ff', 'cborg'],
  ['indefinite lengths', '845f40ff7f60ff9fffbfff', 'cborg'],
  ['reserved heads', '1c', 'cborg'],
  ['64-bit lengths', '5b000000010000000000', 'cborg'],
  ['truncated heads and payloads', '8219', 'cborg'],
  ['trailing bytes', 'a0a0', 'cborg'],
  ['an empty body after the prefix', 'd9d9f7', 'cborg'],
  ['the prefix twice', 'd9d9f7d9d9f700', 'cborg'],
  ['counts longer than the input', '9affffffff00', 'cborg'],
];

test('spec edges: the same values and the same refusals as the cborg decoder', () => {
  for (const [label, hex, decider] of EDGES) {
    const bytes = fromHex(hex);
    for (const prefixed of [bytes, Uint8Array.of(0xd9, 0xd9, 0xf7, ...bytes)]) {
      try {
        agrees(prefixed);
      } catch (error) {
        assert.fail(`${label}: ${error instanceof Error ? error.message : String(error)}`);
      }
      assert.equal(fastDecides(prefixed), decider === 'fast', `${label}: decided by ${decider}`);
    }
  }
});

test('integers are numbers exactly when they are safe integers', () => {
  const values = decodeCanonical(fromHex('841b001fffffffffffff1b00200000000000003b001ffffffffffffe3b001fffffffffffff'));
  assert.deepStrictEqual(values, [2 ** 53 - 1, 2n ** 53n, -(2 ** 53) + 1, -(2n ** 53n)]);
});

test('__proto__ becomes an own property and leaves the prototype alone', () => {
  const value = decodeCanonical(encodeCanonical(JSON.parse('{"__proto__": {"polluted": true}}') as CborValue)) as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(value), Object.prototype);
  assert.deepStrictEqual(Object.keys(value), ['__proto__']);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('byte strings are copies from a Uint8Array; from a Buffer, whatever cborg made of them', () => {
  const input = encodeCanonical({ b: new Uint8Array([1, 2, 3]) });
  const value = decodeCanonical(input) as { b: Uint8Array };
  assert.equal(Object.getPrototypeOf(value.b), Uint8Array.prototype);
  input[input.length - 1] = 9;
  assert.deepStrictEqual(value.b, new Uint8Array([1, 2, 3]));
  agrees(Buffer.from(input));
});

test('a detached buffer reads as empty input, as before', () => {
  const buffer = new ArrayBuffer(4);
  const bytes = new Uint8Array(buffer);
  structuredClone(buffer, { transfer: [buffer] });
  assert.deepStrictEqual(outcome(decodeCanonical, bytes), outcome(decodeCanonicalCborg, bytes));
  assert.deepStrictEqual(outcome(decodeVerified, bytes), outcome(decodeVerifiedCborg, bytes));
});

test('depth: the fast path and cborg stop at the same nesting, for arrays, maps and tags', () => {
  const dec128 = `d907d050${'00'.repeat(16)}`;
  for (const depth of [CBOR_DEPTH_MAX - 1, CBOR_DEPTH_MAX, CBOR_DEPTH_MAX + 1]) {
    agrees(fromHex(`${'81'.repeat(depth)}00`));
    agrees(fromHex(`${'81'.repeat(depth)}80`));
    agrees(fromHex(`${'81'.repeat(depth)}${dec128}`));
    agrees(fromHex(`${'a16161'.repeat(depth)}a0`));
    agrees(fromHex(`${'a101'.repeat(depth)}01`));
  }
  assert.ok(fastDecides(fromHex(`${'81'.repeat(CBOR_DEPTH_MAX)}80`)));
  assert.ok(!fastDecides(fromHex(`${'81'.repeat(CBOR_DEPTH_MAX)}${dec128}`)));
});

test('input size: decodeCanonical refuses past the limit, decodeVerified still reads it', () => {
  const bytes = new Uint8Array(5 + CBOR_INPUT_BYTES_MAX);
  bytes.set([0x5a, ...new Uint8Array(new Uint32Array([CBOR_INPUT_BYTES_MAX]).buffer).reverse()]);
  assert.throws(() => decodeCanonical(bytes), (error: unknown) => error instanceof CborDecodeError && error.code === 'INPUT_TOO_LARGE');
  assert.equal((decodeVerified(bytes) as Uint8Array).length, CBOR_INPUT_BYTES_MAX);
});

// ---- random values ----------------------------------------------------------------------------

const TWO_53 = 2n ** 53n;
const TWO_64 = 2n ** 64n;
const edgeInt = fc.constantFrom(0n, 23n, 24n, 255n, 256n, 65535n, 65536n, 2n ** 32n - 1n, 2n ** 32n, TWO_53 - 2n, TWO_53 - 1n, TWO_53, TWO_53 + 1n, TWO_64 - 1n)
  .chain((n) => fc.constantFrom(n, -n, -1n - n));
const integer: fc.Arbitrary<CborValue> = fc.oneof(fc.maxSafeInteger(), fc.integer({ min: -100, max: 100 }), edgeInt, fc.bigInt({ min: -TWO_64, max: TWO_64 - 1n }))
  .map((n) => (typeof n === 'bigint' && n >= -(TWO_53 - 1n) && n <= TWO_53 - 1n ? Number(n) : n));
// size 'max': fast-check otherwise keeps lengths near 10 whatever the maxLength, and lengths past
// 23 (a longer head) and 32 (text past the decoder's ASCII cache) matter here.
const text = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 40, size: 'max' }), // any code point, astral ones included
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: fc.constantFrom('a', 'é', '€', '😀', '\uFEFF'), maxLength: 8 }),
  fc.string({ maxLength: 60, size: 'max' }),
);
const key = fc.oneof({ weight: 4, arbitrary: fc.string({ maxLength: 10 }) }, fc.constantFrom('__proto__', 'constructor', 'toString', '0', '10', 'hasOwnProperty'), text);
const mapKey: fc.Arbitrary<CborValue> = fc.oneof(integer, text, fc.uint8Array({ maxLength: 6 }));

function objectOf(entries: ReadonlyArray<readonly [string, CborValue]>): CborValue {
  const object: Record<string, CborValue> = {};
  for (const [name, item] of entries) Object.defineProperty(object, name, { value: item, enumerable: true, writable: true, configurable: true });
  return object;
}

function mapOf(entries: ReadonlyArray<readonly [CborValue, CborValue]>): CborValue {
  const seen = new Set<string>();
  const map = new Map<CborValue, CborValue>();
  for (const [name, item] of entries) {
    const identity = toHex(encodeCanonical(name, { selfDescribe: false }));
    if (!seen.has(identity)) map.set(name, item);
    seen.add(identity);
  }
  return map;
}

const value: fc.Arbitrary<CborValue> = fc.letrec<{ value: CborValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(null, true, false), integer, text, fc.uint8Array({ maxLength: 60, size: 'max' }),
    fc.uint8Array({ minLength: 16, maxLength: 16 }).map((bytes) => new Tagged(2000, bytes) as CborValue),
    fc.array(tie('value'), { maxLength: 6 }),
    fc.array(fc.tuple(key, tie('value')), { maxLength: 6 }).map(objectOf),
    // Long enough for a 1-byte count in the head.
    fc.array(integer, { minLength: 20, maxLength: 30 }),
    fc.array(fc.tuple(fc.string({ minLength: 3, maxLength: 5 }), integer), { minLength: 20, maxLength: 30 }).map(objectOf),
    fc.array(fc.tuple(mapKey, tie('value')), { maxLength: 5 }).map(mapOf),
  ),
})).value;

test('property: canonical bytes of any value decode on the fast path to what cborg decodes', () => {
  fc.assert(fc.property(value, fc.boolean(), (item, prefixed) => {
    const bytes = encodeCanonical(item, { selfDescribe: prefixed });
    agrees(bytes);
    assert.equal(fastDecides(bytes), true, `fast path decides ${toHex(bytes)}`);
    if (typeof item === 'string' && item.startsWith('\uFEFF')) assert.equal(decodeCanonical(bytes), item, 'a leading U+FEFF is kept');
  }), { numRuns: 15_000 });
});

test('property: short texts that share bytes are never confused by the text cache', () => {
  const near = fc.array(fc.string({ unit: fc.constantFrom('a', 'b', '\u0000', '~'), maxLength: 34, size: 'max' }), { minLength: 1, maxLength: 40 });
  fc.assert(fc.property(near, (texts) => {
    const bytes = encodeCanonical(texts, { selfDescribe: false });
    assert.deepStrictEqual(decodeCanonical(bytes), texts);
    const last = texts.at(-1) ?? '';
    // The last text alone, ending the data: the cache cannot read a whole last word there.
    assert.deepStrictEqual(decodeCanonical(bytes.subarray(bytes.length - encodeCanonical(last, { selfDescribe: false }).length)), last);
  }), { numRuns: 3_000 });
});

// ---- broken bytes -----------------------------------------------------------------------------

type Edit = readonly [kind: 'set' | 'insert' | 'delete' | 'cut', position: number, byte: number];
const edit: fc.Arbitrary<Edit> = fc.tuple(fc.constantFrom('set', 'set', 'insert', 'delete', 'cut'), fc.nat(), fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0x00, 0x17, 0x18, 0x60, 0x61, 0x80, 0xa0, 0xf6, 0xff)));

function applyEdits(bytes: Uint8Array, edits: readonly Edit[]): Uint8Array {
  let out = Array.from(bytes);
  for (const [kind, position, byte] of edits) {
    const at = out.length === 0 ? 0 : position % out.length;
    if (kind === 'set' && out.length > 0) out[at] = byte;
    else if (kind === 'insert') out.splice(at, 0, byte);
    else if (kind === 'delete') out.splice(at, 1);
    else if (kind === 'cut') out = out.slice(0, at);
  }
  return Uint8Array.from(out);
}

test('property: mutated and truncated canonical bytes: same value or same error', () => {
  fc.assert(fc.property(value, fc.boolean(), fc.array(edit, { minLength: 1, maxLength: 3 }), (item, prefixed, edits) => {
    agrees(applyEdits(encodeCanonical(item, { selfDescribe: prefixed }), edits));
  }), { numRuns: 20_000 });
});

/** Heads of every major type with small arguments, in shortest and longer forms, and bytes that matter to CBOR. */
function headBytes(major: number, argument: number, width: number): number[] {
  const initial = major << 5;
  if (width === 0 && argument < 24) return [initial | argument];
  if (width <= 1 && argument < 0x100) return [initial | 24, argument];
  if (width <= 2 && argument < 0x10000) return [initial | 25, argument >> 8, argument & 0xff];
  if (width <= 4) return [initial | 26, (argument >>> 24) & 0xff, (argument >>> 16) & 0xff, (argument >>> 8) & 0xff, argument & 0xff];
  return [initial | 27, 0, 0, 0, 0, (argument >>> 24) & 0xff, (argument >>> 16) & 0xff, (argument >>> 8) & 0xff, argument & 0xff];
}

const chunk: fc.Arbitrary<readonly number[]> = fc.oneof<Array<fc.WeightedArbitrary<readonly number[]>>>(
  { weight: 6, arbitrary: fc.tuple(fc.integer({ min: 0, max: 7 }), fc.oneof(fc.integer({ min: 0, max: 3 }), fc.constantFrom(23, 24, 255, 256, 2000, 55799, 65536)), fc.constantFrom(0, 0, 0, 1, 2, 4, 8)).map(([major, argument, width]) => headBytes(major, argument, width)) },
  { weight: 2, arbitrary: fc.constantFrom([0x61], [0x62], [0x63], [0x41, 0x01], [0xf4], [0xf6], [0xf7], [0xff], [0x9f], [0xbf], [0x5f], [0xf9, 0, 0], [0x1c], [0xe0], [0xf8, 0x20]) },
  { weight: 2, arbitrary: fc.constantFrom([0x61], [0x62], [0x7a], [0xc3, 0xa9], [0xc3, 0x28], [0xef, 0xbb, 0xbf], [0xed, 0xa0, 0x80], [0xf0, 0x9f, 0x98, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xc0, 0x80]) },
  { weight: 1, arbitrary: fc.constant([0xd9, 0x07, 0xd0, 0x50, ...new Array<number>(16).fill(7)]) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 255 }).map((byte) => [byte]) },
);

test('property: random streams of CBOR heads: same value or same error', () => {
  fc.assert(fc.property(fc.array(chunk, { maxLength: 24 }), fc.boolean(), (chunks, prefixed) => {
    agrees(Uint8Array.from([...(prefixed ? [0xd9, 0xd9, 0xf7] : []), ...chunks.flat()]));
  }), { numRuns: 40_000 });
});

test('property: random bytes: same value or same error', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), agrees), { numRuns: 30_000 });
});
