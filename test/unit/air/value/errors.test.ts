// Goal: every refusal of the typed-value layer has a stable code and a message that names the
// location (file › def › JSON path), what was found and what was expected.
// Method: one bad input per error code, read under a nested path, matched on code and fragments.
import { test } from 'node:test';
import { DEC128_TAG, Tagged } from '../../../../src/cbor/index.ts';
import type { TypeAst } from '../../../../src/air/type-ast.ts';
import { valueFromCbor, valueFromJson } from '../../../../src/air/value/index.ts';
import { expectAirError, schemasOf, T } from './support.ts';

const WHERE = { file: 'air/manifest.air.json', def: 'demo/Plan@1', path: '.params' };
const schemas = schemasOf({ 'demo/Loop@1': { ref: 'demo/Loop2@1' }, 'demo/Loop2@1': { ref: 'demo/Loop@1' }, 'demo/Deep@1': { option: { ref: 'demo/Deep@1' } } });

/** A record of items whose `when` field has the given type: errors land at `.params.items[2].when`. */
function nested(type: TypeAst): TypeAst {
  return { record: { items: { list: { record: { when: type } } } } };
}

function readAt(type: TypeAst, bad: unknown): () => unknown {
  return () => valueFromJson({ items: [{ when: goodFor(type) }, { when: goodFor(type) }, { when: bad }] }, nested(type), schemas, WHERE);
}

function goodFor(type: TypeAst): unknown {
  return valueFromJson(null, { option: type }, schemas, {});
}

const AT = 'air/manifest.air.json › demo/Plan@1 › .params.items[2].when';

test('VALUE_MISMATCH: the wrong JSON shape', () => {
  expectAirError(readAt({ option: T.time }, true), 'VALUE_MISMATCH', [AT, 'found true', 'expected a time']);
  expectAirError(readAt({ option: T.nat }, 1.5), 'VALUE_MISMATCH', [AT, 'found the number 1.5', 'expected a nat']);
  expectAirError(readAt({ option: { list: T.nat } }, { a: 1 }), 'VALUE_MISMATCH', [AT, 'found an object with key "a"', 'an array']);
  expectAirError(readAt({ option: { map: { key: T.nat, value: T.nat } } }, { 1: 1 }), 'VALUE_MISMATCH', [AT, 'keyed by nat: [[key, value], …] pairs']);
  expectAirError(readAt({ option: T.nat }, 'twelve'), 'VALUE_MISMATCH', [AT, 'found the text "twelve"']);
  expectAirError(() => valueFromCbor(new Map([[1, 2]]), { record: {} }, schemas, WHERE), 'VALUE_MISMATCH', ['.params', 'a map of 1 entries', 'a record with no fields']);
});

test('OUT_OF_RANGE: integers, times and decimals beyond their kind', () => {
  expectAirError(readAt({ option: T.nat }, -1), 'OUT_OF_RANGE', [AT, 'found -1', 'a nat is an integer from 0 to 18446744073709551615']);
  expectAirError(readAt({ option: T.int }, '9223372036854775808'), 'OUT_OF_RANGE', [AT, 'found 9223372036854775808', 'from -9223372036854775808']);
  expectAirError(readAt({ option: T.nat }, 2 ** 60), 'OUT_OF_RANGE', [AT, 'beyond 2^53', 'string of digits']);
  expectAirError(readAt({ option: T.time }, '1969-12-31T23:59:59Z'), 'OUT_OF_RANGE', [AT, 'a time lies from 1970-01-01T00:00:00Z']);
  expectAirError(readAt({ option: T.dec128 }, '1e7000'), 'OUT_OF_RANGE', [AT, '"1e7000" is too large']);
});

test('BAD_DECIMAL, BAD_BASE64, BAD_TEXT, BAD_TIME, BAD_HASH, BAD_UUID: malformed text', () => {
  expectAirError(readAt({ option: T.dec128 }, '1,5'), 'BAD_DECIMAL', [AT, 'found "1,5", which is not a decimal']);
  expectAirError(readAt({ option: T.bytes }, 'AQ-D'), 'BAD_BASE64', [AT, 'character "-" at position 2', 'URL-safe']);
  expectAirError(readAt({ option: T.bytes }, 'AQI'), 'BAD_BASE64', [AT, 'found 3 characters', 'groups of 4']);
  expectAirError(readAt({ option: T.bytes }, 'AQ=I'), 'BAD_BASE64', [AT, 'found "=" before the end']);
  expectAirError(readAt({ option: T.bytes }, 'AR=='), 'BAD_BASE64', [AT, 'unused low bits']);
  expectAirError(readAt({ option: T.text }, 'a\uD800b'), 'BAD_TEXT', [AT, 'lone surrogate U+D800 at index 1']);
  expectAirError(readAt({ option: T.time }, 'yesterday'), 'BAD_TIME', [AT, 'found "yesterday"', 'RFC 3339']);
  expectAirError(readAt({ option: T.time }, '2026-02-29T00:00:00Z'), 'BAD_TIME', [AT, 'day 29 does not exist in 2026-02']);
  expectAirError(readAt({ option: T.time }, '2026-01-01T00:00:00.0000000001Z'), 'BAD_TIME', [AT, '10 fractional digits']);
  expectAirError(readAt({ option: T.time }, '2026-06-30T23:59:60Z'), 'BAD_TIME', [AT, 'leap second']);
  expectAirError(readAt({ option: T.time }, '2026-01-01T00:00:00'), 'BAD_TIME', [AT, 'not an RFC 3339 timestamp']);
  expectAirError(readAt({ option: T.hash }, `sha256:${'AB'.repeat(32)}`), 'BAD_HASH', [AT, 'uppercase hex digits']);
  expectAirError(readAt({ option: T.hash }, 'sha256:abc'), 'BAD_HASH', [AT, 'has 3 hex digits']);
  expectAirError(readAt({ option: T.uuid }, '123e4567e89b12d3a456426614174000'), 'BAD_UUID', [AT, 'is not a uuid']);
  expectAirError(() => valueFromCbor(new Tagged(DEC128_TAG, new Uint8Array(16).fill(0x7c)), T.dec128, schemas, WHERE), 'BAD_DECIMAL', ['.params', 'infinity or a NaN']);
});

test('MISSING_FIELD and UNKNOWN_FIELD name the field', () => {
  const type: TypeAst = { option: { record: { at: T.time, note: { option: T.text } } } };
  expectAirError(readAt(type, {}), 'MISSING_FIELD', [`${AT}.at`, 'the field "at" is missing', 'only option fields may be left out']);
  expectAirError(readAt(type, { at: 1, extra: 2 }), 'UNKNOWN_FIELD', [`${AT}.extra`, 'undeclared field "extra"', 'fields "at", "note"']);
  expectAirError(readAt({ option: { variant: { A: T.nat } } }, { $tag: 'A' }), 'MISSING_FIELD', [`${AT}.$value`, '"A" carries a value']);
  expectAirError(readAt({ option: { variant: { A: T.nat } } }, { $tag: 'A', $value: 1, more: 1 }), 'UNKNOWN_FIELD', [`${AT}.more`, '"$tag" and "$value"']);
});

test('UNKNOWN_VARIANT names the allowed tags', () => {
  expectAirError(readAt({ option: { variant: { Ok: T.unit, Err: T.text } } }, { Maybe: 1 }), 'UNKNOWN_VARIANT', [AT, 'found the tag "Maybe"', 'one of "Ok", "Err"']);
  expectAirError(readAt({ option: { variant: { Ok: T.unit } } }, { variant: { tag: 'No' } }), 'UNKNOWN_VARIANT', [AT, '"No"']);
});

test('DUPLICATE_MAP_KEY after canonicalisation, BAD_MAP_KEY for a key type maps cannot have', () => {
  const uuidMap: TypeAst = { option: { map: { key: T.uuid, value: T.nat } } };
  const key = 'a0000000-0000-0000-0000-00000000000a';
  expectAirError(readAt(uuidMap, [[key, 1], [key.toUpperCase(), 2]]), 'DUPLICATE_MAP_KEY', [AT, `the key the text "${key}" appears more than once`]);
  expectAirError(readAt({ option: { map: { key: T.nat, value: T.nat } } }, [[1, 1], ['1', 2]]), 'DUPLICATE_MAP_KEY', [AT, 'the integer 1']);
  expectAirError(readAt({ option: { map: { key: T.bool, value: T.nat } } }, []), 'BAD_MAP_KEY', [AT, 'key type is bool']);
});

test('DANGLING_REF, RECURSIVE_SCHEMA, VALUE_TOO_DEEP: schemas a value cannot be read through', () => {
  expectAirError(readAt({ option: { ref: 'demo/Missing@1' } }, 1), 'DANGLING_REF', [AT, '"demo/Missing@1", which is not defined']);
  expectAirError(readAt({ option: { ref: 'demo/Loop@1' } }, 1), 'RECURSIVE_SCHEMA', [AT, 'demo/Loop@1 → demo/Loop2@1 → demo/Loop@1']);
  expectAirError(readAt({ option: { ref: 'demo/Deep@1' } }, 1), 'VALUE_TOO_DEEP', [AT, 'deeper than 128 levels']);
});

test('UNKNOWN_KIND and SCHEMA_VIOLATION: a malformed type', () => {
  expectAirError(readAt({ option: { float: {} } as unknown as TypeAst }, 1), 'UNKNOWN_KIND', [AT, 'key "float"', 'expected exactly one of bool']);
  expectAirError(readAt({ option: { nat: { max: 3 } } as unknown as TypeAst }, 1), 'SCHEMA_VIOLATION', [AT, 'written {"nat": {}}']);
});
