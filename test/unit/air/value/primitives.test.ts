// Goal: every primitive kind reads the same value from every accepted spelling in both lenses,
// writes each lens back, and both lenses give identical canonical CBOR bytes and hashes.
// Method: a table per kind of (sugar spellings, canonical spelling, expected value, expected
// sugar output), checked through valueFromJson, valueToSugarJson and valueToCanonicalJson.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEC128_TAG, Tagged } from '../../../../src/cbor/index.ts';
import type { CborValue, Hash } from '../../../../src/cbor/index.ts';
import type { TypeAst } from '../../../../src/air/type-ast.ts';
import { encodeDec128, hashTypedValue, schemaHash, valueFromCbor, valueFromJson, valueToCanonicalJson, valueToSugarJson } from '../../../../src/air/value/index.ts';
import { assertSameBytes, schemasOf, T } from './support.ts';

interface Case {
  readonly type: TypeAst;
  readonly sugar: readonly unknown[];
  readonly canonical: unknown;
  readonly value: CborValue;
  readonly sugarOut: unknown;
}

const HASH = `sha256:${'ab'.repeat(32)}`;
const UUID = '123e4567-e89b-12d3-a456-426614174000';
const NS_2026 = 1_767_225_600_000_000_000n; // 2026-01-01T00:00:00Z

const CASES: readonly Case[] = [
  { type: T.bool, sugar: [true], canonical: { bool: true }, value: true, sugarOut: true },
  { type: T.int, sugar: [-5, '-5', -5n], canonical: { int: -5 }, value: -5, sugarOut: -5 },
  { type: T.int, sugar: ['-9223372036854775808', -(2n ** 63n)], canonical: { int: '-9223372036854775808' }, value: -(2n ** 63n), sugarOut: -(2n ** 63n) },
  { type: T.nat, sugar: [42, '42', 42n], canonical: { nat: 42 }, value: 42, sugarOut: 42 },
  { type: T.nat, sugar: ['18446744073709551615'], canonical: { nat: 18446744073709551615n }, value: 2n ** 64n - 1n, sugarOut: 2n ** 64n - 1n },
  { type: T.nat, sugar: [9007199254740991], canonical: { nat: '9007199254740991' }, value: 9007199254740991, sugarOut: 9007199254740991 },
  { type: T.dec128, sugar: ['1.50', '15e-1'], canonical: { dec128: '1.5' }, value: new Tagged(DEC128_TAG, encodeDec128('1.5')), sugarOut: '1.5' },
  { type: T.bytes, sugar: ['AQID'], canonical: { bytes_b64: 'AQID' }, value: Uint8Array.of(1, 2, 3), sugarOut: 'AQID' },
  { type: T.bytes, sugar: [''], canonical: { bytes_b64: '' }, value: new Uint8Array(), sugarOut: '' },
  { type: T.text, sugar: ['héllo 👋'], canonical: { text: 'héllo 👋' }, value: 'héllo 👋', sugarOut: 'héllo 👋' },
  {
    type: T.time,
    sugar: ['2026-01-01T00:00:00Z', '2026-01-01T01:00:00+01:00', '2025-12-31T23:00:00.000000000-01:00', NS_2026, NS_2026.toString()],
    canonical: { time_ns: NS_2026 }, value: NS_2026, sugarOut: '2026-01-01T00:00:00Z',
  },
  { type: T.time, sugar: ['1970-01-01T00:00:00.000000001Z', 1], canonical: { time_ns: 1 }, value: 1, sugarOut: '1970-01-01T00:00:00.000000001Z' },
  { type: T.duration, sugar: [-1_000, '-1000'], canonical: { duration_ns: -1000 }, value: -1000, sugarOut: -1000 },
  { type: T.hash, sugar: [HASH], canonical: { hash: HASH }, value: HASH, sugarOut: HASH },
  { type: T.uuid, sugar: [UUID, UUID.toUpperCase()], canonical: { uuid: UUID.toUpperCase() }, value: UUID, sugarOut: UUID },
  { type: T.unit, sugar: [null, {}], canonical: { null: {} }, value: null, sugarOut: null },
];

test('every spelling of a primitive reads to its canonical value', () => {
  const schemas = schemasOf();
  for (const { type, sugar, canonical, value } of CASES) {
    for (const json of sugar) assert.deepEqual(valueFromJson(json, type, schemas, {}), value, `${JSON.stringify(type)} sugar ${String(json)}`);
    assert.deepEqual(valueFromJson(canonical, type, schemas, {}), value, `${JSON.stringify(type)} canonical`);
  }
});

test('a primitive writes each lens, and both lenses read back to the same bytes and hash', () => {
  const schemas = schemasOf();
  for (const { type, value, sugarOut } of CASES) {
    const sugar = valueToSugarJson(value, type, schemas);
    const canonical = valueToCanonicalJson(value, type, schemas);
    assert.deepEqual(sugar, sugarOut, `${JSON.stringify(type)} sugar out`);
    const fromSugar = valueFromJson(sugar, type, schemas, {});
    const fromCanonical = valueFromJson(canonical, type, schemas, {});
    assertSameBytes(fromSugar, fromCanonical, JSON.stringify(type));
    const schema: Hash = schemaHash(type, schemas, {});
    assert.equal(hashTypedValue(fromSugar, schema), hashTypedValue(fromCanonical, schema));
    assert.deepEqual(valueFromCbor(value, type, schemas, {}), value, `${JSON.stringify(type)} is already canonical`);
  }
});

test('the schema is bound into the hash: nat 1 and int 1 have equal bytes but different typed hashes', () => {
  const schemas = schemasOf();
  const natHash = hashTypedValue(valueFromJson(1, T.nat, schemas, {}), schemaHash(T.nat, schemas, {}));
  const intHash = hashTypedValue(valueFromJson(1, T.int, schemas, {}), schemaHash(T.int, schemas, {}));
  assert.notEqual(natHash, intHash);
});

test('int and nat limits are exact at both ends', () => {
  const schemas = schemasOf();
  assert.equal(valueFromJson('9223372036854775807', T.int, schemas, {}), 2n ** 63n - 1n);
  assert.equal(valueFromJson('0', T.nat, schemas, {}), 0);
  assert.equal(valueFromJson(Number.MIN_SAFE_INTEGER, T.int, schemas, {}), Number.MIN_SAFE_INTEGER);
  assert.equal(valueFromJson(-0, T.int, schemas, {}), 0);
  assert.equal(valueFromJson('2554-07-21T23:34:33.709551615Z', T.time, schemas, {}), 2n ** 64n - 1n);
  assert.equal(valueToSugarJson(2n ** 64n - 1n, T.time, schemas), '2554-07-21T23:34:33.709551615Z');
});

test('time: leap days and offsets are honoured', () => {
  const schemas = schemasOf();
  assert.equal(valueToSugarJson(valueFromJson('2024-02-29T12:00:00-05:30', T.time, schemas, {}), T.time, schemas), '2024-02-29T17:30:00Z');
  assert.equal(valueToSugarJson(valueFromJson('2000-02-29t00:00:00.5z', T.time, schemas, {}), T.time, schemas), '2000-02-29T00:00:00.5Z');
});
