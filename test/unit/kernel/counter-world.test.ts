// Goal: the kernel services inputs deterministically and replays exactly (replay or die), from
// genesis and from a snapshot, for the ladder's counter and keyed performance worlds.
// Method: real AIR, real TypeScript modules bundled and run in QuickJS, a fake clock; compare
// state and journal bytes between the live run and the replays; then corrupt the journal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { decodeCanonical, encodeCanonical } from '../../../src/cbor/index.ts';
import type { CborValue } from '../../../src/cbor/index.ts';
import { KernelError, openRecord, World } from '../../../src/kernel/index.ts';
import { FakeClock, MemoryContent, MemoryJournal, ROOT, worldFixture } from '../../support/kernel-fixture.ts';

const COUNTER = join(ROOT, 'worlds/ladder/00-counter');
const KEYED = join(ROOT, 'worlds/ladder/12-performance-keyed');
const cbor = (value: CborValue) => encodeCanonical(value, { selfDescribe: false });

test('00-counter: Start{3} and three Ticks end Done with 0 remaining; replay from genesis and from a snapshot match', async () => {
  const fixture = await worldFixture(COUNTER);
  const store = new MemoryContent();
  const journal = new MemoryJournal();
  const clock = new FakeClock();
  const modules = await fixture.modules();
  const created = World.create(fixture.view, modules, store);
  journal.append(created.records);
  const world = created.world;
  const send = (value: CborValue) => journal.append(world.submitEvent({ schema: 'demo/CounterEvent@1', value: cbor(value) }, clock.next()));
  send({ $tag: 'Start', $value: { target: 3 } });
  send({ $tag: 'Tick' });
  journal.append(world.snapshot());
  send({ $tag: 'Tick' });
  send({ $tag: 'Tick' });
  send({ $tag: 'Tick' });
  assert.deepEqual(decodeCanonical(world.state('demo/CounterSM@1') ?? new Uint8Array()), { pc: { $tag: 'Done' }, remaining: 0 });
  assert.equal(journal.records.length, 1 + 5 + 1);

  const fromGenesis = World.replay(fixture.view, await fixture.modules(), store, journal.records);
  assert.deepEqual(fromGenesis.state('demo/CounterSM@1'), world.state('demo/CounterSM@1'));
  assert.deepEqual(fromGenesis.head, world.head);
  const snapshot = journal.records.find((record) => record.body.kind === 'snapshot');
  assert.ok(snapshot !== undefined);
  const fromSnapshot = World.replay(fixture.view, await fixture.modules(), store, journal.records.filter((record) => record.height > snapshot.height), snapshot);
  assert.deepEqual(fromSnapshot.state('demo/CounterSM@1'), world.state('demo/CounterSM@1'));
  assert.deepEqual(fromSnapshot.head, world.head);
  modules.dispose();
});

test('records are a hash chain of canonical bytes that decode back to themselves', async () => {
  const fixture = await worldFixture(COUNTER);
  const store = new MemoryContent();
  const created = World.create(fixture.view, await fixture.modules(), store);
  const records = [...created.records, ...created.world.submitEvent({ schema: 'demo/CounterEvent@1', value: cbor({ $tag: 'Start', $value: { target: 2 } }) }, new FakeClock().next())];
  records.forEach((record, index) => {
    assert.equal(record.height, index);
    assert.equal(record.prev, index === 0 ? null : records[index - 1]?.hash);
    assert.deepEqual(openRecord(record.bytes, index).bytes, record.bytes);
  });
});

test('bad input is refused before anything is journaled, and the world keeps serving', async () => {
  const fixture = await worldFixture(COUNTER);
  const { world } = World.create(fixture.view, await fixture.modules(), new MemoryContent());
  const clock = new FakeClock();
  const head = world.head;
  assert.throws(() => world.submitEvent({ schema: 'demo/Nope@1', value: cbor(null) }, clock.next()), (error: unknown) => error instanceof KernelError && error.code === 'UNKNOWN_SCHEMA' && /demo\/CounterEvent@1/.test(error.message));
  assert.throws(() => world.submitEvent({ schema: 'demo/CounterEvent@1', value: cbor({ $tag: 'Jump' }) }, clock.next()), (error: unknown) => error instanceof KernelError && error.code === 'INVALID_EVENT' && /Jump/.test(error.message));
  assert.throws(() => world.submitEvent({ schema: 'demo/CounterEvent@1', value: cbor({ $tag: 'Start', $value: { target: -1 } }) }, clock.next()), /INVALID|not a demo\/CounterEvent@1/);
  assert.deepEqual(world.head, head);
  assert.equal(world.submitEvent({ schema: 'demo/CounterEvent@1', value: cbor({ $tag: 'Tick' }) }, clock.next()).length, 1);
});

test('12-performance keyed: events route by key_field to one cell per key; replay matches every cell', async () => {
  const fixture = await worldFixture(KEYED);
  const store = new MemoryContent();
  const journal = new MemoryJournal();
  const clock = new FakeClock(7);
  const created = World.create(fixture.view, await fixture.modules(), store);
  journal.append(created.records);
  const messages = 100;
  const cellCount = 10;
  for (let seq = 0; seq < messages; seq += 1) {
    journal.append(created.world.submitEvent({ schema: 'demo/PerfEvent@1', value: cbor({ cell: `cell-${seq % cellCount}`, inc: 1 }) }, clock.next()));
    if (seq === 50) journal.append(created.world.snapshot());
  }
  const cells = created.world.cells('demo/PerfCounter@1');
  assert.equal(cells.length, cellCount);
  let total = 0;
  for (const cell of cells) {
    const key = decodeCanonical(cell.key ?? new Uint8Array()) as string;
    assert.match(key, /^cell-\d$/);
    const count = Number((decodeCanonical(cell.state ?? new Uint8Array()) as { count: number }).count);
    assert.equal(count, messages / cellCount);
    total += count;
  }
  assert.equal(total, messages);
  const replayed = World.replay(fixture.view, await fixture.modules(), store, journal.records);
  for (const cell of cells) assert.deepEqual(replayed.state('demo/PerfCounter@1', cell.key), cell.state);
  const snapshot = journal.records.find((record) => record.body.kind === 'snapshot');
  assert.ok(snapshot !== undefined);
  const partial = World.replay(fixture.view, await fixture.modules(), store, journal.records.filter((record) => record.height > snapshot.height), snapshot);
  for (const cell of cells) assert.deepEqual(partial.state('demo/PerfCounter@1', cell.key), cell.state);
});

test('a flipped byte in the journal is caught on replay, naming the height', async () => {
  const fixture = await worldFixture(COUNTER);
  const store = new MemoryContent();
  const created = World.create(fixture.view, await fixture.modules(), store);
  const clock = new FakeClock();
  const records = [...created.records];
  for (let i = 0; i < 4; i += 1) records.push(...created.world.submitEvent({ schema: 'demo/CounterEvent@1', value: cbor(i === 0 ? { $tag: 'Start', $value: { target: 5 } } : { $tag: 'Tick' }) }, clock.next()));
  const tampered = records.map((record) => record);
  const victim = tampered[3];
  assert.ok(victim !== undefined);
  const bytes = victim.bytes.slice();
  bytes[bytes.length - 5] = (bytes[bytes.length - 5] ?? 0) ^ 0x01;
  const modules = await fixture.modules();
  assert.throws(() => {
    const reopened = tampered.map((record, height) => (height === 3 ? openRecord(bytes, height) : record));
    World.replay(fixture.view, modules, store, reopened);
  }, (error: unknown) => error instanceof KernelError && /height 3/.test(error.message));
});
