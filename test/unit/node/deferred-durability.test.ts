// Goal: the executor commits receipts without waiting for the disk, and nothing leans on them
// before they are durable. A chain lets the event loop turn every few ms, and the receipt groups
// admitted meanwhile are written together. An adapter that reaches outside the store (a timer,
// here) starts only once its intent is durable; an in-store one (blob.put) may start as soon as
// its intent is admitted, so a chain of puts steps on while the disk syncs; idle() means durable;
// reads, the node's world operations (HostedWorld) and a reopen see every admitted record, durable.
// Method: the runner fixture (blob.put, then a timer) and the b2 bench's chain world (each
// blob.put receipt puts the next blob), built into temp folders, with adapters that note, as they
// start, whether their intent's record was durable. Every world ends with replay-or-die.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobAdapter } from '../../../src/adapters/index.ts';
import type { Adapter } from '../../../src/adapters/index.ts';
import { decodeCanonical, encodeCanonical } from '../../../src/cbor/index.ts';
import type { CborValue, Hash } from '../../../src/cbor/index.ts';
import { buildWorld, writeModuleHashes } from '../../../src/cli/build/index.ts';
import { EffectExecutor, EmbeddedWorld, TimerAdapter } from '../../../src/node/index.ts';
import { HostedWorld } from '../../../src/node/node-world-ops.ts';
import { FakeClock, ROOT } from '../../support/kernel-fixture.ts';
import { testSigner, trustedFor } from '../../support/receipt-keys.ts';
import { VirtualClock } from '../../support/virtual-clock.ts';

const BLOB_SIGNER = testSigner('blob.default');
const TIMER_SIGNER = testSigner('timer.default');
const cbor = (value: CborValue) => encodeCanonical(value, { selfDescribe: false });
const CHAIN_LENGTH = 24;
const LONG_CHAIN = 300;

async function withBuiltWorld(source: string, run: (world: EmbeddedWorld, dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'aos-deferred-'));
  try {
    cpSync(join(ROOT, source), dir, { recursive: true, filter: (path) => !path.endsWith('.aos') });
    writeModuleHashes(dir, (await buildWorld(dir)).modules);
    const world = await EmbeddedWorld.create(dir, new FakeClock(5), trustedFor(BLOB_SIGNER, TIMER_SIGNER));
    try {
      await run(world, dir);
    } finally {
      world.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Wraps `adapter`, noting for each start whether its intent's record was durable then. */
function watched(world: EmbeddedWorld, adapter: Adapter, durableAtStart: boolean[]): Adapter {
  return {
    id: adapter.id, kinds: adapter.kinds, ...(adapter.inStore === true ? { inStore: true } : {}),
    execute: (intent, context) => {
      const open = world.openIntents().get(intent.intent_hash as Hash);
      assert.ok(open !== undefined, 'a started intent is open');
      durableAtStart.push(open.emittedAt < world.durableHeight);
      return adapter.execute(intent, context);
    },
  };
}

test('an intent opened by a receipt waits for the disk when its adapter reaches outside the store', async () => {
  await withBuiltWorld('test/fixtures/worlds/runner', async (world) => {
    const clock = new VirtualClock();
    const timerDurable: boolean[] = [];
    const executor = new EffectExecutor(world, [
      { adapter: new BlobAdapter(), signer: BLOB_SIGNER },
      { adapter: watched(world, new TimerAdapter(clock), timerDurable), signer: TIMER_SIGNER, deadlineMs: null },
    ]);
    world.send({ schema: 'test/RunnerOp@1', value: cbor({ $tag: 'Store', $value: { bytes: new TextEncoder().encode('outside'), then_wait_ns: 5_000 } }) });
    executor.dispatch();
    // The blob.put receipt's group is written without waiting for the disk; the timer it opens is not started until it is durable.
    for (let turn = 0; turn < 10_000 && clock.pending.length === 0; turn += 1) await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(timerDurable, [true], 'the timer started once, its intent already durable');
    clock.advanceTo(5_000n);
    await executor.idle();
    assert.equal(world.durableHeight, world.head.height, 'idle means every receipt is durable');
    assert.deepEqual((decodeCanonical(world.state('test/Runner@1') ?? new Uint8Array()) as { settled: string[] }).settled, ['blob.put:ok', 'timer.set:ok']);
    await world.verifyReplay();
  });
});

test('a long chain of blob puts lets the event loop turn, and its receipts are written in groups', async () => {
  await withBuiltWorld('bench/worlds/b2-chain', async (world) => {
    const puts: boolean[] = [];
    const executor = new EffectExecutor(world, [{ adapter: watched(world, new BlobAdapter(), puts), signer: BLOB_SIGNER }]);
    let durableGrew = 0;
    world.onCommitted(() => { durableGrew += 1; });
    let putsWhenTimerFired = -1;
    world.send({ schema: 'bench/ChainStart@1', value: cbor({ count: LONG_CHAIN }) });
    setTimeout(() => { putsWhenTimerFired = puts.length; }, 0);
    executor.dispatch();
    await executor.idle();
    assert.ok(putsWhenTimerFired > 0 && putsWhenTimerFired < LONG_CHAIN, `a timer due at the start fired mid-chain, after ${putsWhenTimerFired} of ${LONG_CHAIN} puts: the chain does not hold the thread`);
    const state = decodeCanonical(world.state('bench/Chain@1') ?? new Uint8Array()) as { ok: number };
    assert.equal(Number(state.ok), LONG_CHAIN);
    assert.ok(durableGrew >= 2, `the receipts became durable in steps (${durableGrew}), not only at the end`);
    assert.ok(durableGrew < LONG_CHAIN, `and in groups: ${durableGrew} syncs for ${LONG_CHAIN} receipts`);
    assert.equal(world.durableHeight, world.head.height);
    await world.verifyReplay();
  });
});

test('a chain of blob puts steps on while the disk syncs, and idle() and the node\'s answers wait for it', async () => {
  await withBuiltWorld('bench/worlds/b2-chain', async (world, dir) => {
    const putDurable: boolean[] = [];
    const executor = new EffectExecutor(world, [{ adapter: watched(world, new BlobAdapter(), putDurable), signer: BLOB_SIGNER }]);
    world.send({ schema: 'bench/ChainStart@1', value: cbor({ count: CHAIN_LENGTH }) });
    executor.dispatch();
    // Let a few round trips run, then read and ask the node's world operations while receipts may be unwritten.
    for (let turn = 0; turn < 10_000 && putDurable.length < CHAIN_LENGTH / 2; turn += 1) await new Promise((resolve) => queueMicrotask(() => resolve(undefined)));
    const last = world.tail(world.head.height - 1, 1);
    assert.equal(last.length, 1, 'a read sees every admitted record: the world writes what it holds first');
    const answer = new HostedWorld(world).call('head', null);
    assert.ok(!(answer instanceof Promise) && answer.ok);
    assert.equal(world.durableHeight, world.head.height, 'an operation answers only once what it could show is durable');
    assert.equal((answer.value as { next_height: number }).next_height, world.durableHeight);

    await executor.idle();
    assert.equal(world.durableHeight, world.head.height, 'idle means every receipt is durable');
    const state = decodeCanonical(world.state('bench/Chain@1') ?? new Uint8Array()) as { ok: number; failed: number };
    assert.deepEqual([Number(state.ok), Number(state.failed)], [CHAIN_LENGTH, 0]);
    assert.equal(putDurable.length, CHAIN_LENGTH, 'one execution per put');
    assert.equal(putDurable[0], true, 'the first put was opened by a send, durable when it returned');
    const early = putDurable.filter((durable) => !durable).length;
    assert.ok(early >= CHAIN_LENGTH / 2, `most puts started before their intent was on disk (${early} of ${CHAIN_LENGTH}), overlapping the fsync`);
    await world.verifyReplay();

    // A reopen sees the same journal: nothing written was lost or left unsynced.
    const head = world.head;
    world.close();
    const reopened = await EmbeddedWorld.open(dir);
    try {
      assert.deepEqual(reopened.head, head);
      assert.equal(reopened.durableHeight, head.height);
      await reopened.verifyReplay();
    } finally {
      reopened.close();
    }
  });
});
