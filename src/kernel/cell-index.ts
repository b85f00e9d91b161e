// The cell index of one module: a persistent hash trie in CAS from key hash to cell, read
// lazily and written copy-on-write. A write rewrites only the paths to changed cells and
// reuses every other subtree by hash; node shapes are in cell-index-node.ts.
import { assert, hashBytes } from '../cbor/index.ts';
import type { Hash } from '../cbor/index.ts';
import { BoundedLru } from './bounded-lru.ts';
import { CELL_INDEX_DEPTH_MAX, checkPlacement, corrupt, decodeNode, digitAt, encodeBranch, encodeLeaf } from './cell-index-node.ts';
import type { BranchChild, IndexEntry, IndexNode } from './cell-index-node.ts';
import type { ContentStore } from './content-store.ts';
import { CELL_INDEX_LEAF_ENTRIES_MAX, CELL_INDEX_WRITE_BATCH_MAX, CELL_STATE_INLINE_BYTES_MAX } from './limits.ts';

/** A change to one cell: its new entry, or null to delete it. */
export interface IndexChange {
  readonly keyHash: string;
  readonly entry: IndexEntry | null;
}

/** A node and the cells below it, as its parent records it. */
interface NodeRef {
  readonly hash: Hash;
  readonly count: number | undefined;
}

/** Reads and writes index nodes in a content store, keeping recently used nodes decoded. */
export class CellIndex {
  private readonly nodes: BoundedLru<IndexNode>;
  /** Objects written by the batch in progress, stored together when it ends (see `batched`). */
  private pending: Map<Hash, Uint8Array> | null = null;

  constructor(private readonly store: ContentStore, nodeCacheBytesMax: number) {
    // Bounded by bytes only: a node's size, not the number of nodes, is what memory pays for.
    this.nodes = new BoundedLru(Number.MAX_SAFE_INTEGER, nodeCacheBytesMax);
  }

  /**
   * Runs `work` with its writes held back and stored in one `putMany` at the end: a snapshot
   * writes hundreds of nodes, and storing each alone cost a file and a folder fsync apiece.
   * Nothing reads the store for a held-back node: reads see the batch first.
   */
  batched<T>(work: () => T): T {
    assert(this.pending === null, 'index write batches do not nest');
    const pending = new Map<Hash, Uint8Array>();
    this.pending = pending;
    let result: T;
    try {
      result = work();
    } finally {
      this.pending = null;
    }
    this.storeAll([...pending.values()], [...pending.keys()]);
    return result;
  }

  /** Reads a root, so a snapshot naming a missing or corrupt root fails when it is restored, not mid-step. */
  checkRoot(root: Hash): void {
    this.read({ hash: root, count: undefined }, '');
  }

  /** The entry for a key hash under `root`: one path of nodes, from the cache where it can. */
  lookup(root: Hash, keyHash: string): IndexEntry | undefined {
    let ref: NodeRef = { hash: root, count: undefined };
    for (let depth = 0; depth < CELL_INDEX_DEPTH_MAX; depth += 1) {
      const node = this.read(ref, keyHash.slice(0, depth));
      if (node.kind === 'leaf') return findEntry(node.entries, keyHash);
      const digit = digitAt(keyHash, depth);
      const child = node.children.find((candidate) => candidate.digit === digit);
      if (child === undefined) return undefined;
      ref = child;
    }
    return corrupt(root, 'it is deeper than a key hash has digits');
  }

  /** Every entry under `root`, in key hash order. */
  entries(root: Hash): IndexEntry[] {
    const found: IndexEntry[] = [];
    const pending: Array<{ ref: NodeRef; prefix: string }> = [{ ref: { hash: root, count: undefined }, prefix: '' }];
    for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
      if (item.prefix.length >= CELL_INDEX_DEPTH_MAX) corrupt(root, 'it is deeper than a key hash has digits');
      const node = this.read(item.ref, item.prefix);
      if (node.kind === 'leaf') {
        found.push(...node.entries);
        continue;
      }
      // Pushed in reverse so the lowest digit is walked first.
      for (let index = node.children.length - 1; index >= 0; index -= 1) {
        const child = node.children[index];
        assert(child !== undefined, 'a branch child exists at every index below its length');
        pending.push({ ref: child, prefix: item.prefix + child.digit.toString(16) });
      }
    }
    return found;
  }

  /** Stores a state too large for a leaf; returns the hash its entry records. */
  spill(state: Uint8Array): Hash {
    assert(state.length > CELL_STATE_INLINE_BYTES_MAX, 'only states too large for a leaf spill');
    return this.put(state);
  }

  /** The bytes of a spilled state, checked against its hash and the spill rule. */
  spilled(hash: Hash): Uint8Array {
    const bytes = this.get(hash);
    if (hashBytes(bytes) !== hash) corrupt(hash, 'this spilled cell state does not match its hash');
    if (bytes.length <= CELL_STATE_INLINE_BYTES_MAX) corrupt(hash, `this spilled cell state is ${bytes.length} bytes, small enough to sit in its leaf`);
    return bytes;
  }

  /** Applies changes (sorted by key hash, one per key) under `root`; returns the new root, or null when no cell is left. */
  write(root: Hash | null, changes: readonly IndexChange[]): Hash | null {
    assert(changes.every((change, index) => index === 0 || (changes[index - 1]?.keyHash ?? '') < change.keyHash), 'index changes are sorted, one per key');
    if (changes.length === 0) return root;
    return this.writeAt(root === null ? null : { hash: root, count: undefined }, 0, changes)?.hash ?? null;
  }

  // Recursion here is bounded by CELL_INDEX_DEPTH_MAX (the digits of a key hash), not by input.
  private writeAt(ref: NodeRef | null, depth: number, changes: readonly IndexChange[]): WrittenNode | null {
    assert(depth < CELL_INDEX_DEPTH_MAX, 'the index is no deeper than a key hash has digits');
    const prefix = changes[0]?.keyHash.slice(0, depth) ?? '';
    const node = ref === null ? null : this.read(ref, prefix);
    if (node === null || node.kind === 'leaf') return this.build(merge(node?.entries ?? [], changes), depth);
    const children = new Map<number, BranchChild>(node.children.map((child) => [child.digit, child]));
    for (const [digit, group] of groupByDigit(changes, depth)) {
      const written = this.writeAt(children.get(digit) ?? null, depth + 1, group);
      if (written === null) children.delete(digit);
      else children.set(digit, { digit, ...written });
    }
    const sorted = [...children.values()].sort((a, b) => a.digit - b.digit);
    const count = sorted.reduce((sum, child) => sum + child.count, 0);
    if (count > CELL_INDEX_LEAF_ENTRIES_MAX) return this.putBranch(count, sorted);
    // Shrunk to a leaf's worth: collapse, so the shape depends on the cells and not on their history.
    const entries = sorted.flatMap((child) => {
      const leaf = this.read(child, prefix + child.digit.toString(16));
      assert(leaf.kind === 'leaf', 'a subtree of at most a leaf\'s worth of cells is a leaf');
      return leaf.entries;
    });
    return this.build(entries, depth);
  }

  /** The canonical subtree for entries sorted by key hash: a leaf if they fit, else a branch of subtrees. */
  private build(entries: readonly IndexEntry[], depth: number): WrittenNode | null {
    if (entries.length === 0) return null;
    if (entries.length <= CELL_INDEX_LEAF_ENTRIES_MAX) return this.putLeaf(entries);
    assert(depth < CELL_INDEX_DEPTH_MAX - 1, 'distinct key hashes part before their last digit');
    const children: BranchChild[] = [];
    for (const [digit, group] of groupByDigit(entries, depth)) {
      const child = this.build(group, depth + 1);
      assert(child !== null, 'a non-empty group builds a node');
      children.push({ digit, ...child });
    }
    return this.putBranch(entries.length, children);
  }

  private putLeaf(entries: readonly IndexEntry[]): WrittenNode {
    const bytes = encodeLeaf(entries);
    const hash = this.put(bytes);
    this.nodes.set(hash, { kind: 'leaf', entries }, bytes.length);
    return { hash, count: entries.length };
  }

  private putBranch(count: number, children: readonly BranchChild[]): WrittenNode {
    assert(count > CELL_INDEX_LEAF_ENTRIES_MAX, 'a branch holds more than a leaf can');
    const bytes = encodeBranch(count, children);
    const hash = this.put(bytes);
    this.nodes.set(hash, { kind: 'branch', count, children }, bytes.length);
    return { hash, count };
  }

  private put(bytes: Uint8Array): Hash {
    if (this.pending === null) return this.store.put(bytes);
    const hash = hashBytes(bytes);
    this.pending.set(hash, bytes);
    return hash;
  }

  private get(hash: Hash): Uint8Array {
    return this.pending?.get(hash) ?? this.store.get(hash);
  }

  private storeAll(batch: readonly Uint8Array[], hashes: readonly Hash[]): void {
    const putMany = this.store.putMany?.bind(this.store);
    for (let start = 0; start < batch.length; start += CELL_INDEX_WRITE_BATCH_MAX) {
      const chunk = batch.slice(start, start + CELL_INDEX_WRITE_BATCH_MAX);
      const stored = putMany === undefined ? chunk.map((bytes) => this.store.put(bytes)) : putMany(chunk);
      assert(stored.every((hash, index) => hash === hashes[start + index]), 'the store names each node by the hash the index computed');
    }
  }

  /** A node from the cache or the store, checked against where its parent put it. */
  private read(ref: NodeRef, prefix: string): IndexNode {
    let node = this.nodes.get(ref.hash);
    if (node === undefined) {
      const bytes = this.get(ref.hash);
      node = decodeNode(bytes, ref.hash);
      this.nodes.set(ref.hash, node, bytes.length);
    }
    checkPlacement(node, ref.hash, prefix, ref.count);
    return node;
  }
}

/** A written node with the cells below it. */
interface WrittenNode {
  readonly hash: Hash;
  readonly count: number;
}

/** The entry for a key hash in a leaf's entries (sorted by key hash): a binary search, leaves hold up to a thousand. */
function findEntry(entries: readonly IndexEntry[], keyHash: string): IndexEntry | undefined {
  let low = 0;
  let high = entries.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const entry = entries[middle] as IndexEntry;
    if (entry.keyHash === keyHash) return entry;
    if (entry.keyHash < keyHash) low = middle + 1;
    else high = middle - 1;
  }
  return undefined;
}

/** Entries with changes applied; both inputs and the result are sorted by key hash. */
function merge(entries: readonly IndexEntry[], changes: readonly IndexChange[]): IndexEntry[] {
  const merged: IndexEntry[] = [];
  let index = 0;
  for (const change of changes) {
    for (let next = entries[index]; next !== undefined && next.keyHash < change.keyHash; next = entries[index]) {
      merged.push(next);
      index += 1;
    }
    if (entries[index]?.keyHash === change.keyHash) index += 1;
    if (change.entry !== null) merged.push(change.entry);
  }
  merged.push(...entries.slice(index));
  return merged;
}

/** Items sorted by key hash, cut into runs sharing the digit at `depth`, in digit order. */
function groupByDigit<T extends { readonly keyHash: string }>(items: readonly T[], depth: number): Array<[number, T[]]> {
  const groups: Array<[number, T[]]> = [];
  for (const item of items) {
    const digit = digitAt(item.keyHash, depth);
    const last = groups.at(-1);
    if (last !== undefined && last[0] === digit) last[1].push(item);
    else groups.push([digit, [item]]);
  }
  return groups;
}
