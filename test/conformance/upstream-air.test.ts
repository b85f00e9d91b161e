// Goal: every AIR file of the upstream spec data loads, validates and hashes stably, whichever lens
// its values were written in.
// Method: load each fixture world, the demiurge and agent worlds (with their imports) and the sys
// catalog from the copy in test/fixtures/upstream-air; load each twice and compare hashes; rewrite
// grant params into the other lens and check the manifest hash does not move.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import vectors from '../fixtures/upstream-air/spec/test-vectors/schemas.json' with { type: 'json' };
import planVectors from '../fixtures/upstream-air/spec/test-vectors/plans.json' with { type: 'json' };
import {
  builtinCatalog, loadCatalog, loadWorld, loadWorldPath, readDocuments, airFilesOf, valueFromJson, valueToCanonicalJson, valueToSugarJson,
} from '../../src/air/index.ts';
import type { AirLoadResult, Manifest } from '../../src/air/index.ts';
import { encodeCanonical, hashValue, toHex } from '../../src/cbor/index.ts';
import type { CborValue } from '../../src/cbor/index.ts';

const ROOT = join(import.meta.dirname, '../fixtures/upstream-air');
const AGENT = join(ROOT, 'agent/air');
const NEEDS_AGENT = new Set(['21-agent-session', '22-agent-live', '23-agent-tools']);

function worldDirs(): Array<{ label: string; dir: string; imports: string[] }> {
  const out: Array<{ label: string; dir: string; imports: string[] }> = [];
  const fixtures = join(ROOT, 'fixtures');
  for (const fixture of readdirSync(fixtures).sort()) {
    for (const variant of readdirSync(join(fixtures, fixture)).sort()) {
      const dir = join(fixtures, fixture, variant);
      if (!statSync(dir).isDirectory()) continue;
      out.push({ label: `${fixture}/${variant}`, dir, imports: NEEDS_AGENT.has(fixture) ? [AGENT] : [] });
    }
  }
  out.push({ label: 'worlds/demiurge', dir: join(ROOT, 'worlds/demiurge/air'), imports: [AGENT] });
  out.push({ label: 'agent/air', dir: AGENT, imports: [] });
  out.push({ label: 'spec/defs', dir: join(ROOT, 'spec/defs'), imports: [] });
  return out;
}

function mustLoad(result: AirLoadResult, label: string) {
  assert.deepEqual(result.errors.map((error) => error.message), [], label);
  assert.ok(result.world !== null, label);
  return result.world;
}

test('every upstream AIR world loads and validates', () => {
  const worlds = worldDirs();
  assert.ok(worlds.length >= 24, `found ${worlds.length} worlds`);
  let files = 0;
  for (const { label, dir, imports } of worlds) {
    files += airFilesOf(dir).length;
    const world = mustLoad(loadWorldPath(dir, imports), label);
    assert.ok(world.own.length > 0, `${label} has defs`);
  }
  assert.ok(files >= 100, `covered ${files} files`);
});

test('the shipped catalog passes every structure and semantic check (it is loaded unchecked at run time)', () => {
  const shipped = loadCatalog([...readdirSync(join(ROOT, 'spec/defs'))].sort().map((file) => [file, JSON.parse(readFileSync(join(ROOT, 'spec/defs', file), 'utf8')) as unknown] as const), true);
  assert.equal([...shipped.all()].length, [...builtinCatalog().all()].length);
});

test('the built-in catalog holds every sys def, each hashed', () => {
  const catalog = builtinCatalog();
  const names = [...catalog.all()].map((entry) => entry.def.name);
  assert.ok(names.length >= 188, `${names.length} builtin defs`);
  assert.ok(names.every((name) => name.startsWith('sys/')));
});

test('the spec/defs folder, loaded as a catalog, is exactly the catalog we ship', () => {
  const folder = mustLoad(loadWorldPath(join(ROOT, 'spec/defs')), 'spec/defs');
  const shipped = new Map([...builtinCatalog().all()].map((entry) => [`${entry.def.$kind} ${entry.def.name}`, entry.hash]));
  const loaded = new Map(folder.own.map((entry) => [`${entry.def.$kind} ${entry.def.name}`, entry.hash]));
  assert.deepEqual(loaded, shipped);
});

test('hashes are stable across loads', () => {
  for (const { label, dir, imports } of worldDirs()) {
    const first = mustLoad(loadWorldPath(dir, imports), label);
    const second = mustLoad(loadWorldPath(dir, imports), label);
    assert.equal(first.manifest?.hash, second.manifest?.hash, label);
    assert.deepEqual(first.own.map((entry) => entry.hash), second.own.map((entry) => entry.hash), label);
  }
});

test('the upstream schema and plan vectors hash exactly as upstream does', () => {
  for (const vector of [...vectors, ...planVectors]) {
    assert.equal(toHex(encodeCanonical(vector.json as CborValue)), vector.cbor_hex, vector.label);
    assert.equal(hashValue(vector.json as CborValue), vector.hash, vector.label);
  }
});

test('a manifest hashes the same whether grant params are written in the sugar or the canonical lens', () => {
  let compared = 0;
  for (const { label, dir, imports } of worldDirs()) {
    const world = mustLoad(loadWorldPath(dir, imports), label);
    const grants = world.manifest?.node.defaults?.cap_grants ?? [];
    if (grants.length === 0) continue;
    const documents = readDocuments(airFilesOf(dir));
    for (const lens of ['sugar', 'canonical'] as const) {
      const rewritten = documents.map((document) => {
        const parsed = JSON.parse(document.text) as unknown;
        if (Array.isArray(parsed) || (parsed as { $kind?: string }).$kind !== 'manifest') return document;
        const manifest = parsed as Manifest;
        const cap_grants = (manifest.defaults?.cap_grants ?? []).map((grant) => {
          const cap = world.index.get('defcap', grant.cap);
          assert.ok(cap !== undefined);
          const value = valueFromJson(grant.params, cap.def.schema, world.index, {});
          const params = lens === 'sugar' ? valueToSugarJson(value, cap.def.schema, world.index) : valueToCanonicalJson(value, cap.def.schema, world.index);
          return { ...grant, params };
        });
        const text = JSON.stringify({ ...manifest, defaults: { ...manifest.defaults, cap_grants } }, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v));
        return { ...document, text };
      });
      let base = builtinCatalog();
      for (const importDir of imports) {
        const imported = mustLoad(loadWorldPath(importDir), importDir);
        base = base.fork();
        for (const entry of imported.own) base.set(entry);
      }
      const again = mustLoad(loadWorld(rewritten, { base }), `${label} (${lens})`);
      assert.equal(again.manifest?.hash, world.manifest?.hash, `${label}: ${lens} lens changes the manifest hash`);
      compared += 1;
    }
  }
  assert.ok(compared >= 20, `compared ${compared} rewrites`);
});
