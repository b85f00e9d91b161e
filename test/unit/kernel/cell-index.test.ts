// Goal: the CAS-backed cell index gives the same roots for the same cells whatever the history
// (insertion order, early writes, cache evictions, deletions); spills large states to their own
// blobs; keeps the hot cache within its bound without changing any result; restores lazily from
// a snapshot and carries on; and fails closed on corrupt nodes and on snapshots that disagree
// with the journal.
// Method: a CellTable driven directly over a memory store that counts reads, with histories
// drawn from a seeded generator (the seed is in every message); then real worlds (the keyed
// performance and counter fixtures) restored from real and doctored snapshot records.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { decodeCanonical, encodeCanonical, hashBytes } from '../../../src/cbor/index.ts';
import type { CborValue, Hash } from '../../../src/cbor/index.ts';
import { CELL_INDEX_LEAF_ENTRIES_MAX, CELL_STATE_INLINE_BYTES_MAX, CellTable, KernelError, readSnapshot, sealRecord, World, writeSnapshot } from '../../../src/kernel/index.ts';
import type { CellTableOptions, SealedRecord } from '../../../src/kernel/index.ts';
import { FakeClock, MemoryContent, MemoryJournal, ROOT, worldFixture } from '../../support/kernel-fixture.ts';

const SEED = Number(process.env.AOS_SIM_SEED ?? 20_240_611);
const M = 'test/Cells@1';
const cbor = (value: CborValue) => encodeCanonical(value, { selfDescribe: false });
const keyOf = (index: number) => cbor(`cell-${index}`);
const countState = (count: number) => cbor({ count });

/** A memory store that counts reads, to show what a restore and a lookup cost. */
class CountingContent extends MemoryContent {
  gets = 0;
  override get(hash: Hash): Uint8Array {
    this.gets += 1;
    return super.get(hash);
  }
}

/** mulberry32: a small seeded generator, so every history can be replayed from its seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled(count: number, next: () => number): number[] {
  const order = Array.from({ length: count }, (_, index) => index);
  for (let index = count - 1; index > 0; index -= 1) {
    const other = Math.floor(next() * (index + 1));
    [order[index], order[other]] = [order[other] ?? 0, order[index] ?? 0];
  }
  return order;
}

function put(table: CellTable, index: number, state: Uint8Array): void {
  const cell = table.ensure(M, keyOf(index));
  cell.state = state;
  cell.status = 'running';
}

function table(store: MemoryContent, options: CellTableOptions = {}): CellTable {
  return new CellTable(store, options);
}

function listing(cells: CellTable): Array<[string, string]> {
  return cells.of(M).map((cell) => [Buffer.from(cell.key ?? []).toString('hex'), Buffer.from(cell.state ?? []).toString('hex')]);
}

const UNBOUNDED: CellTableOptions = { cacheCellsMax: 1e9, cacheBytesMax: 1e12, deltaCellsMax: 1e9 };

test('the same cells give the same root whatever the order, early writes, evictions and undone changes', () => {
  const cells = 3 * CELL_INDEX_LEAF_ENTRIES_MAX; // a branch of leaves
  const ordered = table(new MemoryContent(), UNBOUNDED);
  for (let index = 0; index < cells; index += 1) put(ordered, index, countState(index));
  const expected = ordered.writeDelta();
  assert.equal(expected.size, 1);

  const next = random(SEED);
  const churned = table(new MemoryContent(), { cacheCellsMax: 50, deltaCellsMax: 100 });
  for (const index of shuffled(cells + 500, next)) {
    put(churned, index, countState(index >= cells ? -1 : index + 7)); // wrong values, or cells that will go
    churned.writeDeltaIfFull();
  }
  for (const index of shuffled(cells + 500, next)) {
    if (index >= cells) churned.delete(M, keyOf(index));
    else put(churned, index, countState(index));
    churned.writeDeltaIfFull();
  }
  assert.deepEqual(churned.writeDelta(), expected, `seed=${SEED}`);
  assert.deepEqual(listing(churned), listing(ordered), `seed=${SEED}`);
});

test('a state over the inline limit spills to its own blob and reads back whole; one at the limit stays inline', () => {
  const store = new CountingContent();
  const cells = table(store);
  const atLimit = new Uint8Array(CELL_STATE_INLINE_BYTES_MAX).fill(1);
  const overLimit = new Uint8Array(CELL_STATE_INLINE_BYTES_MAX + 1).fill(2);
  const large = new Uint8Array(300_000).fill(3);
  put(cells, 0, atLimit);
  put(cells, 1, overLimit);
  put(cells, 2, large);
  const roots = cells.writeDelta();
  assert.ok(store.nodes.has(hashBytes(overLimit)) && store.nodes.has(hashBytes(large)), 'large states are blobs of their own');
  assert.ok(!store.nodes.has(hashBytes(atLimit)), 'a state at the limit is not');
  const root = roots.get(M);
  assert.ok(root !== undefined);
  const leaf = decodeCanonical(store.get(root)) as { kind: string; entries: CborValue[][] };
  assert.equal(leaf.kind, 'leaf');
  assert.equal(leaf.entries.filter((entry) => entry[4] === null && typeof entry[5] === 'string').length, 2);
  assert.ok(store.get(root).length < 2 * CELL_STATE_INLINE_BYTES_MAX, 'the leaf holds hashes, not the large states');
  assert.deepEqual(encodeCanonical(leaf as unknown as CborValue), store.get(root), 'a leaf assembled from its entries is canonical CBOR');

  const restored = table(store);
  restored.restore(roots);
  assert.deepEqual(restored.get(M, keyOf(0))?.state, atLimit);
  assert.deepEqual(restored.get(M, keyOf(1))?.state, overLimit);
  assert.deepEqual(restored.get(M, keyOf(2))?.state, large);
});

test('deletions are changes: deleting cells gives the root of the cells left, deleting all leaves no root', () => {
  const store = new MemoryContent();
  const cells = table(store);
  // From a branch of leaves down to what one leaf holds: the branch collapses.
  const many = 3 * CELL_INDEX_LEAF_ENTRIES_MAX;
  const few = CELL_INDEX_LEAF_ENTRIES_MAX / 2;
  for (let index = 0; index < many; index += 1) put(cells, index, countState(index));
  cells.writeDelta();
  for (let index = few; index < many; index += 1) cells.delete(M, keyOf(index));
  cells.delete(M, keyOf(many + 9_999)); // never existed
  put(cells, many + 500, countState(500));
  cells.delete(M, keyOf(many + 500)); // created and deleted between writes
  const survivors = table(new MemoryContent());
  for (let index = 0; index < few; index += 1) put(survivors, index, countState(index));
  assert.deepEqual(cells.writeDelta(), survivors.writeDelta());
  assert.equal(cells.get(M, keyOf(few + 70)), undefined);
  assert.equal(cells.of(M).length, few);

  for (let index = 0; index < few; index += 1) cells.delete(M, keyOf(index));
  assert.equal(cells.writeDelta().size, 0, 'a module without cells has no root');
  assert.deepEqual(cells.of(M), []);
  const reborn = cells.ensure(M, keyOf(3));
  assert.equal(reborn.state, null, 'a deleted cell comes back empty');
});

test('50,000 cells through a 1,000-cell cache: the bound holds and every result matches an unbounded table', () => {
  const cells = 50_000;
  const store = new MemoryContent();
  const bounded = table(store, { cacheCellsMax: 1_000, deltaCellsMax: 8_192 });
  const unbounded = table(new MemoryContent(), UNBOUNDED);
  const both = [bounded, unbounded];
  for (let index = 0; index < cells; index += 1) {
    for (const target of both) {
      put(target, index, countState(0));
      target.writeDeltaIfFull();
    }
  }
  const next = random(SEED + 1);
  let cacheMax = 0;
  for (let op = 0; op < 20_000; op += 1) {
    const index = Math.floor(next() * cells);
    const reads = both.map((target) => target.get(M, keyOf(index))?.state ?? null);
    assert.deepEqual(reads[0], reads[1], `seed=${SEED + 1} op=${op}`);
    const count = Number((decodeCanonical(reads[0] ?? countState(0)) as { count: number }).count);
    for (const target of both) {
      if (op % 10 === 9) target.delete(M, keyOf(index));
      else put(target, index, countState(count + 1));
      target.writeDeltaIfFull();
    }
    cacheMax = Math.max(cacheMax, bounded.cachedCells);
    assert.ok(bounded.dirtyCells <= 8_192 + 1, `the delta is written once it passes its bound (op ${op})`);
  }
  assert.ok(cacheMax <= 1_000, `cache peaked at ${cacheMax}`);
  assert.equal(cacheMax, 1_000, 'the cache was used to its bound');
  assert.deepEqual(bounded.writeDelta(), unbounded.writeDelta(), `seed=${SEED + 1}`);
  assert.deepEqual(listing(bounded), listing(unbounded), `seed=${SEED + 1}`);
  assert.ok(bounded.cachedCells <= 1_000);
});

test('a restore reads only the roots; lookups read one path; the restored table carries on to the same roots', () => {
  const store = new CountingContent();
  const original = table(store);
  for (let index = 0; index < 10_000; index += 1) put(original, index, countState(index));
  const roots = original.writeDelta();
  store.gets = 0;
  const restored = table(store);
  restored.restore(roots);
  assert.equal(store.gets, 1, 'one root node read at restore');
  assert.deepEqual(restored.get(M, keyOf(4_321))?.state, countState(4_321));
  assert.ok(store.gets <= 5, `a lookup reads one path (${store.gets} nodes)`);
  const next = random(SEED + 2);
  for (let op = 0; op < 2_000; op += 1) {
    const index = Math.floor(next() * 12_000);
    for (const target of [original, restored]) {
      if (op % 7 === 0) target.delete(M, keyOf(index));
      else put(target, index, countState(op));
    }
  }
  assert.deepEqual(restored.writeDelta(), original.writeDelta(), `seed=${SEED + 2}`);
  assert.deepEqual(listing(restored), listing(original));
});

test('a corrupt or misplaced index node is refused with CELL_INDEX_CORRUPT, naming the node', () => {
  const store = new MemoryContent();
  const cells = table(store);
  const cellCount = 2 * CELL_INDEX_LEAF_ENTRIES_MAX;
  for (let index = 0; index < cellCount; index += 1) put(cells, index, countState(index));
  const roots = cells.writeDelta();
  const root = roots.get(M);
  assert.ok(root !== undefined);
  const branch = decodeCanonical(store.get(root)) as { kind: string; count: number; children: Array<[number, Hash, number]> };
  assert.equal(branch.kind, 'branch');
  assert.equal(branch.count, cellCount);
  const [, leafHash] = branch.children[0] ?? [];
  assert.ok(leafHash !== undefined);
  const corrupt = (error: unknown) => error instanceof KernelError && error.code === 'CELL_INDEX_CORRUPT';

  const flipped = store.get(leafHash).slice();
  flipped[flipped.length - 1] = (flipped[flipped.length - 1] ?? 0) ^ 1;
  store.nodes.set(leafHash, flipped);
  const reader = table(store);
  reader.restore(roots);
  assert.throws(() => reader.of(M), (error: unknown) => corrupt(error) && error instanceof Error && error.message.includes(leafHash));

  // A well-formed branch whose counts lie about its children.
  const lying = store.put(encodeCanonical({ kind: 'branch', count: branch.count + 1, children: branch.children.map(([digit, hash, count], index) => [digit, hash, index === 0 ? count + 1 : count]) }));
  const liar = table(store);
  liar.restore(new Map([[M, lying]]));
  assert.throws(() => liar.of(M), corrupt);
  // A branch too small to be one: the same cells must be a leaf, or roots would depend on history.
  const small = store.put(encodeCanonical({ kind: 'branch', count: CELL_INDEX_LEAF_ENTRIES_MAX, children: [[0, leafHash, CELL_INDEX_LEAF_ENTRIES_MAX]] }));
  assert.throws(() => table(store).restore(new Map([[M, small]])), corrupt);
  assert.throws(() => table(store).restore(new Map([[M, hashBytes(new Uint8Array([1, 2, 3]))]])), /missing/);
});

// ---- Worlds: snapshots restore lazily and fail closed -------------------------------------------

const KEYED = join(ROOT, 'worlds/ladder/12-performance-keyed');
const COUNTER = join(ROOT, 'worlds/ladder/00-counter');
const PERF = 'demo/PerfCounter@1';

async function keyedWorld() {
  const fixture = await worldFixture(KEYED);
  const store = new MemoryContent();
  const journal = new MemoryJournal();
  const clock = new FakeClock(11);
  const created = World.create(fixture.view, await fixture.modules(), store);
  journal.append(created.records);
  const send = (cell: string) => journal.append(created.world.submitEvent({ schema: 'demo/PerfEvent@1', value: cbor({ cell, inc: 1 }) }, clock.next()));
  return { fixture, store, journal, world: created.world, send };
}

function snapshotRecord(journal: MemoryJournal, nth = 0): SealedRecord {
  const record = journal.records.filter((candidate) => candidate.body.kind === 'snapshot')[nth];
  assert.ok(record !== undefined && record.body.kind === 'snapshot');
  return record;
}

test('a keyed world restored from a snapshot matches the live one cell by cell, and later snapshots agree byte for byte', async () => {
  const { fixture, store, journal, world, send } = await keyedWorld();
  for (let seq = 0; seq < 300; seq += 1) send(`cell-${seq % 90}`);
  journal.append(world.snapshot());
  for (let seq = 0; seq < 120; seq += 1) send(`cell-${seq % 3 === 0 ? seq % 90 : 90 + (seq % 40)}`);
  journal.append(world.snapshot());
  const first = snapshotRecord(journal);
  const restored = World.replay(fixture.view, await fixture.modules(), store, journal.records.filter((record) => record.height > first.height), first);
  assert.deepEqual(restored.head, world.head, 'the second snapshot record was reproduced byte for byte');
  const live = world.cells(PERF);
  assert.equal(live.length, 130);
  assert.deepEqual(restored.cells(PERF).map((cell) => [cell.key, cell.state, cell.status]), live.map((cell) => [cell.key, cell.state, cell.status]));
});

test('restoring fails closed when the snapshot disagrees with the journal or with this kernel', async () => {
  const { fixture, store, journal, world, send } = await keyedWorld();
  for (let seq = 0; seq < 80; seq += 1) send(`cell-${seq}`);
  journal.append(world.snapshot());
  const record = snapshotRecord(journal);
  assert.ok(record.body.kind === 'snapshot');
  const saved = readSnapshot(store, record.body.snapshot_hash);
  const otherManifest = hashBytes(new Uint8Array([9]));
  const restore = async (snapshotHash: Hash, manifestHash: Hash = record.body.kind === 'snapshot' ? record.body.manifest_hash : otherManifest) => {
    const doctored = sealRecord(record.height, record.prev, { kind: 'snapshot', snapshot_hash: snapshotHash, manifest_hash: manifestHash });
    return World.replay(fixture.view, await fixture.modules(), store, [], doctored);
  };
  const refused = (pattern: RegExp) => (error: unknown) => error instanceof KernelError && error.code === 'SNAPSHOT_INVALID' && pattern.test(error.message);

  await assert.rejects(restore(writeSnapshot(store, { ...saved, manifestHash: otherManifest })), refused(/manifest/));
  await assert.rejects(restore(record.body.snapshot_hash, otherManifest), refused(/manifest/));
  await assert.rejects(restore(writeSnapshot(store, { ...saved, height: saved.height - 1 })), refused(/height/));
  await assert.rejects(restore(writeSnapshot(store, { ...saved, chainHead: otherManifest })), refused(/after/));
  const stray = new Map(saved.cellRoots).set('demo/Elsewhere@1', [...saved.cellRoots.values()][0] ?? otherManifest);
  await assert.rejects(restore(writeSnapshot(store, { ...saved, cellRoots: stray })), refused(/demo\/Elsewhere@1/));
  const otherFormat = (pattern: RegExp) => (error: unknown) => error instanceof KernelError && error.code === 'SNAPSHOT_FORMAT' && pattern.test(error.message);
  await assert.rejects(restore(store.put(encodeCanonical({ version: 1, height: saved.height, cell_chunks: [], open: [] }))), otherFormat(/version 1/));
  const root = decodeCanonical(store.get(record.body.snapshot_hash)) as Record<string, CborValue>;
  await assert.rejects(restore(store.put(encodeCanonical({ ...root, cell_index: { leaf_entries_max: 32, branch_fanout: 16, state_inline_bytes_max: 4096 } }))), otherFormat(/other parameters/));
  const ok = await restore(record.body.snapshot_hash);
  assert.equal(ok.cells(PERF).length, 80);
});

test('a snapshot an older kernel wrote in another format is kept as journaled when replaying from genesis', async () => {
  const { fixture, store, journal, world, send } = await keyedWorld();
  for (let seq = 0; seq < 40; seq += 1) send(`cell-${seq % 7}`);
  journal.append(world.snapshot());
  const own = snapshotRecord(journal);
  assert.ok(own.body.kind === 'snapshot');
  // The same journal as an older kernel would have written it: its snapshot in another index format.
  const root = decodeCanonical(store.get(own.body.snapshot_hash)) as Record<string, CborValue>;
  const foreignHash = store.put(encodeCanonical({ ...root, cell_index: { leaf_entries_max: 64, branch_fanout: 16, state_inline_bytes_max: 4096 } }));
  const foreign = sealRecord(own.height, own.prev, { kind: 'snapshot', snapshot_hash: foreignHash, manifest_hash: own.body.manifest_hash });
  const before = journal.records.filter((record) => record.height < own.height);
  const replayed = World.replay(fixture.view, await fixture.modules(), store, [...before, foreign]);
  assert.deepEqual(replayed.head, { height: own.height + 1, hash: foreign.hash }, 'the chain goes on from the journaled record');
  const event = { schema: 'demo/PerfEvent@1', value: cbor({ cell: 'cell-3', inc: 5 }) };
  const next = replayed.submitEvent(event, { now_ns: 1n, logical_now_ns: 1_000_000n, entropy: new Uint8Array(64) });
  assert.equal(next[0]?.prev, foreign.hash);
  assert.deepEqual(replayed.cells(PERF).map((cell) => cell.key), world.cells(PERF).map((cell) => cell.key));
  // It cannot be restored from, only passed through; a foreign snapshot under another manifest is still refused.
  const modules = await fixture.modules();
  assert.throws(() => World.replay(fixture.view, modules, store, [], foreign), (error: unknown) => error instanceof KernelError && error.code === 'SNAPSHOT_FORMAT');
  const otherManifest = sealRecord(own.height, own.prev, { kind: 'snapshot', snapshot_hash: foreignHash, manifest_hash: hashBytes(new Uint8Array([7])) });
  assert.throws(() => World.replay(fixture.view, modules, store, [...before, otherManifest]), (error: unknown) => error instanceof KernelError && error.code === 'REPLAY_DIVERGED');
});

test('a non-keyed world snapshots and restores its single cell', async () => {
  const fixture = await worldFixture(COUNTER);
  const store = new MemoryContent();
  const journal = new MemoryJournal();
  const clock = new FakeClock(5);
  const created = World.create(fixture.view, await fixture.modules(), store);
  journal.append(created.records);
  journal.append(created.world.submitEvent({ schema: 'demo/CounterEvent@1', value: cbor({ $tag: 'Start', $value: { target: 2 } }) }, clock.next()));
  journal.append(created.world.snapshot());
  const record = snapshotRecord(journal);
  const restored = World.replay(fixture.view, await fixture.modules(), store, [], record);
  assert.deepEqual(restored.state('demo/CounterSM@1'), created.world.state('demo/CounterSM@1'));
  assert.equal(restored.cells('demo/CounterSM@1')[0]?.key, null);
});
