// Goal: expandType replaces refs by their definitions, drops $comment, and refuses cycles, deep
// and huge expansions with named codes; schemaHash depends only on the expanded type.
// Method: small schema tables, including a doubling chain that would expand to 2^n nodes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashValue } from '../../../../src/cbor/index.ts';
import type { TypeAst } from '../../../../src/air/type-ast.ts';
import { TYPE_DEPTH_MAX } from '../../../../src/air/limits.ts';
import { expandType, schemaHash } from '../../../../src/air/value/index.ts';
import { expectAirError, schemasOf, T } from './support.ts';

test('refs are replaced by their definitions, annotations dropped', () => {
  const schemas = schemasOf({
    'a/Point@1': { record: { x: T.int, y: { int: {}, $comment: 'the y axis' } as TypeAst } },
    'a/Alias@1': { ref: 'a/Point@1' },
  });
  const expanded = expandType({ map: { key: T.text, value: { list: { ref: 'a/Alias@1' } } } }, schemas, {});
  assert.deepEqual(expanded, { map: { key: T.text, value: { list: { record: { x: T.int, y: T.int } } } } });
  assert.equal(schemaHash({ ref: 'a/Alias@1' }, schemas, {}), schemaHash({ record: { x: T.int, y: T.int } }, schemas, {}));
  assert.equal(schemaHash(T.nat, schemas, {}), hashValue({ nat: {} }));
  assert.notEqual(schemaHash(T.nat, schemas, {}), schemaHash(T.int, schemas, {}));
});

test('the upstream defschema vector expands to itself', () => {
  const point: TypeAst = { record: { x: T.int, y: T.int } };
  assert.deepEqual(expandType(point, schemasOf(), {}), point);
});

test('a cycle is RECURSIVE_SCHEMA and names it', () => {
  const schemas = schemasOf({
    'a/A@1': { record: { b: { ref: 'a/B@1' } } },
    'a/B@1': { option: { ref: 'a/A@1' } },
  });
  expectAirError(() => expandType({ ref: 'a/A@1' }, schemas, { def: 'a/A@1', path: '.type' }), 'RECURSIVE_SCHEMA', ['a/A@1 › .type', 'a/A@1 → a/B@1 → a/A@1']);
});

test('depth beyond TYPE_DEPTH_MAX is TYPE_TOO_DEEP (ref hops count)', () => {
  let deep: TypeAst = T.nat;
  for (let level = 1; level < TYPE_DEPTH_MAX; level += 1) deep = { list: deep };
  expandType(deep, schemasOf(), {});
  expectAirError(() => expandType({ list: deep }, schemasOf(), { path: '.type' }), 'TYPE_TOO_DEEP', ['.type', `deeper than ${TYPE_DEPTH_MAX} levels`]);
  expectAirError(() => expandType({ ref: 'a/Deep@1' }, schemasOf({ 'a/Deep@1': deep }), {}), 'TYPE_TOO_DEEP', [`deeper than ${TYPE_DEPTH_MAX}`]);
});

test('an expansion past TYPE_NODES_MAX is TYPE_TOO_LARGE, and is found without building it', () => {
  const table: Record<string, TypeAst> = { 'a/S0@1': T.nat };
  for (let level = 1; level <= 20; level += 1) table[`a/S${level}@1`] = { record: { l: { ref: `a/S${level - 1}@1` }, r: { ref: `a/S${level - 1}@1` } } };
  expectAirError(() => expandType({ ref: 'a/S20@1' }, schemasOf(table), {}), 'TYPE_TOO_LARGE', ['more than 100000 nodes']);
});

test('DANGLING_REF, BAD_MAP_KEY and UNKNOWN_KIND name the path inside the type', () => {
  expectAirError(() => expandType({ record: { a: { ref: 'a/Nope@1' } } }, schemasOf(), { path: '.type' }), 'DANGLING_REF', ['.type.record.a', '"a/Nope@1"']);
  expectAirError(() => expandType({ map: { key: T.bytes, value: T.nat } }, schemasOf(), { path: '.type' }), 'BAD_MAP_KEY', ['.type.map.key', 'key has type bytes']);
  expectAirError(() => expandType({ list: { nat: {}, int: {} } as unknown as TypeAst }, schemasOf(), {}), 'UNKNOWN_KIND', ['.list', 'keys "nat", "int"']);
});
