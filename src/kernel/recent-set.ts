// The last few distinct keys seen, the oldest forgotten first. A Set's own insertion order would
// do, but V8 leaves deleted entries as holes that a new iterator skips (see bounded-lru.ts), so
// finding the oldest cost ~1 µs on every add once the set was full (~5 µs amid a round trip);
// here the order is a ring of keys beside the Set.
import { assert } from '../cbor/index.ts';

export class RecentSet<K> {
  private readonly members = new Set<K>();
  private readonly ring: Array<K | undefined>;
  private next = 0;

  constructor(readonly countMax: number) {
    assert(Number.isSafeInteger(countMax) && countMax > 0, 'a recent set keeps at least one key');
    this.ring = new Array<K | undefined>(countMax).fill(undefined);
  }

  get size(): number {
    return this.members.size;
  }

  has(key: K): boolean {
    return this.members.has(key);
  }

  /** Adds `key` as the newest (a key already held keeps its place), forgetting the oldest past countMax. */
  add(key: K): void {
    if (this.members.has(key)) return;
    const oldest = this.ring[this.next];
    if (oldest !== undefined) this.members.delete(oldest);
    this.ring[this.next] = key;
    this.next = (this.next + 1) % this.countMax;
    this.members.add(key);
  }
}
