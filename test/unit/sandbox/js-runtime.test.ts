// Goal: the js runtime runs SDK bundles exactly: same envelope → same output bytes across
// fresh contexts, recycles and processes; warm contexts keep module state until recycle;
// limits are named and overridable within maxima.
// Method: bundle fixture modules, step them through loadModule, compare bytes; a child
// process runs the same step and prints its output hex.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { decodeCanonical, toHex } from '../../../src/cbor/index.ts';
import { loadModule, resolveModuleLimits, SandboxError, STEP_FUEL_TICKS_MAX } from '../../../src/sandbox/index.ts';
import { fixtureBundle, stepInput, workflowContext } from './fixtures.ts';

const INCREMENT = 'demo/Increment@1';

test('a counter step returns canonical output with state, events and effects', async () => {
  const runtime = await loadModule((await fixtureBundle('counter')).bytes);
  assert.equal(runtime.runtime, 'js');
  assert.equal(runtime.moduleKind, 'workflow');
  const result = runtime.step(stepInput({ count: 9 }, INCREMENT, { by: 1, timer: true }, workflowContext(1)));
  assert.equal(result.kind, 'ok', JSON.stringify(result));
  if (result.kind !== 'ok') return;
  assert.deepEqual(decodeCanonical(result.output.state ?? new Uint8Array()), { count: 10 });
  assert.deepEqual(result.output.domain_events.map((event) => [event.schema, decodeCanonical(event.value)]), [['demo/Counted@1', { count: 10 }]]);
  const [timer] = result.output.effects;
  assert.equal(timer?.kind, 'timer.set');
  assert.equal(timer?.cap_slot, 'timer');
  assert.equal(timer?.issuer_ref, 'tick');
  assert.deepEqual(decodeCanonical(timer?.params_cbor ?? new Uint8Array()), { deliver_at_ns: 1005, key: null });
  runtime.dispose();
});

test('the same envelope gives the same bytes in fresh contexts, after recycles, and in another process', async () => {
  const bundle = (await fixtureBundle('random')).bytes;
  const input = stepInput([1, 2], 'demo/Tick@1', null, workflowContext(7));
  const first = await loadModule(bundle);
  const second = await loadModule(bundle);
  const outputs = [first.step(input), first.step(input), second.step(input)];
  first.recycle();
  outputs.push(first.step(input));
  const hexes = outputs.map((result) => (result.kind === 'ok' ? toHex(result.bytes) : JSON.stringify(result)));
  assert.equal(new Set(hexes).size, 1, hexes.join('\n'));
  const script = `
    import { loadModule } from './src/sandbox/index.ts';
    import { toHex, fromHex } from './src/cbor/index.ts';
    const runtime = await loadModule(fromHex(process.argv[1]));
    const result = runtime.step(fromHex(process.argv[2]));
    process.stdout.write(result.kind === 'ok' ? toHex(result.bytes) : JSON.stringify(result));`;
  const other = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, toHex(bundle), toHex(input)], { encoding: 'utf8' });
  assert.equal(other, hexes[0]);
  const otherEntropy = first.step(stepInput([1, 2], 'demo/Tick@1', null, workflowContext(8)));
  assert.notEqual(otherEntropy.kind === 'ok' ? toHex(otherEntropy.bytes) : '', hexes[0], 'different entropy draws differently');
});

test('module-level state survives warm steps and resets exactly at recycle()', async () => {
  const runtime = await loadModule((await fixtureBundle('stateful')).bytes);
  const counts = () => {
    const result = runtime.step(stepInput(0, 'demo/S@1', 'x'));
    assert.equal(result.kind, 'ok');
    return result.kind === 'ok' ? decodeCanonical(result.output.state ?? new Uint8Array()) : -1;
  };
  assert.deepEqual([counts(), counts(), counts()], [1, 2, 3]);
  runtime.recycle();
  assert.deepEqual([counts(), counts()], [1, 2]);
});

test('a pure module runs with 64-bit integers, bytes and variants intact', async () => {
  const runtime = await loadModule((await fixtureBundle('echo-pure')).bytes);
  assert.equal(runtime.moduleKind, 'pure');
  const { encodePureInput } = await import('../../../src/sandbox/index.ts');
  const { inner } = await import('./fixtures.ts');
  const result = runtime.run(encodePureInput({ input: inner({ a: 2n ** 62n, b: 2n ** 62n, tag: Uint8Array.of(1, 2) }) }));
  assert.equal(result.kind, 'ok', JSON.stringify(result));
  if (result.kind !== 'ok') return;
  assert.deepEqual(decodeCanonical(result.output), { sum: 2n ** 63n, tag: Uint8Array.of(1, 2), variant: { $tag: 'Done' } });
  assert.throws(() => runtime.step(new Uint8Array()), (error: unknown) => error instanceof SandboxError && error.code === 'WRONG_MODULE_KIND');
});

test('limits: overrides apply within the hard maxima and are refused beyond them', async () => {
  assert.equal(resolveModuleLimits({ fuelTicks: 5 }).fuelTicks, 5);
  assert.throws(() => resolveModuleLimits({ fuelTicks: STEP_FUEL_TICKS_MAX + 1 }), /fuelTicks = 1001 is out of range/);
  assert.throws(() => resolveModuleLimits({ effectsMax: 65 }), (error: unknown) => error instanceof SandboxError && error.code === 'LIMIT_ABOVE_MAX');
  const runtime = await loadModule((await fixtureBundle('counter')).bytes, { limits: { eventsMax: 1, effectsMax: 1 } });
  const result = runtime.step(stepInput({ count: 9 }, INCREMENT, { by: 1 }));
  assert.equal(result.kind, 'ok');
});

test('a bundle without an entry, or with a failing init, is refused at load', async () => {
  const none = new TextEncoder().encode('"use strict"; var x = 1;');
  await assert.rejects(loadModule(none), (error: unknown) => error instanceof SandboxError && error.code === 'NO_ENTRY' && /defineWorkflow/.test(error.message));
  const throwing = new TextEncoder().encode('throw new Error("boom at init")');
  await assert.rejects(loadModule(throwing), /failed to initialise: Error: boom at init/);
  const looping = new TextEncoder().encode('for (;;) {}');
  await assert.rejects(loadModule(looping, { limits: { fuelTicks: 2 } }), /init used more than its budget of 2 ticks/);
});
