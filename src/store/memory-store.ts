// The in-memory backend: the same contract as SQLite, with nothing durable. For tests and
// shadow runs (a proposal is tried on a copy of a world and then thrown away). Bytes are
// copied in and out, so a caller mutating its buffer cannot change what was stored.
import { assert, hashBytes } from '../cbor/index.ts';
import type { Hash } from '../cbor/index.ts';
import { StoreError } from './errors.ts';
import { assertHeight, checkAppendBatch, checkHeightsContinue, checkReadRange, verifyEntry } from './journal-checks.ts';
import { CAS_OBJECT_BYTES_MAX, CAS_PUT_MANY_OBJECTS_MAX, JOURNAL_READ_BYTES_MAX, WORLDS_PER_NODE_MAX } from './limits.ts';
import { checkMetaKey, checkMetaPut } from './meta-checks.ts';
import { checkSnapshotRecord, snapshotRef } from './snapshot-checks.ts';
import type { CasStore, JournalEntry, JournalHead, JournalStore, MetaStore, NodeStore, SnapshotIndex, SnapshotRef, WorldStore } from './types.ts';
import { checkWorldId } from './world-id.ts';
import { compareCodeUnits } from './code-unit-order.ts';

const WHERE = 'the memory store';

// Shared by a node and its worlds so that, as with SQLite, nothing works after close().
class Lifecycle {
  closed = false;

  check(): void {
    if (this.closed) throw new StoreError('CLOSED', `${WHERE} was closed; create a new one`);
  }
}

class MemoryJournal implements JournalStore {
  private readonly entries: JournalEntry[] = [];

  constructor(
    private readonly life: Lifecycle,
    private readonly worldId: string,
  ) {}

  head(): JournalHead | null {
    this.life.check();
    const last = this.entries.at(-1);
    return last === undefined ? null : { next_height: last.height + 1, last_hash: last.hash };
  }

  append(batch: readonly JournalEntry[]): void {
    this.life.check();
    const nextHeight = this.entries.length;
    checkAppendBatch(this.worldId, batch);
    checkHeightsContinue(this.worldId, batch, nextHeight);
    for (const entry of batch) this.entries.push({ ...entry, bytes: entry.bytes.slice() });
    assert(this.entries.length === nextHeight + batch.length, 'journal append: the head moved by the batch length');
  }

  read(fromHeight: number, limit: number): JournalEntry[] {
    this.life.check();
    checkReadRange(this.worldId, fromHeight, limit);
    const found: JournalEntry[] = [];
    let bytes = 0;
    for (let height = fromHeight; height < Math.min(fromHeight + limit, this.entries.length) && bytes < JOURNAL_READ_BYTES_MAX; height += 1) {
      const entry = this.copyAt(height);
      bytes += entry.bytes.length;
      found.push(entry);
    }
    return found;
  }

  entryAt(height: number): JournalEntry | null {
    this.life.check();
    assertHeight(height, 'a journal height');
    return height < this.entries.length ? this.copyAt(height) : null;
  }

  private copyAt(height: number): JournalEntry {
    const entry = this.entries[height];
    assert(entry !== undefined && entry.height === height, 'the memory journal is indexed by height');
    return verifyEntry(this.worldId, { ...entry, bytes: entry.bytes.slice() }, WHERE);
  }
}

class MemoryCas implements CasStore {
  constructor(private readonly life: Lifecycle) {}

  private readonly objects = new Map<Hash, Uint8Array>();

  put(bytes: Uint8Array): Hash {
    this.life.check();
    if (bytes.length > CAS_OBJECT_BYTES_MAX) {
      throw new StoreError('LIMIT_EXCEEDED', `a ${bytes.length}-byte CAS object exceeds CAS_OBJECT_BYTES_MAX (${CAS_OBJECT_BYTES_MAX}); split it into chunks`);
    }
    const hash = hashBytes(bytes);
    if (!this.objects.has(hash)) this.objects.set(hash, bytes.slice());
    return hash;
  }

  // Memory is as durable as it gets here.
  stage(bytes: Uint8Array): Hash {
    return this.put(bytes);
  }

  putMany(batch: readonly Uint8Array[]): Hash[] {
    if (batch.length > CAS_PUT_MANY_OBJECTS_MAX) {
      throw new StoreError('LIMIT_EXCEEDED', `putMany of ${batch.length} objects exceeds CAS_PUT_MANY_OBJECTS_MAX (${CAS_PUT_MANY_OBJECTS_MAX}); split the batch`);
    }
    return batch.map((bytes) => this.put(bytes));
  }

  get(hash: Hash): Uint8Array {
    this.life.check();
    const bytes = this.objects.get(hash);
    if (bytes === undefined) throw new StoreError('CAS_MISSING', `${hash} is not in ${WHERE}`);
    // Objects are copied in and out, so nothing outside can change them: a mismatch is our bug.
    assert(hashBytes(bytes) === hash, 'memory CAS get: stored bytes match their name');
    return bytes.slice();
  }

  has(hash: Hash): boolean {
    this.life.check();
    return this.objects.has(hash);
  }
}

class MemorySnapshots implements SnapshotIndex {
  private readonly byHeight = new Map<number, SnapshotRef>();

  constructor(
    private readonly life: Lifecycle,
    private readonly worldId: string,
  ) {}

  record(height: number, snapshotHash: Hash, manifestHash: Hash): void {
    this.life.check();
    const ref = snapshotRef(height, snapshotHash, manifestHash);
    if (checkSnapshotRecord(this.worldId, ref, this.byHeight.get(height) ?? null, this.byHeight.size)) this.byHeight.set(height, ref);
  }

  latest(): SnapshotRef | null {
    return this.list().at(-1) ?? null;
  }

  list(): SnapshotRef[] {
    this.life.check();
    return [...this.byHeight.values()].sort((left, right) => left.height - right.height);
  }

  remove(height: number): boolean {
    this.life.check();
    assertHeight(height, 'a snapshot height');
    return this.byHeight.delete(height);
  }
}

class MemoryMeta implements MetaStore {
  private readonly values = new Map<string, Uint8Array>();

  constructor(
    private readonly life: Lifecycle,
    private readonly scope: string,
  ) {}

  get(key: string): Uint8Array | null {
    this.life.check();
    checkMetaKey(this.scope, key);
    return this.values.get(key)?.slice() ?? null;
  }

  put(key: string, value: Uint8Array): void {
    this.life.check();
    checkMetaPut(this.scope, key, value, !this.values.has(key), this.values.size);
    this.values.set(key, value.slice());
  }

  delete(key: string): boolean {
    this.life.check();
    checkMetaKey(this.scope, key);
    return this.values.delete(key);
  }

  keys(): string[] {
    this.life.check();
    return [...this.values.keys()].sort(compareCodeUnits);
  }
}

class MemoryNodeStore implements NodeStore {
  private readonly life = new Lifecycle();
  readonly cas = new MemoryCas(this.life);
  readonly meta = new MemoryMeta(this.life, 'node');
  private readonly worldStores = new Map<string, WorldStore>();

  worlds(): string[] {
    this.life.check();
    return [...this.worldStores.keys()].sort(compareCodeUnits);
  }

  create(worldId: string): WorldStore {
    this.life.check();
    checkWorldId(worldId);
    if (this.worldStores.has(worldId)) throw new StoreError('WORLD_EXISTS', `world ${worldId} already exists in ${WHERE}; open it, or pick another id`);
    if (this.worldStores.size >= WORLDS_PER_NODE_MAX) {
      throw new StoreError('LIMIT_EXCEEDED', `${WHERE} already holds ${this.worldStores.size} worlds (WORLDS_PER_NODE_MAX); cannot create ${worldId}`);
    }
    const world: WorldStore = {
      id: worldId,
      journal: new MemoryJournal(this.life, worldId),
      snapshots: new MemorySnapshots(this.life, worldId),
      meta: new MemoryMeta(this.life, `world ${worldId}`),
      cas: this.cas,
    };
    this.worldStores.set(worldId, world);
    return world;
  }

  open(worldId: string): WorldStore {
    this.life.check();
    checkWorldId(worldId);
    const world = this.worldStores.get(worldId);
    if (world === undefined) throw new StoreError('WORLD_MISSING', `world ${worldId} does not exist in ${WHERE}; create it first`);
    return world;
  }

  // Nothing here is durable, so nothing is ever waiting to be.
  sync(): void {
    this.life.check();
  }

  synced(): Promise<void> {
    return Promise.resolve().then(() => this.life.check());
  }

  close(): void {
    this.life.closed = true;
  }
}

/** A fresh, empty in-memory node store. */
export function createMemoryNodeStore(): NodeStore {
  return new MemoryNodeStore();
}
