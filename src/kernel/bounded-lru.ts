// A least-recently-used map with two bounds, an entry count and a total weight (bytes). The
// kernel keeps only rebuildable copies in it: forgetting an entry costs a CAS read, never a result.
import { assert } from '../cbor/index.ts';

interface Slot<V> {
  readonly key: string;
  readonly value: V;
  readonly weight: number;
  newer: Slot<V> | null;
  older: Slot<V> | null;
}

/** Entries by key, forgetting the least recently used past `countMax` entries or `weightMax` weight. */
export class BoundedLru<V> {
  // A linked list from oldest to newest: a Map's own insertion order would do, but V8 leaves
  // deleted entries as holes that every new iterator skips, so evicting the oldest costs O(n).
  private readonly slots = new Map<string, Slot<V>>();
  private oldest: Slot<V> | null = null;
  private newest: Slot<V> | null = null;
  private weightTotal = 0;

  constructor(readonly countMax: number, readonly weightMax: number) {
    assert(Number.isSafeInteger(countMax) && countMax >= 0, 'an LRU count bound is a whole number');
    assert(weightMax >= 0, 'an LRU weight bound is not negative');
  }

  get size(): number {
    return this.slots.size;
  }

  /** The value for `key`, marked as just used. */
  get(key: string): V | undefined {
    const slot = this.slots.get(key);
    if (slot === undefined) return undefined;
    if (slot !== this.newest) {
      this.unlink(slot);
      this.link(slot);
    }
    return slot.value;
  }

  /** The value for `key`, leaving the order alone (for walks that should not churn the cache). */
  peek(key: string): V | undefined {
    return this.slots.get(key)?.value;
  }

  /** Adds or replaces an entry as the most recent one, then forgets the oldest past either bound. */
  set(key: string, value: V, weight: number): void {
    assert(weight >= 0, 'an LRU entry weighs something or nothing');
    this.delete(key);
    const slot: Slot<V> = { key, value, weight, newer: null, older: null };
    this.slots.set(key, slot);
    this.link(slot);
    this.weightTotal += weight;
    for (let victim = this.oldest; victim !== null && (this.slots.size > this.countMax || this.weightTotal > this.weightMax); victim = this.oldest) {
      this.delete(victim.key);
    }
    assert(this.slots.size <= this.countMax && this.weightTotal <= this.weightMax, 'an LRU stays within its bounds');
  }

  /** Removes an entry; returns its value. */
  delete(key: string): V | undefined {
    const slot = this.slots.get(key);
    if (slot === undefined) return undefined;
    this.slots.delete(key);
    this.unlink(slot);
    this.weightTotal -= slot.weight;
    return slot.value;
  }

  private link(slot: Slot<V>): void {
    slot.older = this.newest;
    slot.newer = null;
    if (this.newest !== null) this.newest.newer = slot;
    this.newest = slot;
    if (this.oldest === null) this.oldest = slot;
  }

  private unlink(slot: Slot<V>): void {
    if (slot.older !== null) slot.older.newer = slot.newer;
    else this.oldest = slot.newer;
    if (slot.newer !== null) slot.newer.older = slot.older;
    else this.newest = slot.older;
    slot.newer = null;
    slot.older = null;
  }
}
