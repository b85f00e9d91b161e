// Goal: `aos build` turns a world folder's TypeScript modules into CAS artifacts named by each
// def's wasm_hash, deterministically, and the artifact is the module the author wrote.
// Method: copy the 00-counter ladder world without its hash, build it twice as a spawned CLI,
// then run the stored bundle through the SDK test harness with the ladder's driver.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileCas } from '../../src/store/index.ts';
import { loadBundle } from '../../src/sdk/testing.ts';
import { parseHash } from '../../src/cbor/index.ts';

const ROOT = join(import.meta.dirname, '../..');

function aos(...args: string[]): { code: number; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(ROOT, 'bin/aos.js'), ...args], { encoding: 'utf8', cwd: ROOT });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

function counterCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'aos-build-'));
  cpSync(join(ROOT, 'worlds/ladder/00-counter'), dir, { recursive: true, filter: (path) => !path.includes('.aos') });
  const moduleFile = join(dir, 'air/module.air.json');
  const defs = JSON.parse(readFileSync(moduleFile, 'utf8')) as Array<Record<string, unknown>>;
  for (const def of defs) delete def.wasm_hash;
  writeFileSync(moduleFile, JSON.stringify(defs));
  return dir;
}

test('aos build fills wasm_hash, stores the bundle, and is deterministic', async () => {
  const dir = counterCopy();
  try {
    const unbuilt = aos('air', 'check', dir);
    assert.match(unbuilt.stdout, /has no built artifact yet/);
    const first = aos('build', '--root', dir, '--json');
    assert.equal(first.code, 0, first.stderr);
    const built = JSON.parse(first.stdout) as { modules: Array<{ name: string; hash: string; changed: boolean }>; manifest: string };
    const module = built.modules[0];
    assert.equal(module?.name, 'demo/CounterSM@1');
    assert.equal(module?.changed, true);
    const defs = JSON.parse(readFileSync(join(dir, 'air/module.air.json'), 'utf8')) as Array<{ wasm_hash: string }>;
    assert.equal(defs[0]?.wasm_hash, module?.hash);
    const again = JSON.parse(aos('build', '--root', dir, '--json').stdout) as typeof built;
    assert.equal(again.modules[0]?.hash, module?.hash, 'same sources, same hash');
    assert.equal(again.modules[0]?.changed, false);
    assert.equal(again.manifest, built.manifest);
    assert.doesNotMatch(aos('air', 'check', dir).stdout, /no built artifact/);
    assert.equal(module?.hash, JSON.parse(readFileSync(join(ROOT, 'worlds/ladder/00-counter/air/module.air.json'), 'utf8'))[0].wasm_hash,
      'the committed ladder world is built from its committed sources (run `aos build --root worlds/ladder/00-counter`)');

    const bundle = await loadBundle(new FileCas(dir).get(parseHash(module?.hash ?? '')));
    let state = bundle.step(null, { schema: 'demo/CounterEvent@1', value: { $tag: 'Start', $value: { target: 3 } } }).state;
    for (let tick = 0; tick < 3; tick += 1) state = bundle.step(state, { schema: 'demo/CounterEvent@1', value: { $tag: 'Tick' } }).state;
    assert.deepEqual(state, { pc: { $tag: 'Done' }, remaining: 0 });
    state = bundle.step(state, { schema: 'demo/CounterEvent@1', value: { $tag: 'Tick' } }).state;
    assert.deepEqual(state, { pc: { $tag: 'Done' }, remaining: 0 }, 'a Tick when Done does nothing');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('aos build refuses a module that imports Node built-ins, naming the import and what to do', () => {
  const dir = counterCopy();
  try {
    writeFileSync(join(dir, 'workflows/counter.ts'), `import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n`);
    const run = aos('build', '--root', dir);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /node:fs/);
    assert.match(run.stderr, /effect/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('aos build refuses an entry of aos.sync.json that has no def in the AIR', () => {
  const dir = counterCopy();
  try {
    writeFileSync(join(dir, 'aos.sync.json'), JSON.stringify({ build: { modules: { 'demo/Ghost@1': 'workflows/counter.ts' } } }));
    const run = aos('build', '--root', dir);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /"demo\/Ghost@1", but no defmodule of that name/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
