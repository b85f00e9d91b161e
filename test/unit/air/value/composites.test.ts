// Goal: records, variants, lists, sets, maps, options and refs read every accepted spelling,
// canonicalise (sets sorted and deduplicated, map keys canonical, none explicit), write both
// lenses, and give identical bytes from either lens; the ambiguity rule's edge cases round-trip.
// Method: hand-written cases per kind, then the ambiguous shapes the rule documents.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeCanonical, encodeCanonical } from '../../../../src/cbor/index.ts';
import type { CborValue } from '../../../../src/cbor/index.ts';
import type { TypeAst } from '../../../../src/air/type-ast.ts';
import { valueFromCbor, valueFromJson, valueToCanonicalJson, valueToSugarJson } from '../../../../src/air/value/index.ts';
import { assertSameBytes, schemasOf, T } from './support.ts';

const schemas = schemasOf({
  'demo/Status@1': { variant: { Ok: { unit: {} }, Err: { text: {} }, Later: { option: { nat: {} } } } },
  'demo/Alias@1': { ref: 'demo/Status@1' },
});

/** Reads each spelling, compares with `value`, then round-trips both lenses and CBOR. */
function check(type: TypeAst, spellings: readonly unknown[], value: CborValue): void {
  for (const json of spellings) assert.deepEqual(valueFromJson(json, type, schemas, {}), value, JSON.stringify(json, bigints));
  roundTrips(type, value);
}

function roundTrips(type: TypeAst, value: CborValue): void {
  const sugar = valueToSugarJson(value, type, schemas);
  const canonical = valueToCanonicalJson(value, type, schemas);
  const fromSugar = valueFromJson(sugar, type, schemas, {});
  const fromCanonical = valueFromJson(canonical, type, schemas, {});
  assert.deepEqual(fromSugar, value, `sugar ${JSON.stringify(sugar, bigints)}`);
  assert.deepEqual(fromCanonical, value, `canonical ${JSON.stringify(canonical, bigints)}`);
  assertSameBytes(fromSugar, fromCanonical, 'both lenses');
  assert.deepEqual(valueFromCbor(decodeCanonical(encodeCanonical(value)), type, schemas, {}), value, 'through CBOR bytes');
  assert.deepEqual(valueToSugarJson(fromSugar, type, schemas), sugar, 'sugar is a fixed point');
}

function bigints(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? `${value}n` : value;
}

test('record: declared fields only; missing option fields are none', () => {
  const type: TypeAst = { record: { name: T.text, age: { option: T.nat }, tags: { option: { set: T.text } } } };
  check(type, [
    { name: 'a' },
    { name: 'a', age: null },
    { record: { name: { text: 'a' }, age: { null: {} } } },
    { record: { name: 'a' } },
  ], { name: 'a', age: null, tags: null });
  check(type, [{ name: 'a', age: 3, tags: ['y', 'x', 'y'] }, { record: { name: { text: 'a' }, age: { nat: 3 }, tags: { set: [{ text: 'x' }, { text: 'y' }] } } }],
    { name: 'a', age: 3, tags: ['x', 'y'] });
  check({ record: {} }, [{}, { record: {} }], {});
});

test('variant: {"Tag": v}, "Tag", {"$tag", "$value"} and the canonical envelope', () => {
  const type: TypeAst = { ref: 'demo/Alias@1' };
  check(type, ['Ok', { Ok: null }, { Ok: {} }, { $tag: 'Ok' }, { variant: { tag: 'Ok' } }, { variant: { tag: 'Ok', value: { null: {} } } }], { $tag: 'Ok' });
  check(type, [{ Err: 'boom' }, { $tag: 'Err', $value: 'boom' }, { variant: { tag: 'Err', value: { text: 'boom' } } }], { $tag: 'Err', $value: 'boom' });
  check(type, [{ Later: null }, { variant: { tag: 'Later', value: { null: {} } } }], { $tag: 'Later', $value: null });
  check(type, [{ Later: 5 }, { Later: { nat: 5 } }], { $tag: 'Later', $value: 5 });
  assert.deepEqual(valueToSugarJson({ $tag: 'Ok' }, type, schemas), 'Ok');
  assert.deepEqual(valueToCanonicalJson({ $tag: 'Err', $value: 'x' }, type, schemas), { variant: { tag: 'Err', value: { text: 'x' } } });
  // CBOR from a module may carry `$value: null` for a unit alternative; the canonical form drops it.
  assert.deepEqual(valueFromCbor({ $tag: 'Ok', $value: null }, type, schemas, {}), { $tag: 'Ok' });
});

test('list keeps order and duplicates; set sorts by canonical bytes and deduplicates', () => {
  check({ list: T.int }, [[3, 1, 3], { list: [{ int: 3 }, 1, { int: 3 }] }], [3, 1, 3]);
  // Bytewise order of the encodings: 1 (01) < 24 (18 18) < 1000 (19 03 e8) < -1 (20).
  check({ set: T.int }, [[1000, 24, -1, 1, 24], { set: [{ int: 1 }, { int: -1 }, { int: 24 }, { int: 1000 }] }], [1, 24, 1000, -1]);
  check({ set: T.text }, [['b', 'a', 'aa', 'a']], ['a', 'b', 'aa']);
  check({ set: T.uuid }, [['A0000000-0000-0000-0000-000000000000', 'a0000000-0000-0000-0000-000000000000']], ['a0000000-0000-0000-0000-000000000000']);
});

test('map: text keys as an object, other keys as a Map; both lenses and the pair form', () => {
  const textMap: TypeAst = { map: { key: T.text, value: T.nat } };
  const objectValue = { b: 2, a: 1 };
  check(textMap, [{ a: 1, b: 2 }, [['b', 2], ['a', 1]], { map: [{ key: { text: 'b' }, value: { nat: 2 } }, { key: 'a', value: 1 }] }], objectValue);
  const natMap: TypeAst = { map: { key: T.nat, value: T.text } };
  check(natMap, [[[10, 'ten'], ['2', 'two']], { map: [{ key: { nat: 2 }, value: { text: 'two' } }, { key: { nat: 10 }, value: { text: 'ten' } }] }],
    new Map<CborValue, CborValue>([[2, 'two'], [10, 'ten']]));
  const uuidMap: TypeAst = { map: { key: T.uuid, value: T.bool } };
  const key = 'c0000000-0000-0000-0000-00000000000c';
  check(uuidMap, [[[key.toUpperCase(), true]]], new Map<CborValue, CborValue>([[key, true]]));
  check({ map: { key: T.hash, value: T.unit } }, [[]], new Map());
  check(textMap, [{}, [], { map: [] }], {});
});

test('option: none is null or {"null": {}}; some is the value itself; refs resolve', () => {
  const type: TypeAst = { option: { ref: 'demo/Status@1' } };
  check(type, [null, { null: {} }], null);
  check(type, ['Ok', { variant: { tag: 'Ok' } }], { $tag: 'Ok' });
  check({ list: { option: T.nat } }, [[1, null, { nat: 2 }, { null: {} }]], [1, null, 2, null]);
});

test('ambiguous shapes: sugar output avoids them, and each reads back to its value', () => {
  // A record whose only field is named "record": its sugar would read as the canonical lens.
  const recordRecord: TypeAst = { record: { record: { record: { x: T.nat } } } };
  assert.deepEqual(valueFromJson({ record: { record: { x: 1 } } }, recordRecord, schemas, {}), { record: { x: 1 } });
  roundTrips(recordRecord, { record: { x: 1 } });
  assert.deepEqual(valueToSugarJson({ record: { x: 1 } }, recordRecord, schemas), { record: { record: { record: { x: { nat: 1 } } } } });
  // A text-keyed map whose only key is "map" is written as pairs.
  const textMap: TypeAst = { map: { key: T.text, value: T.nat } };
  assert.deepEqual(valueToSugarJson({ map: 1 }, textMap, schemas), [['map', 1]]);
  roundTrips(textMap, { map: 1 });
  // Alternatives named "variant" and "$tag" are written in the $tag form.
  const odd: TypeAst = { variant: { variant: T.nat, $tag: T.text, $value: T.bool, plain: T.unit } };
  for (const value of [{ $tag: 'variant', $value: 1 }, { $tag: '$tag', $value: 'x' }, { $tag: '$value', $value: true }, { $tag: 'plain' }]) roundTrips(odd, value);
  assert.deepEqual(valueToSugarJson({ $tag: 'variant', $value: 1 }, odd, schemas), { $tag: 'variant', $value: 1 });
  // A some-value whose sugar is {"null": {}} would read as none: written canonically.
  const optionOfRecord: TypeAst = { option: { record: { null: { record: {} } } } };
  assert.equal(valueFromJson({ null: {} }, optionOfRecord, schemas, {}), null);
  roundTrips(optionOfRecord, { null: {} });
  assert.deepEqual(valueToSugarJson({ null: {} }, optionOfRecord, schemas), { record: { null: { record: {} } } });
  // Field names that are also Object.prototype members are fields like any other.
  const protoNames = JSON.parse('{"record": {"__proto__": {"nat": {}}, "constructor": {"option": {"text": {}}}, "toString": {"option": {"text": {}}}}}') as TypeAst;
  roundTrips(protoNames, JSON.parse('{"__proto__": 1, "constructor": null, "toString": "x"}') as CborValue);
});

test('CBOR decoded as Maps (any non-text key makes every map a Map) reads as records and variants', () => {
  const type: TypeAst = { map: { key: T.nat, value: { record: { status: { ref: 'demo/Status@1' } } } } };
  const value = new Map<CborValue, CborValue>([[1, { status: { $tag: 'Err', $value: 'x' } }]]);
  const decoded = decodeCanonical(encodeCanonical(value));
  assert.ok(decoded instanceof Map && decoded.get(1) instanceof Map, 'the decoder produced nested Maps');
  assert.deepEqual(valueFromCbor(decoded, type, schemas, {}), value);
});
