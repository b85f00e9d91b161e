// Goal: the AIR loader and the patch compiler survive any input: a world or an AirError, never a
// crash, a hang or a foreign exception.
// Method: fast-check over (a) random JSON documents, (b) mutations of real upstream AIR files
// (values swapped, keys dropped, types changed), (c) random text, and (d) random patch documents:
// 100,000 inputs in all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { AirError, builtinCatalog, compilePatch, loadWorld } from '../../../src/air/index.ts';
import type { AirDocument } from '../../../src/air/index.ts';

const FIXTURE = join(import.meta.dirname, '../../fixtures/upstream-air/fixtures/03-fetch-notify/air');
const REAL: AirDocument[] = readdirSync(FIXTURE).sort().map((file) => ({ file, text: readFileSync(join(FIXTURE, file), 'utf8') }));

function loadsOrTypedError(documents: AirDocument[]): void {
  try {
    const result = loadWorld(documents, { base: builtinCatalog() });
    for (const error of result.errors) assert.ok(error instanceof AirError);
    assert.ok((result.world === null) === (result.errors.length > 0));
  } catch (error) {
    assert.fail(`loader threw instead of reporting: ${error instanceof Error ? error.stack : String(error)}`);
  }
}

const jsonValue = fc.jsonValue({ maxDepth: 5 });
const airish = fc.oneof(
  jsonValue,
  fc.record({ $kind: fc.constantFrom('defschema', 'defmodule', 'defeffect', 'defcap', 'defpolicy', 'defsecret', 'manifest', 'x'), name: fc.oneof(fc.string(), fc.constant('a/B@1')), type: jsonValue }, { requiredKeys: ['$kind'] }),
);

test('property: random JSON documents load or fail with AirErrors', () => {
  fc.assert(fc.property(fc.array(airish, { maxLength: 4 }), (nodes) => {
    loadsOrTypedError([{ file: 'random.air.json', text: JSON.stringify(nodes) }]);
  }), { numRuns: 30_000 });
});

test('property: random text loads or fails with AirErrors', () => {
  fc.assert(fc.property(fc.string({ maxLength: 200 }), (text) => loadsOrTypedError([{ file: 'text.air.json', text }])), { numRuns: 30_000 });
});

type Json = unknown;
function mutate(value: Json, path: number[], replacement: Json): Json {
  if (path.length === 0) return replacement;
  const [head = 0, ...rest] = path;
  if (Array.isArray(value) && value.length > 0) {
    const index = head % value.length;
    return value.map((item, position) => (position === index ? mutate(item, rest, replacement) : item));
  }
  if (typeof value === 'object' && value !== null) {
    const keys = Object.keys(value);
    if (keys.length === 0) return replacement;
    const key = keys[head % keys.length] ?? '';
    if (replacement === '__drop__' && rest.length === 0) {
      const copy = { ...(value as Record<string, Json>) };
      delete copy[key];
      return copy;
    }
    return { ...(value as Record<string, Json>), [key]: mutate((value as Record<string, Json>)[key], rest, replacement) };
  }
  return replacement;
}

test('property: mutated upstream AIR loads or fails with AirErrors', () => {
  const parsed = REAL.map((document) => JSON.parse(document.text) as Json);
  const edit = fc.tuple(fc.nat({ max: parsed.length - 1 }), fc.array(fc.nat(), { minLength: 1, maxLength: 6 }),
    fc.oneof(jsonValue, fc.constant('__drop__'), fc.constant('sys/http.request@1'), fc.constant({ ref: 'demo/FetchNotifyState@1' }), fc.constant(-1), fc.constant('18446744073709551616')));
  fc.assert(fc.property(fc.array(edit, { minLength: 1, maxLength: 3 }), (edits) => {
    const documents = parsed.map((document) => document);
    for (const [fileIndex, path, replacement] of edits) documents[fileIndex] = mutate(documents[fileIndex], path, replacement);
    loadsOrTypedError(documents.map((document, index) => ({ file: REAL[index]?.file ?? 'x', text: JSON.stringify(document) })));
  }), { numRuns: 20_000 });
});

test('property: random patch documents compile or fail with AirErrors', () => {
  const world = loadWorld(REAL, { base: builtinCatalog() }).world;
  assert.ok(world !== null && world.manifest !== null);
  const base = { manifest: world.manifest, index: world.index };
  const op = fc.oneof(
    fc.record({ add_def: fc.record({ kind: fc.constantFrom('defschema', 'defcap'), node: airish }) }),
    fc.record({ remove_def: fc.record({ kind: fc.constant('defschema'), name: fc.constantFrom('demo/FetchNotifyState@1', 'x/Y@1'), pre_hash: fc.constant(`sha256:${'0'.repeat(64)}`) }) }),
    fc.record({ set_defaults: fc.record({ policy: fc.oneof(fc.constant(null), fc.string()) }) }),
    jsonValue,
  );
  fc.assert(fc.property(fc.array(op, { maxLength: 4 }), fc.boolean(), (patches, fresh) => {
    const result = compilePatch({ version: '1', base_manifest_hash: fresh ? base.manifest.hash : 'sha256:bad', patches }, base);
    if (!result.ok) for (const error of result.errors) assert.ok(error instanceof AirError);
  }), { numRuns: 20_000 });
});
