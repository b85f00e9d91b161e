// Goal: a misbehaving step fails only its instance, with a journaled fault, and the world keeps
// serving; effects become open work with stable identities and their receipts go back to the
// emitting instance; a leaky module (state in a closure) still replays exactly.
// Method: the leaky test world (test/fixtures/worlds/leaky) bundled and run in QuickJS with a
// fake clock; faults, intents and receipts inspected in the journal; replays from genesis and
// from a snapshot compared cell by cell.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { decodeCanonical, encodeCanonical } from '../../../src/cbor/index.ts';
import type { CborValue } from '../../../src/cbor/index.ts';
import { KernelError, World } from '../../../src/kernel/index.ts';
import type { SealedRecord } from '../../../src/kernel/index.ts';
import { FakeClock, MemoryContent, MemoryJournal, ROOT, worldFixture } from '../../support/kernel-fixture.ts';
import { signedReceipt, testSigner, trustedFor } from '../../support/receipt-keys.ts';

const HTTP_SIGNER = testSigner('test.http');

const LEAKY = join(ROOT, 'test/fixtures/worlds/leaky');
const MODULE = 'test/Leaky@1';
const cbor = (value: CborValue) => encodeCanonical(value, { selfDescribe: false });
const op = (cell: string, value: CborValue) => ({ schema: 'test/LeakyEvent@1', value: cbor({ cell, op: value }) });
const key = (cell: string) => cbor(cell);
const stateOf = (world: World, cell: string) => decodeCanonical(world.state(MODULE, key(cell)) ?? new Uint8Array()) as { count: number; hidden: number };

async function start() {
  const fixture = await worldFixture(LEAKY);
  const store = new MemoryContent();
  const journal = new MemoryJournal();
  const clock = new FakeClock(3);
  const created = World.create(fixture.view, await fixture.modules(), store, trustedFor(HTTP_SIGNER));
  journal.append(created.records);
  const world = created.world;
  const send = (event: ReturnType<typeof op>): SealedRecord[] => {
    const records = world.submitEvent(event, clock.next());
    journal.append(records);
    return records;
  };
  return { fixture, store, journal, clock, world, send };
}

test('a runaway loop, a bad state and an undeclared effect each fail the instance with a journaled fault; the world keeps serving', async () => {
  const { world, send } = await start();
  send(op('a', { $tag: 'Inc', $value: 2 }));
  for (const [bad, expected] of [[{ $tag: 'Loop' }, /over_limit|instruction budget/], [{ $tag: 'BadState' }, /invalid_output.*state/s], [{ $tag: 'Undeclared' }, /timer\.set.*effects_emitted/]] as const) {
    const records = send(op('a', bad));
    const fault = records.find((record) => record.body.kind === 'workflow_fault');
    assert.ok(fault !== undefined && fault.body.kind === 'workflow_fault', `fault for ${bad.$tag}`);
    assert.match(`${fault.body.failure.kind}: ${fault.body.failure.message}`, expected);
    assert.equal(world.cells(MODULE).find((cell) => cell.key !== null && decodeCanonical(cell.key) === 'a')?.status, 'failed');
    assert.equal(stateOf(world, 'a').count, 2, 'a failed step changes no state');
  }
  send(op('b', { $tag: 'Inc', $value: 5 }));
  send(op('a', { $tag: 'Inc', $value: 1 }));
  assert.equal(stateOf(world, 'a').count, 3);
  assert.equal(stateOf(world, 'b').count, 5);
});

test('effects become open work with a stable intent hash; the receipt returns to the emitting cell; late receipts are fenced', async () => {
  const { world, send, journal, clock, fixture, store } = await start();
  const records = send(op('fetcher', { $tag: 'Fetch', $value: 'https://example.com/a' }));
  const intent = records.find((record) => record.body.kind === 'effect_intent');
  assert.ok(intent !== undefined && intent.body.kind === 'effect_intent');
  assert.equal(intent.body.effect_kind, 'http.request');
  assert.equal(world.openIntents().size, 1);
  assert.equal(world.cells(MODULE)[0]?.status, 'waiting');
  const receiptPayload = cbor({ status: 200, headers: {}, body_ref: null, timings: { start_ns: 1, end_ns: 2 }, adapter_id: 'test' });
  const receipt = signedReceipt(HTTP_SIGNER, { intent_hash: intent.body.intent_hash, status: 'ok', payload: receiptPayload });
  journal.append(world.submitReceipt(receipt, clock.next()));
  assert.equal(stateOf(world, 'fetcher').count, 1000);
  assert.equal(world.openIntents().size, 0);
  assert.throws(() => world.submitReceipt(receipt, clock.next()), (error: unknown) => error instanceof KernelError && error.code === 'DUPLICATE_RECEIPT');
  const replayed = World.replay(fixture.view, await fixture.modules(), store, journal.records);
  assert.deepEqual(replayed.state(MODULE, key('fetcher')), world.state(MODULE, key('fetcher')));
});

test('emitted domain events are journaled after the step that emitted them', async () => {
  const { send } = await start();
  send(op('x', { $tag: 'Inc', $value: 4 }));
  const records = send(op('x', { $tag: 'Emit' }));
  const emitted = records.find((record) => record.body.kind === 'domain_event' && record.body.origin.kind === 'workflow');
  assert.ok(emitted !== undefined && emitted.body.kind === 'domain_event');
  assert.equal(emitted.body.schema, 'test/Noted@1');
  assert.deepEqual(decodeCanonical(emitted.body.value), { cell: 'x', count: 4 });
});

test('a leaky module (a counter in a closure) replays exactly from genesis and from a snapshot, after a "crash"', async () => {
  const { world, send, journal, fixture, store } = await start();
  for (let i = 0; i < 7; i += 1) send(op(`c${i % 3}`, { $tag: 'Inc', $value: 1 }));
  journal.append(world.snapshot());
  for (let i = 0; i < 5; i += 1) send(op(`c${i % 3}`, { $tag: 'Inc', $value: 1 }));
  assert.equal(stateOf(world, 'c0').hidden, 4, 'c0 last stepped as the 4th step since the snapshot recycled the context');
  // Crash: all in-memory state is gone; the journal and CAS survive.
  const snapshot = journal.records.find((record) => record.body.kind === 'snapshot');
  assert.ok(snapshot !== undefined);
  const restored = World.replay(fixture.view, await fixture.modules(), store, journal.records.filter((record) => record.height > snapshot.height), snapshot);
  const full = World.replay(fixture.view, await fixture.modules(), store, journal.records);
  for (const cell of ['c0', 'c1', 'c2']) {
    assert.deepEqual(restored.state(MODULE, key(cell)), world.state(MODULE, key(cell)), cell);
    assert.deepEqual(full.state(MODULE, key(cell)), world.state(MODULE, key(cell)), cell);
  }
  // The restored world goes on exactly as the original would.
  const stamp = { now_ns: 1n << 62n, logical_now_ns: 1n << 40n, entropy: new Uint8Array(64).fill(9) };
  const next = op('c0', { $tag: 'Inc', $value: 1 });
  assert.deepEqual(restored.submitEvent(next, stamp).map((record) => record.bytes), world.submitEvent(next, stamp).map((record) => record.bytes));
});

test('an aborted delivery is journaled as a fault and replay honours it without stepping', async () => {
  const { world, journal, clock, fixture, store } = await start();
  const records = world.submitEvent(op('slow', { $tag: 'Inc', $value: 1 }), clock.next(), { aborts: [0] });
  journal.append(records);
  const fault = records.find((record) => record.body.kind === 'workflow_fault');
  assert.ok(fault !== undefined && fault.body.kind === 'workflow_fault' && fault.body.failure.kind === 'aborted');
  assert.equal(world.state(MODULE, key('slow')), null);
  const replayed = World.replay(fixture.view, await fixture.modules(), store, journal.records);
  assert.deepEqual(replayed.head, world.head);
});
