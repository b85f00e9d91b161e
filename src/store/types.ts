// The storage interfaces the node layer persists a world through. The kernel is pure and
// produces journal records as canonical CBOR; these interfaces only move bytes durably and
// prove, on read, that the bytes are the ones written.
//
// They are synchronous. The embedded backend is SQLite through better-sqlite3, which is
// synchronous: a durable append is one fsync'd transaction that blocks the world's stepper,
// which is what a single-threaded stepper wants between inputs (it must not step an input
// whose records are not durable). An append may instead defer its fsync ('deferred'): it is
// written and readable at once, and durable once the node store's sync() returns or its
// synced() resolves, the fsync running off the thread meanwhile. A PostgreSQL backend cannot be
// synchronous; it will sit behind an async wrapper in the node layer that implements the same
// operations as promises, so the kernel and these shapes do not change.
import type { Hash } from '../cbor/index.ts';

/** One journal record as stored: its height, kind, canonical CBOR bytes and their sha256. */
export interface JournalEntry {
  readonly height: number;
  readonly kind: string;
  readonly bytes: Uint8Array;
  readonly hash: Hash;
}

/**
 * Where the journal ends: `next_height` is the height the next append must start at (what
 * upstream calls the head, `next_seq`), `last_hash` the hash of the record just below it.
 */
export interface JournalHead {
  readonly next_height: number;
  readonly last_hash: Hash;
}

/**
 * When an append must be on disk: 'now' (when append returns), or 'deferred' (by the node
 * store's next sync(), synced() or 'now' write, whichever comes first).
 */
export type Durability = 'now' | 'deferred';

/** One world's append-only journal; heights start at 0 and never skip or repeat. */
export interface JournalStore {
  /** The end of the journal, or null while it is empty. */
  head(): JournalHead | null;
  /**
   * Appends a batch in one transaction: when this returns, every record survives a crash
   * (with 'deferred', once the node store has synced). Heights must continue the head
   * exactly, else a HEIGHT_CONFLICT names them.
   */
  append(batch: readonly JournalEntry[], durability?: Durability): void;
  /** Up to `limit` records from `fromHeight` on, verified; fewer at the end of the journal. */
  read(fromHeight: number, limit: number): JournalEntry[];
  /** The record at `height`, verified, or null above the head. */
  entryAt(height: number): JournalEntry | null;
}

/** Content-addressed objects, shared by every world of a node; reads are verified. */
export interface CasStore {
  /** Stores bytes durably and returns their hash; storing the same bytes again is a no-op. */
  put(bytes: Uint8Array): Hash;
  /** Stores several objects durably, paying the fsyncs once per batch where it can. */
  putMany(batch: readonly Uint8Array[]): Hash[];
  /**
   * Stores bytes that are readable at once and durable no later than the next journal append
   * of any world sharing this CAS: for an adapter's outputs, which the receipt journaled after
   * them names. A backend without a cheaper path stores them durably at once.
   */
  stage(bytes: Uint8Array): Hash;
  /** The bytes named by `hash`, verified against it. */
  get(hash: Hash): Uint8Array;
  /** True when an object named `hash` is stored (its bytes are verified only by `get`). */
  has(hash: Hash): boolean;
}

/** A snapshot known to the index: the height it restores to and the CAS names of its parts. */
export interface SnapshotRef {
  readonly height: number;
  readonly hash: Hash;
  readonly manifest_hash: Hash;
}

/** One world's index of snapshots (their bodies live in CAS). */
export interface SnapshotIndex {
  /** Indexes a snapshot; recording the same one again is a no-op, a different one at its height a SNAPSHOT_CONFLICT. */
  record(height: number, snapshotHash: Hash, manifestHash: Hash): void;
  /** The highest snapshot, or null when none is indexed. */
  latest(): SnapshotRef | null;
  /** Every indexed snapshot, by ascending height. */
  list(): SnapshotRef[];
  /** Drops the snapshot at `height` from the index; false when none was there. */
  remove(height: number): boolean;
}

/** A small key → bytes table: world registry entries, baseline pointers, node keys. */
export interface MetaStore {
  /** The value stored under `key`, or null. */
  get(key: string): Uint8Array | null;
  /** Stores `value` under `key` durably, replacing any previous value. */
  put(key: string, value: Uint8Array): void;
  /** Removes `key`; false when it was not there. */
  delete(key: string): boolean;
  /** Every key, sorted by code unit. */
  keys(): string[];
}

/** Everything stored for one world. */
export interface WorldStore {
  readonly id: string;
  readonly journal: JournalStore;
  readonly snapshots: SnapshotIndex;
  readonly meta: MetaStore;
  /** The node's CAS, which all its worlds share. */
  readonly cas: CasStore;
}

/** The stores of one node: its worlds, its CAS and its own meta table. */
export interface NodeStore {
  readonly cas: CasStore;
  /** Node-scoped entries: the world registry, the node's keys. */
  readonly meta: MetaStore;
  /** Every world id, sorted by code unit. */
  worlds(): string[];
  /** Creates an empty world; WORLD_EXISTS if the id is taken. */
  create(worldId: string): WorldStore;
  /** Opens an existing world; WORLD_MISSING if there is none. */
  open(worldId: string): WorldStore;
  /** Makes every write so far durable before returning (a no-op when nothing is pending). */
  sync(): void;
  /**
   * Resolves once every write made before the call is durable, the fsync running off this
   * thread; rejects, as every later write fails, if the disk reports it could not.
   */
  synced(): Promise<void>;
  /** Releases the node's resources; later calls on it and on its worlds' tables fail with CLOSED (CAS files stay readable). */
  close(): void;
}
