// Goal: effects run end to end on the embedded default: an intent starts only once durable, its
// adapter's outcome comes back as a signed receipt the world admits and delivers to the workflow,
// which continues; deadlines settle as timeout receipts, throws as error receipts; timers fire
// from a virtual clock; receipts that settle together commit together; one executor starts an
// intent once, even while its receipt waits for the group commit; a restart re-attaches
// open work and settles it exactly once; forged receipts are refused and journaled with their
// reason, duplicates fenced. Every world ends with replay-or-die.
// Method: copies of test/fixtures/worlds/runner (blob.put, then a timer) built into temp folders,
// driven with a fake stamp clock, test keys from fixed seeds, and adapters that hang, throw or
// hold the event loop past a turn.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobAdapter } from '../../../src/adapters/index.ts';
import type { Adapter, AdapterOutcome } from '../../../src/adapters/index.ts';
import { decodeCanonical, encodeCanonical, hashBytes } from '../../../src/cbor/index.ts';
import type { CborValue } from '../../../src/cbor/index.ts';
import { buildWorld, writeModuleHashes } from '../../../src/cli/build/index.ts';
import { checkReceiptSignature, KernelError } from '../../../src/kernel/index.ts';
import type { RecordBody, SealedRecord } from '../../../src/kernel/index.ts';
import { EffectExecutor, EmbeddedWorld, generateKey, loadSigner, NodeError, TimerAdapter } from '../../../src/node/index.ts';
import type { ExecutorRoute } from '../../../src/node/index.ts';
import { EXECUTOR_TURN_MS_MAX } from '../../../src/node/limits.ts';
import { FakeClock, ROOT } from '../../support/kernel-fixture.ts';
import { signedReceipt, testSigner, trustedFor } from '../../support/receipt-keys.ts';
import { VirtualClock } from '../../support/virtual-clock.ts';

const RUNNER = 'test/Runner@1';
const BLOB_SIGNER = testSigner('blob.default');
const TIMER_SIGNER = testSigner('timer.default');
const cbor = (value: CborValue) => encodeCanonical(value, { selfDescribe: false });
const store = (bytes: Uint8Array, thenWaitNs = 0) => ({ schema: 'test/RunnerOp@1', value: cbor({ $tag: 'Store', $value: { bytes, then_wait_ns: thenWaitNs } }) });
const wait = (atNs: number) => ({ schema: 'test/RunnerOp@1', value: cbor({ $tag: 'Wait', $value: atNs }) });
type Body<K extends RecordBody['kind']> = Extract<RecordBody, { kind: K }>;

let built: string | undefined;
/** A fresh copy of the runner world, built once and copied per test. */
async function runnerDir(): Promise<string> {
  if (built === undefined) {
    built = mkdtempSync(join(tmpdir(), 'aos-runner-built-'));
    cpSync(join(ROOT, 'test/fixtures/worlds/runner'), built, { recursive: true });
    writeModuleHashes(built, (await buildWorld(built)).modules);
  }
  const dir = mkdtempSync(join(tmpdir(), 'aos-runner-'));
  cpSync(built, dir, { recursive: true });
  return dir;
}

async function withWorld(run: (world: EmbeddedWorld, dir: string) => Promise<void>, trusted = trustedFor(BLOB_SIGNER, TIMER_SIGNER)): Promise<void> {
  const dir = await runnerDir();
  const world = await EmbeddedWorld.create(dir, new FakeClock(5), trusted);
  try {
    await run(world, dir);
  } finally {
    world.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const settledOf = (world: EmbeddedWorld) => (decodeCanonical(world.state(RUNNER) ?? new Uint8Array()) as { settled: string[] }).settled;
const all = (world: EmbeddedWorld) => world.tail(0, 8_000);
function bodies<K extends RecordBody['kind']>(records: readonly SealedRecord[], kind: K): Array<Body<K>> {
  return records.filter((record) => record.body.kind === kind).map((record) => record.body as Body<K>);
}
function onlyIntent(records: readonly SealedRecord[]): Body<'effect_intent'> {
  const intents = bodies(records, 'effect_intent');
  assert.equal(intents.length, 1, 'one intent');
  return intents[0] as Body<'effect_intent'>;
}

/** Lets the event loop turn until `done` holds (a bounded number of turns, never a timed wait). */
async function turnsUntil(done: () => boolean): Promise<void> {
  for (let turn = 0; turn < 10_000 && !done(); turn += 1) await new Promise((resolve) => setImmediate(resolve));
  assert.ok(done(), 'the condition held within 10,000 event-loop turns');
}

/** An adapter that never answers unless aborted; counts its executions. */
class HangingAdapter implements Adapter {
  readonly kinds = ['sys/blob.put@1'];
  calls = 0;
  constructor(readonly id = 'blob.default') {}
  execute(_intent: unknown, context: { signal: AbortSignal }): Promise<AdapterOutcome> {
    this.calls += 1;
    return new Promise((_, reject) => context.signal.addEventListener('abort', () => reject(context.signal.reason), { once: true }));
  }
}

test('end to end: blob.put runs after its intent is durable, its signed receipt reaches the workflow, which sets a timer that fires from the virtual clock', async () => {
  await withWorld(async (world) => {
    const clock = new VirtualClock();
    const blobs = new BlobAdapter();
    const durableAtStart: boolean[] = [];
    const watched: Adapter = {
      id: blobs.id, kinds: blobs.kinds,
      execute: (intent, context) => {
        durableAtStart.push(world.tail(0, 1_000).some((record) => record.body.kind === 'effect_intent' && record.body.intent_hash === intent.intent_hash));
        return blobs.execute(intent, context);
      },
    };
    const executor = new EffectExecutor(world, [{ adapter: watched, signer: BLOB_SIGNER }, { adapter: new TimerAdapter(clock), signer: TIMER_SIGNER, deadlineMs: null }]);
    const bytes = new TextEncoder().encode('hello, executor');
    const intent = onlyIntent(world.send(store(bytes, 5_000)));
    executor.dispatch();
    await turnsUntil(() => settledOf(world).length === 1);
    assert.deepEqual(durableAtStart, [true], 'the adapter started once, with the intent record already in the journal');
    assert.deepEqual(settledOf(world), ['blob.put:ok']);
    assert.equal(world.cas.get(hashBytes(bytes)).length, bytes.length, 'the blob is in the CAS');
    assert.equal(clock.pending.length, 1, 'the workflow went on to set a timer, which waits for logical time 5000');
    assert.equal(executor.inFlight.size, 1);

    clock.advanceTo(5_000n);
    await executor.idle();
    assert.deepEqual(settledOf(world), ['blob.put:ok', 'timer.set:ok']);
    const receipts = bodies(all(world), 'effect_receipt');
    assert.deepEqual(receipts.map((receipt) => receipt.adapter_id), ['blob.default', 'timer.default']);
    assert.equal(receipts[0]?.intent_hash, intent.intent_hash);
    for (const receipt of receipts) {
      const check = checkReceiptSignature(world.trustedKeys(), { ...receipt, payload_hash: hashBytes(receipt.payload) }, receipt.signature);
      assert.ok(check.ok, 'every journaled receipt verifies offline against the world\'s trusted keys');
    }
    assert.deepEqual(decodeCanonical(receipts[1]?.payload ?? new Uint8Array()), { delivered_at_ns: 5_000, key: null });
    assert.deepEqual(world.openIntents().size, 0);
    assert.deepEqual(executor.problems, []);
    await world.verifyReplay();
  });
});

test('receipts of intents that settle together are admitted in one transaction (group commit), each as it would be alone', async () => {
  await withWorld(async (world) => {
    const executor = new EffectExecutor(world, [{ adapter: new BlobAdapter(), signer: BLOB_SIGNER }]);
    const groups: number[] = [];
    const admit = world.receipts.bind(world);
    world.receipts = (items) => {
      groups.push(items.length);
      return admit(items);
    };
    const blobs = ['one', 'two', 'three'].map((text) => new TextEncoder().encode(text));
    world.sendBatch(blobs.map((bytes) => store(bytes)));
    executor.dispatch();
    await executor.idle();
    assert.deepEqual(groups, [3], 'the three blob.put receipts, settled in one turn, were admitted together');
    assert.deepEqual(settledOf(world), ['blob.put:ok', 'blob.put:ok', 'blob.put:ok']);
    for (const bytes of blobs) assert.equal(world.cas.get(hashBytes(bytes)).length, bytes.length, 'each blob is in the CAS');
    assert.deepEqual([world.openIntents().size, executor.problems], [0, []]);
    await world.verifyReplay();
  });
});

test('an intent whose receipt is signed but not yet admitted is not started again by a dispatch in between', async () => {
  await withWorld(async (world) => {
    // The second receipt of a turn that has run past EXECUTOR_TURN_MS_MAX is admitted after the
    // event loop turns; a dispatch() in that gap (a node's loop, an API call) must not run its
    // intent a second time.
    const blobs = new BlobAdapter();
    const starts = new Map<string, number>();
    let order = 0;
    const slowSecond: Adapter = {
      id: blobs.id, kinds: blobs.kinds,
      execute: (intent, context) => {
        starts.set(intent.intent_hash, (starts.get(intent.intent_hash) ?? 0) + 1);
        order += 1;
        if (order !== 2) return blobs.execute(intent, context);
        return Promise.resolve().then(() => {
          const until = performance.now() + EXECUTOR_TURN_MS_MAX + 2;
          while (performance.now() < until) { /* a long turn */ }
          return blobs.execute(intent, context);
        });
      },
    };
    const executor = new EffectExecutor(world, [{ adapter: slowSecond, signer: BLOB_SIGNER }]);
    world.sendBatch(['one', 'two'].map((text) => store(new TextEncoder().encode(text))));
    executor.dispatch();
    await new Promise((resolve) => setImmediate(resolve));
    executor.dispatch();
    await executor.idle();
    assert.deepEqual([...starts.values()], [1, 1], 'each intent was started once');
    assert.deepEqual(settledOf(world), ['blob.put:ok', 'blob.put:ok']);
    assert.deepEqual([world.openIntents().size, executor.problems], [0, []]);
    await world.verifyReplay();
  });
});

test('timers fire from the virtual clock: not a nanosecond early', async () => {
  await withWorld(async (world) => {
    const clock = new VirtualClock(1_000n);
    const executor = new EffectExecutor(world, [{ adapter: new TimerAdapter(clock), signer: TIMER_SIGNER, deadlineMs: null }]);
    world.send(wait(10_000));
    world.send(wait(500));
    executor.dispatch();
    await turnsUntil(() => settledOf(world).length === 1);
    assert.deepEqual(settledOf(world), ['timer.set:ok'], 'the timer already due fired at once');
    clock.advanceTo(9_999n);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(settledOf(world), ['timer.set:ok']);
    assert.equal(clock.pending.length, 1);
    clock.advanceTo(10_000n);
    await executor.idle();
    assert.deepEqual(settledOf(world), ['timer.set:ok', 'timer.set:ok']);
    assert.deepEqual(bodies(all(world), 'effect_receipt').map((receipt) => decodeCanonical(receipt.payload)), [{ delivered_at_ns: 1_000, key: null }, { delivered_at_ns: 10_000, key: null }]);
    await world.verifyReplay();
  });
});

test('an adapter that never answers settles as a timeout receipt after its deadline; one that throws, as an error receipt with the message', async () => {
  await withWorld(async (world) => {
    const hanging = new HangingAdapter();
    const executor = new EffectExecutor(world, [{ adapter: hanging, signer: BLOB_SIGNER }], { deadlineMs: 10 });
    world.send(store(new Uint8Array([1])));
    executor.dispatch();
    await executor.idle();
    const timeout = bodies(all(world), 'effect_receipt')[0];
    assert.equal(timeout?.status, 'timeout');
    assert.match(decodeCanonical(timeout.payload) as string, /blob\.default did not settle blob\.put intent sha256:[0-9a-f]{64} within its 10 ms deadline/);

    const throwing: Adapter = { id: 'blob.default', kinds: ['sys/blob.put@1'], execute: () => Promise.reject(new Error('disk on fire')) };
    const second = new EffectExecutor(world, [{ adapter: throwing, signer: BLOB_SIGNER }]);
    world.send(store(new Uint8Array([2])));
    second.dispatch();
    await second.idle();
    const error = bodies(all(world), 'effect_receipt')[1];
    assert.equal(error?.status, 'error');
    assert.match(decodeCanonical(error.payload) as string, /blob\.default failed on blob\.put intent .*: disk on fire/);
    assert.deepEqual(settledOf(world), ['blob.put:timeout', 'blob.put:error']);
    await world.verifyReplay();
  });
});

test('restart: open work is re-attached from the journal and settled exactly once; the old executor\'s late receipt is fenced', async () => {
  const dir = await runnerDir();
  try {
    const first = await EmbeddedWorld.create(dir, new FakeClock(6), trustedFor(BLOB_SIGNER));
    const hanging = new HangingAdapter();
    const executor = new EffectExecutor(first, [{ adapter: hanging, signer: BLOB_SIGNER, deadlineMs: null }]);
    const intent = onlyIntent(first.send(store(new Uint8Array([9, 9]))));
    executor.dispatch();
    executor.dispatch();
    assert.equal(hanging.calls, 1, 'dispatching again does not start a running intent twice');
    first.snapshot(); // the reopen restores from this snapshot: trusted keys come from the journal
    executor.close();
    first.close();

    const second = await EmbeddedWorld.open(dir, { clock: new FakeClock(7) });
    try {
      assert.ok(second.openIntents().has(intent.intent_hash), 'the intent is still open after the restart');
      const again = new EffectExecutor(second, [{ adapter: new BlobAdapter(), signer: BLOB_SIGNER }]);
      again.dispatch();
      await again.idle();
      again.dispatch();
      await again.idle();
      const receipts = bodies(all(second), 'effect_receipt').filter((receipt) => receipt.intent_hash === intent.intent_hash);
      assert.equal(receipts.length, 1, 'settled exactly once');
      assert.deepEqual(settledOf(second), ['blob.put:ok']);
      const head = second.head;
      const late = signedReceipt(BLOB_SIGNER, { intent_hash: intent.intent_hash, status: 'timeout', payload: cbor('late') });
      assert.throws(() => second.receipt(late), (error: unknown) => error instanceof KernelError && error.code === 'DUPLICATE_RECEIPT' && /already settled/.test(error.message));
      assert.deepEqual(second.head, head, 'a fenced receipt journals nothing');
      await second.verifyReplay();
    } finally {
      second.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('forged receipts are refused and journaled with their reason; the intent stays open for the genuine one; duplicates are fenced unjournaled', async () => {
  await withWorld(async (world) => {
    const a = onlyIntent(world.send(store(new Uint8Array([1]))));
    const b = onlyIntent(world.send(store(new Uint8Array([2]))));
    const payload = cbor({ blob_ref: hashBytes(new Uint8Array([1])), edge_ref: hashBytes(new Uint8Array([3])), size: 1 });
    const genuine = signedReceipt(BLOB_SIGNER, { intent_hash: a.intent_hash, status: 'ok', payload });
    const forgeries: Array<[string, typeof genuine, string]> = [
      ['wrong key', signedReceipt(testSigner('blob.default', 99), { intent_hash: a.intent_hash, status: 'ok', payload }), 'BAD_SIGNATURE'],
      ['altered payload', { ...genuine, payload: cbor({ blob_ref: hashBytes(new Uint8Array([1])), edge_ref: hashBytes(new Uint8Array([3])), size: 2 }) }, 'BAD_SIGNATURE'],
      ['receipt for another intent', { ...genuine, intent_hash: b.intent_hash }, 'BAD_SIGNATURE'],
      ['unknown adapter', signedReceipt(testSigner('blob.rogue'), { intent_hash: a.intent_hash, status: 'ok', payload }), 'UNKNOWN_KEY'],
      ['short signature', { ...genuine, signature: genuine.signature.slice(0, 10) }, 'SIGNATURE_LENGTH'],
      ['payload not of the receipt schema', signedReceipt(BLOB_SIGNER, { intent_hash: a.intent_hash, status: 'ok', payload: cbor({ size: 1 }) }), 'PAYLOAD_INVALID'],
      ['ok with a failure message', signedReceipt(BLOB_SIGNER, { intent_hash: a.intent_hash, status: 'ok', payload: cbor('fine') }), 'PAYLOAD_INVALID'],
      ['unknown status', signedReceipt(BLOB_SIGNER, { intent_hash: a.intent_hash, status: 'maybe' as 'ok', payload }), 'STATUS_INVALID'],
    ];
    for (const [what, forged, reason] of forgeries) {
      const before = world.head.height;
      assert.throws(() => world.receipt(forged), (error: unknown) => error instanceof NodeError && error.code === 'RECEIPT_REJECTED' && error.message.includes(reason), what);
      const journaled = world.tail(before, 10);
      assert.deepEqual(journaled.map((record) => record.body.kind), ['receipt_rejected'], what);
      const rejected = journaled[0]?.body as Body<'receipt_rejected'>;
      assert.equal(rejected.reason, reason, what);
      assert.equal(rejected.payload_hash, hashBytes(forged.payload), what);
      assert.ok(world.openIntents().has(a.intent_hash) && world.openIntents().has(b.intent_hash), `${what}: both intents stay open`);
    }
    assert.deepEqual(settledOf(world), [], 'no forged receipt reached the workflow');

    world.receipt(genuine);
    assert.deepEqual(settledOf(world), ['blob.put:ok']);
    const head = world.head;
    assert.throws(() => world.receipt(genuine), (error: unknown) => error instanceof KernelError && error.code === 'DUPLICATE_RECEIPT', 'a duplicate');
    const afterSettlement = signedReceipt(BLOB_SIGNER, { intent_hash: a.intent_hash, status: 'error', payload: cbor('too late') });
    assert.throws(() => world.receipt(afterSettlement), (error: unknown) => error instanceof KernelError && error.code === 'DUPLICATE_RECEIPT', 'after settlement');
    const stranger = signedReceipt(BLOB_SIGNER, { intent_hash: hashBytes(new Uint8Array([42])), status: 'ok', payload });
    assert.throws(() => world.receipt(stranger), (error: unknown) => error instanceof KernelError && error.code === 'UNKNOWN_INTENT', 'an intent never emitted');
    assert.deepEqual(world.head, head, 'fenced receipts journal nothing');
    const failed = signedReceipt(BLOB_SIGNER, { intent_hash: b.intent_hash, status: 'error', payload: cbor('adapter said no') });
    world.receipt(failed);
    assert.deepEqual(settledOf(world), ['blob.put:ok', 'blob.put:error'], 'an error receipt may carry a failure message');
    world.snapshot();
    await world.verifyReplay();
  });
});

test('a world created on the embedded default trusts the node\'s adapter keys (aos key gen), and refuses receipts from others', async () => {
  const dir = await runnerDir();
  try {
    generateKey(dir, { name: 'blob.default', role: 'adapter' });
    generateKey(dir, { name: 'alice', role: 'principal' });
    const world = await EmbeddedWorld.create(dir, new FakeClock(8));
    try {
      assert.deepEqual([...world.trustedKeys().keys()], ['blob.default'], 'adapter keys only');
      const routes: ExecutorRoute[] = [{ adapter: new BlobAdapter(), signer: loadSigner(dir, 'blob.default') }];
      const executor = new EffectExecutor(world, routes);
      world.send(store(new Uint8Array([5])));
      executor.dispatch();
      await executor.idle();
      assert.deepEqual(settledOf(world), ['blob.put:ok']);

      const impostor = new EffectExecutor(world, [{ adapter: new BlobAdapter(), signer: BLOB_SIGNER }]);
      world.send(store(new Uint8Array([6])));
      impostor.dispatch();
      await impostor.idle();
      assert.equal(impostor.problems.length, 1);
      assert.match(impostor.problems[0]?.message ?? '', /RECEIPT_REJECTED|BAD_SIGNATURE/);
      assert.equal(bodies(all(world), 'receipt_rejected').length, 1);
      assert.equal(world.openIntents().size, 1, 'the intent waits for a receipt the world trusts');
      await world.verifyReplay();
    } finally {
      world.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.after(() => {
  if (built !== undefined) rmSync(built, { recursive: true, force: true });
});

test('an adapter resolves secrets only through the grant of the intent it runs: the executor asks its source for that grant', async () => {
  await withWorld(async (world) => {
    const asked: string[] = [];
    const secrets = {
      forGrant: (grant: string) => ({
        resolve: (name: string) => {
          asked.push(`${grant}:${name}`);
          throw new NodeError('SECRET_NOT_ALLOWED', `secret ${name} is not allowed for ${grant}`, 'test');
        },
      }),
    };
    const blobs = new BlobAdapter();
    const probing: Adapter = {
      id: blobs.id, kinds: blobs.kinds,
      execute: (intent, context) => {
        assert.throws(() => context.secrets.resolve('llm/openai_api@1'), /not allowed/);
        return blobs.execute(intent, context);
      },
    };
    const executor = new EffectExecutor(world, [{ adapter: probing, signer: BLOB_SIGNER }, { adapter: new TimerAdapter(new VirtualClock()), signer: TIMER_SIGNER, deadlineMs: null }], { secrets });
    const intent = onlyIntent(world.send(store(new TextEncoder().encode('secret probe'), 5_000)));
    executor.dispatch();
    await turnsUntil(() => settledOf(world).length === 1);
    assert.deepEqual(asked, [`${intent.grant}:llm/openai_api@1`], 'the source was asked once, for the grant that authorised the intent');
    executor.close();
  });
});
