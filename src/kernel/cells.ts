// Workflow instances: one per (module, key); a non-keyed module has the single key null.
// Three layers hold them (DESIGN §6): dirty cells changed since the last write live in the
// delta; clean cells recently used sit in a bounded hot cache; every other cell is only in
// the module's CAS index, whose roots a snapshot records. Reads go delta → cache → index.
// What is in memory never changes a result, only how many CAS reads a result costs.
import { assert, toHex } from '../cbor/index.ts';
import type { Hash } from '../cbor/index.ts';
import { BoundedLru } from './bounded-lru.ts';
import { CellIndex } from './cell-index.ts';
import type { IndexChange } from './cell-index.ts';
import { corrupt, keyDigestOf, keyHashOf } from './cell-index-node.ts';
import type { IndexEntry } from './cell-index-node.ts';
import type { ContentStore } from './content-store.ts';
import { CELL_CACHE_BYTES_MAX, CELL_CACHE_CELLS_MAX, CELL_DELTA_CELLS_MAX, CELL_INDEX_NODE_CACHE_BYTES_MAX, CELL_STATE_INLINE_BYTES_MAX } from './limits.ts';

/** Where an instance is in its life. */
export type CellStatus = 'running' | 'waiting' | 'completed' | 'failed';

/** One workflow instance: its key, canonical state, status and the intents it waits on. */
export interface Cell {
  readonly module: string;
  readonly key: Uint8Array | null;
  state: Uint8Array | null;
  status: CellStatus;
  readonly open: Set<Hash>;
}

/** Memory bounds of a cell table; the defaults are the named limits, tests and benchmarks shrink them. */
export interface CellTableOptions {
  readonly cacheCellsMax?: number;
  readonly cacheBytesMax?: number;
  readonly deltaCellsMax?: number;
  readonly nodeCacheBytesMax?: number;
}

/** A changed cell awaiting its write: the cell, or null when it was deleted. */
interface DeltaSlot {
  readonly key: Uint8Array | null;
  readonly cell: Cell | null;
}

/** Memory a cached cell is charged beyond its bytes: the object, its set and map entries. */
const CELL_OVERHEAD_BYTES = 160;
/** Memory charged per open intent of a cached cell: a 71-character hash in a set. */
const OPEN_INTENT_BYTES = 80;

/** The key a cell is filed under: hex of its key bytes, or "" for a non-keyed module. */
export function cellId(key: Uint8Array | null | undefined): string {
  return key === null || key === undefined ? '' : toHex(key);
}

/** All instances of all modules; callers get a cell for writing with `ensure`/`modify`, for reading with `get`. */
export class CellTable {
  private readonly roots = new Map<string, Hash>();
  private readonly deltas = new Map<string, Map<string, DeltaSlot>>();
  private deltaCells = 0;
  private readonly cache: BoundedLru<Cell>;
  private readonly index: CellIndex;
  private readonly deltaCellsMax: number;

  constructor(store: ContentStore, options: CellTableOptions = {}) {
    this.cache = new BoundedLru(options.cacheCellsMax ?? CELL_CACHE_CELLS_MAX, options.cacheBytesMax ?? CELL_CACHE_BYTES_MAX);
    this.index = new CellIndex(store, options.nodeCacheBytesMax ?? CELL_INDEX_NODE_CACHE_BYTES_MAX);
    this.deltaCellsMax = options.deltaCellsMax ?? CELL_DELTA_CELLS_MAX;
  }

  /** Clean cells held in the hot cache now. */
  get cachedCells(): number {
    return this.cache.size;
  }

  /** Changed cells (deletions included) not yet written to the index. */
  get dirtyCells(): number {
    return this.deltaCells;
  }

  /** The cell for reading, or undefined when it does not exist. Do not change it: take it with `modify`. */
  get(module: string, key: Uint8Array | null | undefined): Cell | undefined {
    const id = cellId(key);
    const slot = this.deltas.get(module)?.get(id);
    if (slot !== undefined) return slot.cell ?? undefined;
    const cacheKey = cacheKeyOf(module, id);
    const cached = this.cache.get(cacheKey);
    if (cached !== undefined) return cached;
    const loaded = this.load(module, key ?? null);
    if (loaded !== undefined) this.cache.set(cacheKey, loaded, weightOf(loaded));
    return loaded;
  }

  /** The cell for (module, key) to change, created empty when it does not exist yet. */
  ensure(module: string, key: Uint8Array | null | undefined): Cell {
    return this.modify(module, key) ?? this.markDirty(module, cellId(key), { module, key: key ?? null, state: null, status: 'running', open: new Set() });
  }

  /** The existing cell for (module, key) to change, or undefined when there is none. */
  modify(module: string, key: Uint8Array | null | undefined): Cell | undefined {
    const id = cellId(key);
    const slot = this.deltas.get(module)?.get(id);
    if (slot !== undefined) return slot.cell ?? undefined;
    const cell = this.cache.delete(cacheKeyOf(module, id)) ?? this.load(module, key ?? null);
    return cell === undefined ? undefined : this.markDirty(module, id, cell);
  }

  /** Deletes a cell; the deletion is a change like any other until it is written. */
  delete(module: string, key: Uint8Array | null | undefined): void {
    const id = cellId(key);
    this.cache.delete(cacheKeyOf(module, id));
    this.setSlot(module, id, { key: key ?? null, cell: null });
  }

  /** The cells of one module, sorted by key bytes: the whole index is walked, the cache left as it was. */
  of(module: string): Cell[] {
    const found = new Map<string, Cell>();
    const root = this.roots.get(module);
    if (root !== undefined) {
      for (const entry of this.index.entries(root)) {
        const id = cellId(entry.key);
        found.set(id, this.cache.peek(cacheKeyOf(module, id)) ?? this.cellFrom(module, root, entry));
      }
    }
    for (const [id, slot] of this.deltas.get(module) ?? []) {
      if (slot.cell === null) found.delete(id);
      else found.set(id, slot.cell);
    }
    return [...found.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, cell]) => cell);
  }

  /** Writes the delta when it holds more than its bound; called between inputs, when no step holds a cell. */
  writeDeltaIfFull(): void {
    if (this.deltaCells > this.deltaCellsMax) this.writeDelta();
  }

  /** Writes every changed cell into its module's index and returns the roots of all modules that have cells. */
  writeDelta(): ReadonlyMap<string, Hash> {
    return this.index.batched(() => this.writeDeltaNow());
  }

  private writeDeltaNow(): ReadonlyMap<string, Hash> {
    for (const [module, slots] of this.deltas) {
      const changes = [...slots.values()].map((slot) => this.changeOf(slot)).sort((a, b) => (a.keyHash < b.keyHash ? -1 : 1));
      const root = this.index.write(this.roots.get(module) ?? null, changes);
      if (root === null) this.roots.delete(module);
      else this.roots.set(module, root);
      // Written cells are clean now: they join the cache, which may evict them at once.
      for (const [id, slot] of slots) if (slot.cell !== null) this.cache.set(cacheKeyOf(module, id), slot.cell, weightOf(slot.cell));
    }
    this.deltas.clear();
    this.deltaCells = 0;
    assert(this.cache.size <= this.cache.countMax, 'written cells joined a cache that kept its bound');
    return new Map(this.roots);
  }

  /** Points an empty table at a snapshot's roots; cells load when first used. */
  restore(roots: ReadonlyMap<string, Hash>): void {
    assert(this.roots.size === 0 && this.deltas.size === 0 && this.cache.size === 0, 'a table restores into nothing');
    for (const [module, root] of roots) {
      this.index.checkRoot(root);
      this.roots.set(module, root);
    }
  }

  private markDirty(module: string, id: string, cell: Cell): Cell {
    this.setSlot(module, id, { key: cell.key, cell });
    return cell;
  }

  private setSlot(module: string, id: string, slot: DeltaSlot): void {
    let slots = this.deltas.get(module);
    if (slots === undefined) {
      slots = new Map();
      this.deltas.set(module, slots);
    }
    if (!slots.has(id)) this.deltaCells += 1;
    slots.set(id, slot);
  }

  private load(module: string, key: Uint8Array | null): Cell | undefined {
    const root = this.roots.get(module);
    if (root === undefined) return undefined;
    const entry = this.index.lookup(root, keyHashOf(key));
    return entry === undefined ? undefined : this.cellFrom(module, root, entry);
  }

  private cellFrom(module: string, root: Hash, entry: IndexEntry): Cell {
    if (keyHashOf(entry.key) !== entry.keyHash) corrupt(root, `a ${module} cell below it is filed under a key hash that is not its key's`);
    const state = entry.stateHash === null ? entry.state : this.index.spilled(entry.stateHash);
    return { module, key: entry.key, state, status: entry.status, open: new Set(entry.open) };
  }

  private changeOf(slot: DeltaSlot): IndexChange {
    const { keyHash, keyDigest } = keyDigestOf(slot.key);
    const cell = slot.cell;
    if (cell === null) return { keyHash, entry: null };
    const spills = cell.state !== null && cell.state.length > CELL_STATE_INLINE_BYTES_MAX;
    return {
      keyHash,
      entry: {
        keyHash, keyDigest, key: cell.key, status: cell.status, open: [...cell.open].sort(),
        state: spills ? null : cell.state, stateHash: spills && cell.state !== null ? this.index.spill(cell.state) : null,
      },
    };
  }
}

function cacheKeyOf(module: string, id: string): string {
  return `${module}\u0000${id}`;
}

function weightOf(cell: Cell): number {
  return CELL_OVERHEAD_BYTES + (cell.key?.length ?? 0) + (cell.state?.length ?? 0) + cell.open.size * OPEN_INTENT_BYTES;
}
