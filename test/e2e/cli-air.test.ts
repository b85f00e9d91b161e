// Goal: `aos air …` and `aos cbor …` behave as a new user sees them: exit codes, output shapes,
// errors that say where and what.
// Method: spawn bin/aos.js as a separate process on the bundled worlds and on a broken copy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '../..');
const COUNTER = join(ROOT, 'worlds/ladder/00-counter');
const PERF = join(ROOT, 'worlds/ladder/12-performance');
const PERF_KEYED = join(ROOT, 'worlds/ladder/12-performance-keyed');

function aos(...args: string[]): { code: number; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(ROOT, 'bin/aos.js'), ...args], { encoding: 'utf8', cwd: ROOT });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

test('air check: valid worlds exit 0 and say so', () => {
  const run = aos('air', 'check', COUNTER, PERF, PERF_KEYED);
  assert.equal(run.code, 0, run.stderr + run.stdout);
  assert.match(run.stdout, /✓ .*00-counter: 6 defs, manifest sha256:[0-9a-f]{64}/);
  const json = aos('air', 'check', COUNTER, '--json');
  const parsed = JSON.parse(json.stdout) as { ok: boolean; results: Array<{ ok: boolean; errors: unknown[] }> };
  assert.equal(parsed.ok, true);
  assert.deepEqual(parsed.results[0]?.errors, []);
});

test('air check: a broken world exits 1 and names file, def, path, found and expected', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aos-air-'));
  cpSync(COUNTER, dir, { recursive: true });
  const file = join(dir, 'air/schemas.air.json');
  writeFileSync(file, readFileSync(file, 'utf8').replace('"remaining": { "nat": {} }', '"remaining": { "natural": {} }'));
  const run = aos('air', 'check', dir);
  assert.equal(run.code, 1);
  assert.match(run.stdout, /✗ .*: 1 error/);
  assert.match(run.stdout, /schemas\.air\.json › demo\/CounterState@1 › \[1\]\.type/);
  const json = JSON.parse(aos('air', 'check', dir, '--json').stdout) as { ok: boolean; results: Array<{ errors: Array<{ file: string; def: string; path: string; code: string }> }> };
  assert.equal(json.ok, false);
  const error = json.results[0]?.errors[0];
  assert.equal(error?.def, 'demo/CounterState@1');
  assert.equal(error?.code, 'SCHEMA_VIOLATION');
});

test('air hash --json prints exactly {defs:[{kind,name,hash}], manifest:{hash}}', () => {
  const run = aos('air', 'hash', COUNTER, '--json');
  assert.equal(run.code, 0, run.stderr);
  const parsed = JSON.parse(run.stdout) as { defs: Array<Record<string, string>>; manifest: { hash: string } };
  assert.deepEqual(Object.keys(parsed), ['defs', 'manifest']);
  assert.equal(parsed.defs.length, 6);
  for (const def of parsed.defs) {
    assert.deepEqual(Object.keys(def), ['kind', 'name', 'hash']);
    assert.match(def.hash ?? '', /^sha256:[0-9a-f]{64}$/);
  }
  assert.deepEqual(Object.keys(parsed.manifest), ['hash']);
  assert.equal(aos('air', 'hash', COUNTER, '--json').stdout, run.stdout, 'stable across runs');
});

test('air fmt round-trips between lenses and keeps the hash', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aos-fmt-'));
  cpSync(join(ROOT, 'test/fixtures/upstream-air/fixtures/03-fetch-notify'), dir, { recursive: true });
  const manifest = join(dir, 'air/manifest.air.json');
  const before = JSON.parse(aos('air', 'hash', dir, '--json').stdout) as { manifest: { hash: string } };
  const sugar = aos('air', 'fmt', manifest, '--lens', 'sugar');
  assert.equal(sugar.code, 0, sugar.stderr);
  assert.match(sugar.stdout, /"hosts": \[\s*"example\.com"\s*\]/);
  assert.equal(aos('air', 'fmt', manifest, '--lens', 'sugar', '--write').code, 0);
  const afterSugar = JSON.parse(aos('air', 'hash', dir, '--json').stdout) as { manifest: { hash: string } };
  assert.equal(afterSugar.manifest.hash, before.manifest.hash);
  assert.equal(aos('air', 'fmt', manifest, '--lens', 'canonical', '--write').code, 0);
  assert.match(readFileSync(manifest, 'utf8'), /"set": \[\s*\{\s*"text": "example\.com"/);
  const afterCanonical = JSON.parse(aos('air', 'hash', dir, '--json').stdout) as { manifest: { hash: string } };
  assert.equal(afterCanonical.manifest.hash, before.manifest.hash);
  const bad = aos('air', 'fmt', manifest, '--lens', 'pretty');
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /--lens must be "sugar" or "canonical"/);
});

test('air diff compares by def name and hash', () => {
  const same = JSON.parse(aos('air', 'diff', COUNTER, COUNTER, '--json').stdout) as { same: boolean };
  assert.equal(same.same, true);
  const run = aos('air', 'diff', PERF, PERF_KEYED, '--json');
  const parsed = JSON.parse(run.stdout) as { same: boolean; changes: Array<{ name: string; change: string }> };
  assert.equal(parsed.same, false);
  assert.ok(parsed.changes.some((change) => change.name === 'demo/PerfCounter@1' && change.change === 'changed'));
  assert.match(aos('air', 'diff', PERF, PERF_KEYED).stdout, /~ defmodule +demo\/PerfCounter@1/);
});

test('cbor encode, hash and decode agree with the upstream vectors', () => {
  assert.equal(aos('cbor', 'encode', '{"a":1,"b":2}').stdout.trim(), 'd9d9f7a2616101616202');
  assert.equal(aos('cbor', 'hash', '{}').stdout.trim(), 'sha256:75bd49cb964988d6fd2c058f51230c3dc2a254753751fbe0f313b4b1e0681b69');
  assert.deepEqual(JSON.parse(aos('cbor', 'decode', 'd9d9f78462686901f5f6').stdout), { list: [{ text: 'hi' }, { nat: 1 }, { bool: true }, { null: {} }] });
  assert.deepEqual(JSON.parse(aos('cbor', 'decode', 'd9d9f7a2616101616220', '--plain').stdout), { a: 1, b: -1 });
  assert.deepEqual(JSON.parse(aos('cbor', 'decode', 'd9d9f7a1616142beef').stdout), { record: { a: { bytes_b64: 'vu8=' } } });
  assert.equal(aos('cbor', 'encode', '{"n":18446744073709551615}').stdout.trim(), 'd9d9f7a1616e1bffffffffffffffff');
  const bad = aos('cbor', 'decode', 'a2616201616102');
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /CBOR decode error at byte 2: not the canonical encoding/);
  const float = aos('cbor', 'encode', '{"x": 1.5}');
  assert.equal(float.code, 1);
  assert.match(float.stderr, /1\.5 is a float/);
});
