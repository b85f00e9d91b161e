// Goal: the wasm runtime follows the upstream raw ABI (memory, alloc, multi-value step),
// refuses modules with imports at load, caps memory, and turns traps into typed failures.
// Method: hand-written WAT workflows compiled with wabt, run through loadModule.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeCanonical, toHex } from '../../../src/cbor/index.ts';
import { isWasmBinary, loadModule, SandboxError } from '../../../src/sandbox/index.ts';
import { stepInput } from './fixtures.ts';
import { compileWat, CONSTANT_WORKFLOW, GROWING_WORKFLOW, IMPORTING_WORKFLOW, OUT_OF_BOUNDS_WORKFLOW } from './wat.ts';

const INPUT = stepInput(null, 'demo/Tick@1', { n: 1 });

test('a WAT workflow runs through alloc and a multi-value step, picked by its magic bytes', async () => {
  const binary = await compileWat(CONSTANT_WORKFLOW);
  assert.ok(isWasmBinary(binary));
  const runtime = await loadModule(binary);
  assert.equal(runtime.runtime, 'wasm');
  assert.equal(runtime.moduleKind, 'workflow');
  const results = [runtime.step(INPUT), runtime.step(INPUT)];
  runtime.recycle();
  results.push(runtime.step(INPUT), (await loadModule(binary)).step(INPUT));
  const hexes = results.map((result) => (result.kind === 'ok' ? toHex(result.bytes) : JSON.stringify(result)));
  assert.deepEqual(new Set(hexes), new Set(['a1657374617465410' + '1']));
  const first = results[0];
  assert.ok(first?.kind === 'ok');
  assert.deepEqual(decodeCanonical(first.output.state ?? new Uint8Array()), 1);
  assert.deepEqual(first.output.effects, []);
});

test('a wasm module that imports anything is refused at load, naming the import', async () => {
  const binary = await compileWat(IMPORTING_WORKFLOW);
  await assert.rejects(loadModule(binary, { name: 'test/Importer@1' }), (error: unknown) =>
    error instanceof SandboxError && error.code === 'WASM_IMPORTS_FORBIDDEN' && /imports env.read_clock \(function\); modules may import nothing/.test(error.message));
});

test('memory growth stops at the cap and the trap is reported as over_limit memory', async () => {
  const runtime = await loadModule(await compileWat(GROWING_WORKFLOW), { limits: { memoryBytes: 4 * 1024 * 1024 } });
  const result = runtime.step(INPUT);
  assert.equal(result.kind, 'over_limit', JSON.stringify(result));
  assert.equal(result.kind === 'over_limit' ? result.limit : undefined, 'memory');
  assert.match(result.kind === 'over_limit' ? result.message : '', /memory at the cap of 64 pages/);
});

test('an output pointer outside memory is a trap, and bad binaries are refused', async () => {
  const runtime = await loadModule(await compileWat(OUT_OF_BOUNDS_WORKFLOW));
  const result = runtime.step(INPUT);
  assert.equal(result.kind, 'trapped');
  assert.match(result.kind === 'trapped' ? result.message : '', /outside the module's memory/);
  await assert.rejects(loadModule(Uint8Array.of(0, 0x61, 0x73, 0x6d, 9, 9)), (error: unknown) => error instanceof SandboxError && error.code === 'WASM_INVALID');
});
