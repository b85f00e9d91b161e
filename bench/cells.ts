// cells: the CAS-backed cell index on its own (no QuickJS): 200,000 cells inserted and updated
// through a 10,000-cell hot cache, snapshots of all of them and of 1% of them, a lazy restore
// and reads after it. The store is in memory, so RSS includes every node version written.
import { encodeCanonical, hashBytes } from '../src/cbor/index.ts';
import type { Hash } from '../src/cbor/index.ts';
import { CellTable } from '../src/kernel/index.ts';
import type { ContentStore } from '../src/kernel/index.ts';
import type { BenchResult } from './report.ts';
import { rssMb, secondsSince } from './world-kit.ts';

const CELLS = 200_000;
const CACHE_CELLS = 10_000;
const FEW_CELLS = CELLS / 100;
const READS = 20_000;
const MODULE = 'bench/Cells@1';

/** Nodes in memory, hashed on put like a real CAS. */
class MemoryStore implements ContentStore {
  readonly nodes = new Map<Hash, Uint8Array>();
  bytes = 0;
  put(bytes: Uint8Array): Hash {
    const hash = hashBytes(bytes);
    if (!this.nodes.has(hash)) this.bytes += bytes.length;
    this.nodes.set(hash, bytes);
    return hash;
  }
  get(hash: Hash): Uint8Array {
    const bytes = this.nodes.get(hash);
    if (bytes === undefined) throw new Error(`bench store: missing ${hash}`);
    return bytes;
  }
}

const keyOf = (index: number) => encodeCanonical(`customer-${index}`, { selfDescribe: false });
const stateOf = (count: number) => encodeCanonical({ count, last: 'a typical small workflow state', open: false }, { selfDescribe: false });

/** A seeded permutation, so every run touches cells in the same order. */
function permutation(count: number, seed: number): number[] {
  const order = Array.from({ length: count }, (_, index) => index);
  let state = seed;
  for (let index = count - 1; index > 0; index -= 1) {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    const other = state % (index + 1);
    [order[index], order[other]] = [order[other] ?? 0, order[index] ?? 0];
  }
  return order;
}

function timed<T>(work: () => T): { value: T; ms: number } {
  const start = process.hrtime.bigint();
  const value = work();
  return { value, ms: Math.round(secondsSince(start) * 10_000) / 10 };
}

function touch(cells: CellTable, indices: readonly number[], count: number): void {
  for (const index of indices) {
    cells.ensure(MODULE, keyOf(index)).state = stateOf(count);
    cells.writeDeltaIfFull(); // as the world does between inputs
  }
}

export async function run(): Promise<BenchResult> {
  const store = new MemoryStore();
  const cells = new CellTable(store, { cacheCellsMax: CACHE_CELLS });
  const all = permutation(CELLS, 7);
  const insert = timed(() => touch(cells, all, 0));
  const first = timed(() => cells.writeDelta());
  const few = all.slice(0, FEW_CELLS);
  const fewTouch = timed(() => touch(cells, few, 1));
  const fewSnapshot = timed(() => cells.writeDelta());
  const update = timed(() => touch(cells, permutation(CELLS, 11), 2));
  const full = timed(() => cells.writeDelta());
  const rssPeak = rssMb();

  const restored = new CellTable(store, { cacheCellsMax: CACHE_CELLS });
  const restore = timed(() => restored.restore(full.value));
  const reads = timed(() => {
    for (const index of permutation(CELLS, 13).slice(0, READS)) {
      if (restored.get(MODULE, keyOf(index)) === undefined) throw new Error(`cell ${index} lost`);
    }
  });
  const listing = timed(() => restored.of(MODULE).length);
  if (listing.value !== CELLS) throw new Error(`expected ${CELLS} cells, listed ${listing.value}`);
  return {
    name: 'cells',
    metrics: {
      insert_cells_per_s: Math.round(CELLS / (insert.ms / 1000)),
      update_cells_per_s: Math.round(CELLS / (update.ms / 1000)),
      snapshot_first_ms: first.ms,
      snapshot_after_all_updated_ms: full.ms,
      snapshot_after_1pct_updated_ms: fewSnapshot.ms,
      touch_1pct_ms: fewTouch.ms,
      restore_ms: restore.ms,
      read_after_restore_us: Math.round((reads.ms * 1000) / READS),
      list_all_cells_ms: listing.ms,
      rss_mb: rssPeak,
      store_mb: Math.round(store.bytes / 1024 / 102.4) / 10,
      cached_cells: cells.cachedCells,
    },
    params: { cells: CELLS, cache_cells: CACHE_CELLS, state_bytes: stateOf(0).length, note: 'snapshot_first_ms writes what is still dirty after the early delta writes during insert' },
  };
}
