// Goal: a step that overruns the wall clock (as a loop inside a native built-in would) ends with
// its world's thread terminated, an abort journaled for exactly that delivery, and the world
// serving again; other worlds on the same node keep serving meanwhile; replay honours the abort.
// Method: two copies of the leaky test world, each in a WorldWorker with a short deadline. Its
// test/Spinner@1 is a wasm module whose step loops forever: wasm has no instruction fuel, so
// only the watchdog can stop it (as with a native built-in that ignores interrupts). A Spin
// event is sent to one world while the other keeps receiving events; then the journal and a
// full replay are checked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeCanonical, encodeCanonical } from '../../src/cbor/index.ts';
import type { CborValue } from '../../src/cbor/index.ts';
import { buildWorld, writeModuleHashes } from '../../src/cli/build/index.ts';
import { EmbeddedWorld, WorldWorker } from '../../src/node/index.ts';
import { FileCas } from '../../src/store/index.ts';
import { compileWat, LOOPING_WORKFLOW } from '../unit/sandbox/wat.ts';

const LEAKY = join(import.meta.dirname, '../fixtures/worlds/leaky');
/** Well above a normal step on a busy machine; the spinner never returns, so any deadline catches it. */
const DEADLINE_MS = 1_000;
const op = (cell: string, value: CborValue) => ({ schema: 'test/LeakyEvent@1', value: encodeCanonical({ cell, op: value }, { selfDescribe: false }) });
const key = (cell: string) => encodeCanonical(cell, { selfDescribe: false });

async function worldCopy(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'aos-watchdog-'));
  cpSync(LEAKY, dir, { recursive: true, filter: (path) => !path.endsWith('.aos') });
  const spinner = new FileCas(dir).put(await compileWat(LOOPING_WORKFLOW));
  writeModuleHashes(dir, { ...(await buildWorld(dir)).modules, 'test/Spinner@1': spinner });
  (await EmbeddedWorld.create(dir)).close();
  return dir;
}

test('the watchdog aborts an overrunning step, journals it, restarts the world; other worlds keep serving; replay honours the abort', async () => {
  const [dirA, dirB] = [await worldCopy(), await worldCopy()];
  const a = await WorldWorker.open(dirA, { inputDeadlineMs: DEADLINE_MS });
  const b = await WorldWorker.open(dirB, { inputDeadlineMs: DEADLINE_MS });
  try {
    await a.send(op('x', { $tag: 'Inc', $value: 2 }));
    const stuck = a.send({ schema: 'test/Spin@1', value: encodeCanonical({ n: 1 }, { selfDescribe: false }) });
    const served: number[] = [];
    for (let i = 0; i < 5; i += 1) served.push((await b.send(op('y', { $tag: 'Inc', $value: 1 }))).heights[0] ?? -1);
    const aborted = await stuck;
    assert.deepEqual(aborted.aborted, [0], 'delivery 0 of the input was aborted');
    assert.deepEqual(aborted.kinds, ['domain_event', 'workflow_fault']);
    assert.equal(a.restarts, 1);
    assert.equal(b.restarts, 0);
    assert.deepEqual(served, [2, 3, 4, 5, 6], 'world B served every event while A was stuck (heights 0 and 1 are the manifest and the trusted keys)');
    await a.send(op('x', { $tag: 'Inc', $value: 1 }));
    assert.equal((decodeCanonical((await a.state('test/Leaky@1', key('x'))) ?? new Uint8Array()) as { count: number }).count, 3, 'the aborted step changed nothing; A serves again');
  } finally {
    await a.close();
    await b.close();
  }
  const reopened = await EmbeddedWorld.open(dirA);
  try {
    const fault = reopened.tail(0, 100, 'workflow_fault')[0];
    assert.ok(fault !== undefined && fault.body.kind === 'workflow_fault');
    assert.equal(fault.body.failure.kind, 'aborted');
    const replay = await reopened.verifyReplay();
    assert.equal(replay.heights, reopened.head.height);
  } finally {
    reopened.close();
    rmSync(dirA, { recursive: true, force: true });
    rmSync(dirB, { recursive: true, force: true });
  }
});

test('sends that queue up are admitted as one group; an overrun or a refusal in a group lands only on its own event', async () => {
  const dir = await worldCopy();
  const world = await WorldWorker.open(dir, { inputDeadlineMs: DEADLINE_MS });
  try {
    await world.send(op('x', { $tag: 'Inc', $value: 0 }));
    const burst = await Promise.all(Array.from({ length: 20 }, () => world.send(op('x', { $tag: 'Inc', $value: 1 }))));
    assert.ok(world.groupCommits >= 1, 'queued sends went to the thread as a group');
    const heights = burst.map((sent) => sent.heights[0] ?? -1);
    assert.equal(new Set(heights).size, 20, 'each event has its own records');
    assert.deepEqual(heights, [...heights].sort((left, right) => left - right), 'in the order they were sent');

    const unknown = { schema: 'test/NoSuchEvent@1', value: encodeCanonical({ n: 1 }, { selfDescribe: false }) };
    const spin = { schema: 'test/Spin@1', value: encodeCanonical({ n: 1 }, { selfDescribe: false }) };
    const mixed = await Promise.allSettled([
      world.send(op('x', { $tag: 'Inc', $value: 1 })), world.send(op('x', { $tag: 'Inc', $value: 1 })),
      world.send(spin), world.send(unknown), world.send(op('x', { $tag: 'Inc', $value: 1 })),
    ]);
    assert.deepEqual(mixed.map((result) => result.status), ['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    const spun = mixed[2];
    assert.ok(spun?.status === 'fulfilled' && spun.value.aborted.length === 1, 'the spinning step was aborted, for its own input');
    assert.match(String((mixed[3] as PromiseRejectedResult).reason), /NoSuchEvent/);
    assert.equal((decodeCanonical((await world.state('test/Leaky@1', key('x'))) ?? new Uint8Array()) as { count: number }).count, 23, 'every acknowledged Inc counted exactly once');
  } finally {
    await world.close();
  }
  const reopened = await EmbeddedWorld.open(dir);
  try {
    assert.equal((await reopened.verifyReplay()).heights, reopened.head.height);
  } finally {
    reopened.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
