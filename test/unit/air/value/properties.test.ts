// Goal: for random types and values, both lenses and canonical CBOR round-trip to the same
// value and bytes; and any input, JSON or CBOR data, gives a canonical value or an AirError.
// Method: fast-check (seeded; a failure prints its seed and path) over random TypeASTs
// (arbitraries.ts), values generated for them, and arbitrary or mistyped JSON.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeCanonical, encodeCanonical, parseJsonExact } from '../../../../src/cbor/index.ts';
import type { CborValue } from '../../../../src/cbor/index.ts';
import { AirError } from '../../../../src/air/errors.ts';
import type { TypeAst } from '../../../../src/air/type-ast.ts';
import { hashTypedValue, schemaHash, valueFromCbor, valueFromJson, valueToCanonicalJson, valueToSugarJson } from '../../../../src/air/value/index.ts';
import { arbitraryType, arbitraryValue, toJsonText } from './arbitraries.ts';
import { assertSameBytes, schemasOf } from './support.ts';

const schemas = schemasOf();
const typedValue = arbitraryType.chain((type) => fc.tuple(fc.constant(type), arbitraryValue(type)));

test('random typed values round-trip through both lenses, JSON text and canonical CBOR', () => {
  fc.assert(fc.property(typedValue, ([type, raw]) => {
    const value = valueFromCbor(raw, type, schemas, {});
    assert.deepEqual(valueFromCbor(value, type, schemas, {}), value, 'canonical is a fixed point');
    const sugar = valueToSugarJson(value, type, schemas);
    const canonical = valueToCanonicalJson(value, type, schemas);
    const fromSugar = valueFromJson(parseJsonExact(toJsonText(sugar)), type, schemas, {});
    const fromCanonical = valueFromJson(parseJsonExact(toJsonText(canonical)), type, schemas, {});
    assert.deepEqual(fromSugar, value);
    assert.deepEqual(fromCanonical, value);
    assertSameBytes(fromSugar, fromCanonical, 'both lenses');
    const decoded = valueFromCbor(decodeCanonical(encodeCanonical(value)), type, schemas, {});
    assert.deepEqual(decoded, value);
    const schema = schemaHash(type, schemas, {});
    assert.equal(hashTypedValue(decoded, schema), hashTypedValue(fromSugar, schema));
  }), { numRuns: 5_000 });
});

/** Accepts a canonical value or an AirError; anything else fails the property. */
function valueOrAirError(read: () => CborValue, type: TypeAst): void {
  let value: CborValue;
  try {
    value = read();
  } catch (error) {
    assert.ok(error instanceof AirError, `not an AirError: ${String(error)}`);
    return;
  }
  assert.deepEqual(valueFromCbor(value, type, schemas, {}), value, 'the result is canonical');
  encodeCanonical(value);
}

const jsonish: fc.Arbitrary<unknown> = fc.letrec<{ json: unknown }>((tie) => ({
  json: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(null, true, false, 0, -1, 1.5, 2 ** 60, '', 'a', '42', 'AQID', '1.5', '2026-01-01T00:00:00Z', {}, [], { null: {} }),
    fc.bigInt(-(2n ** 70n), 2n ** 70n),
    fc.string({ maxLength: 8 }),
    fc.array(tie('json'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('a', 'b', 'record', 'variant', 'map', 'list', 'set', 'null', 'nat', 'text', '$tag', '$value', 'tag', 'value', 'key'), tie('json'), { maxKeys: 3 }),
  ),
})).json;

test('any JSON read as any type gives a canonical value or an AirError', () => {
  fc.assert(fc.property(arbitraryType, fc.oneof(fc.jsonValue({ maxDepth: 3 }), jsonish), (type, json) => {
    valueOrAirError(() => valueFromJson(json, type, schemas, {}), type);
  }), { numRuns: 6_000 });
});

test('the lenses of one type read as another type give a value or an AirError', () => {
  fc.assert(fc.property(typedValue, arbitraryType, fc.boolean(), ([type, raw], otherType, sugar) => {
    const value = valueFromCbor(raw, type, schemas, {});
    const json = sugar ? valueToSugarJson(value, type, schemas) : valueToCanonicalJson(value, type, schemas);
    valueOrAirError(() => valueFromJson(json, otherType, schemas, {}), otherType);
    valueOrAirError(() => valueFromCbor(value, otherType, schemas, {}), otherType);
  }), { numRuns: 6_000 });
});

test('any CBOR data checked as any type gives a canonical value or an AirError', () => {
  const cborish = fc.oneof(fc.jsonValue({ maxDepth: 3 }), jsonish, fc.uint8Array({ maxLength: 16 }), typedValue.map(([, raw]) => raw)) as fc.Arbitrary<CborValue>;
  fc.assert(fc.property(arbitraryType, cborish, (type, value) => {
    valueOrAirError(() => valueFromCbor(value, type, schemas, {}), type);
  }), { numRuns: 4_000 });
});
