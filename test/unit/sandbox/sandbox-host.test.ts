// Goal: the worker backstop ends a step that overruns the wall-clock deadline with a typed
// `aborted: deadline`, restarts cleanly, and keeps serving the same modules.
// Method: a SandboxHost with a short deadline runs a looping WAT module (V8 cannot
// interrupt it) and a JS loop with fuel to spare, then ordinary steps.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { decodeCanonical } from '../../../src/cbor/index.ts';
import { SandboxError, SandboxHost } from '../../../src/sandbox/index.ts';
import { fixtureBundle, stepInput } from './fixtures.ts';
import { compileWat, CONSTANT_WORKFLOW, LOOPING_WORKFLOW } from './wat.ts';

const host = new SandboxHost({ deadlineMs: 1_000 });
after(() => host.close());

test('a step past the deadline is aborted, and the host serves steps again afterwards', async () => {
  await host.load('loop', await compileWat(LOOPING_WORKFLOW));
  await host.load('constant', await compileWat(CONSTANT_WORKFLOW));
  const counter = await host.load('counter', (await fixtureBundle('counter')).bytes);
  assert.deepEqual(counter, { runtime: 'js', moduleKind: 'workflow' });
  const before = await host.step('counter', stepInput({ count: 1 }, 'demo/Increment@1', { by: 1 }));
  assert.equal(before.kind, 'ok');
  const aborted = await host.step('loop', stepInput(null, 'demo/Tick@1', null));
  assert.equal(aborted.kind, 'aborted');
  assert.match(aborted.kind === 'aborted' ? aborted.message : '', /ran past the 1000 ms deadline; its worker was terminated/);
  const again = await host.step('counter', stepInput({ count: 1 }, 'demo/Increment@1', { by: 1 }));
  assert.ok(again.kind === 'ok');
  assert.deepEqual(decodeCanonical(again.output.state ?? new Uint8Array()), { count: 2 });
  assert.equal((await host.step('constant', stepInput(null, 'demo/Tick@1', null))).kind, 'ok');
});

test('a JS loop with fuel to spare is stopped by the deadline too', async () => {
  await host.load('hostile', (await fixtureBundle('hostile/attacks')).bytes, { limits: { fuelTicks: 1_000 } });
  const result = await host.step('hostile', stepInput(0, 'test/Attack@1', { attack: 'infinite_loop' }));
  assert.ok(result.kind === 'aborted' || (result.kind === 'over_limit' && result.limit === 'fuel'), JSON.stringify(result));
  assert.equal((await host.step('hostile', stepInput(0, 'test/Attack@1', { attack: 'ok' }))).kind, 'ok');
});

test('load errors cross the worker boundary as SandboxErrors with their codes', async () => {
  await assert.rejects(host.load('none', new TextEncoder().encode('1')), (error: unknown) => error instanceof SandboxError && error.code === 'NO_ENTRY');
  await assert.rejects(host.step('never-loaded', new Uint8Array()), (error: unknown) => error instanceof SandboxError && error.code === 'DISPOSED');
});
