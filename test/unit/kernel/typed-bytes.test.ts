// Goal: canonicalTyped gives the same bytes, value and errors whether the typed-bytes checker
// vouches for the input (fast path) or not (decode → check → encode), and its fast-path result
// never aliases the caller's bytes.
// Method: fixed schemas and inputs on both paths, each compared with the full path computed directly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CborError, decodeCanonical, encodeCanonical, fromHex, toHex } from '../../../src/cbor/index.ts';
import { AirError, typedBytesChecker, valueFromCbor } from '../../../src/air/index.ts';
import type { SchemaResolver, TypeAst } from '../../../src/air/index.ts';
import { canonicalTyped } from '../../../src/kernel/typed-bytes.ts';

const TABLE: Record<string, TypeAst> = {
  'x/Cell@1': { record: { cell: { text: {} }, inc: { nat: {} }, note: { option: { text: {} } } } },
  'x/Keyed@1': { map: { key: { int: {} }, value: { record: { at: { time: {} } } } } },
  'x/Unit@1': { unit: {} },
};
const schemas: SchemaResolver = { resolve: (name) => (Object.hasOwn(TABLE, name) ? TABLE[name] : undefined) };

function fullPath(bytes: Uint8Array, schema: string) {
  const value = valueFromCbor(decodeCanonical(bytes), { ref: schema }, schemas, { path: 'value' });
  return { bytes: encodeCanonical(value, { selfDescribe: false }), value };
}

const CANONICAL: ReadonlyArray<readonly [string, string]> = [
  ['x/Cell@1', toHex(encodeCanonical({ cell: 'c1', inc: 7, note: null }, { selfDescribe: false }))],
  ['x/Keyed@1', toHex(encodeCanonical(new Map([[1, { at: 5 }], [-2, { at: 2n ** 63n }]]), { selfDescribe: false }))],
  ['x/Unit@1', 'f6'],
];

test('fast path: a fresh copy of the bytes, and the value the full path gives, decoded on first read', () => {
  for (const [schema, hex] of CANONICAL) {
    const input = Buffer.from(fromHex(hex));
    assert.equal(typedBytesChecker({ ref: schema }, schemas)(input), true, schema);
    const typed = canonicalTyped(input, schema, schemas, 'value');
    assert.equal(toHex(typed.bytes), hex, schema);
    assert.notEqual(typed.bytes.buffer, input.buffer, 'does not alias the input');
    assert.equal(Object.getPrototypeOf(typed.bytes), Uint8Array.prototype, 'a plain Uint8Array, as the encoder returns');
    input.fill(0);
    assert.equal(toHex(typed.bytes), hex, 'unchanged when the caller reuses its buffer');
    assert.deepEqual(typed.value, fullPath(fromHex(hex), schema).value, schema);
    assert.equal(typed.value, typed.value, 'decoded once');
    assert.deepEqual(Object.keys(typed), ['bytes', 'value'], 'the same own properties as the full path\'s result');
    assert.deepEqual({ ...typed }.value, typed.value, 'spreads like a plain result');
  }
});

test('full path: non-canonical input gives the canonical bytes and value, as before', () => {
  const loose = encodeCanonical({ cell: 'c1', inc: 7 }, { selfDescribe: false }); // note left out
  const typed = canonicalTyped(loose, 'x/Cell@1', schemas, 'value');
  assert.equal(toHex(typed.bytes), CANONICAL[0]?.[1]);
  assert.deepEqual(typed.value, { cell: 'c1', inc: 7, note: null });
});

test('refusals are the full path\'s, unchanged', () => {
  const cases: ReadonlyArray<readonly [string, string]> = [
    ['x/Cell@1', 'a0'], // fields missing: AirError
    ['x/Cell@1', 'a26463656c6c616163696e6307'], // keys out of order: CborError
    ['x/Keyed@1', 'a1011bffffffffffffffff'], // value is not a record
    ['x/Missing@1', '01'], // dangling schema
  ];
  for (const [schema, hex] of cases) {
    let expected: unknown;
    try {
      fullPath(fromHex(hex), schema);
    } catch (error) {
      expected = error;
    }
    assert.ok(expected instanceof AirError || expected instanceof CborError, hex);
    assert.throws(() => canonicalTyped(fromHex(hex), schema, schemas, 'value'), (error: unknown) => {
      assert.ok(error instanceof Error && expected instanceof Error);
      assert.equal(error.constructor, expected.constructor);
      assert.equal(error.message, expected.message);
      return true;
    }, hex);
  }
});
