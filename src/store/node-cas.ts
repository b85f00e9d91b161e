// The embedded node's CAS: small objects live in node.sqlite3 next to the journal, large ones
// in files (`.aos/cas/…`, see file-cas.ts).
//
// Why small objects go into the database: a file costs two fsyncs (the file, then its folder)
// on top of the journal's own, and an effect round trip (blob.put → receipt → next intent)
// stores one or two small objects. In the database they are written by the same transaction
// that journals the receipt naming them, so a round trip costs one fsync.
//
// `stage` is that path: the object is readable at once and becomes durable with the next
// journal append of any world of this node (or `flush`, or `close`). A crash before then loses
// the object together with the record that would name it, never one without the other; an
// adapter that staged it runs again (at-least-once) and stores it again. `put` and `putMany`
// are durable when they return, as the interface says.
import { hashBytes } from '../cbor/index.ts';
import type { Hash } from '../cbor/index.ts';
import { StoreError } from './errors.ts';
import { FileCas } from './file-cas.ts';
import { CAS_INLINE_BYTES_MAX, CAS_PUT_MANY_OBJECTS_MAX, CAS_STAGED_OBJECTS_MAX } from './limits.ts';
import { blobColumn } from './sqlite-database.ts';
import type { SqliteDatabase, SqliteWrite } from './sqlite-database.ts';
import type { CasStore } from './types.ts';

const SELECT_OBJECT = 'SELECT bytes FROM cas_objects WHERE hash = ?';
const SELECT_PRESENT = 'SELECT 1 AS present FROM cas_objects WHERE hash = ?';
const INSERT_OBJECT = 'INSERT OR IGNORE INTO cas_objects (hash, bytes) VALUES (?, ?)';

/** The CAS of a SQLite node store; see the file comment. */
export class NodeCas implements CasStore {
  private readonly files: FileCas;
  /** Staged objects not yet committed, by hash. */
  private readonly staged = new Map<Hash, Uint8Array>();

  constructor(
    private readonly database: SqliteDatabase,
    worldRoot: string,
  ) {
    this.files = new FileCas(worldRoot);
  }

  put(bytes: Uint8Array): Hash {
    if (bytes.length > CAS_INLINE_BYTES_MAX) return this.files.put(bytes);
    const hash = hashBytes(bytes);
    if (!this.durable(hash)) this.database.transaction(() => this.insert(hash, bytes));
    return hash;
  }

  putMany(batch: readonly Uint8Array[]): Hash[] {
    if (batch.length > CAS_PUT_MANY_OBJECTS_MAX) {
      throw new StoreError('LIMIT_EXCEEDED', `putMany of ${batch.length} objects exceeds CAS_PUT_MANY_OBJECTS_MAX (${CAS_PUT_MANY_OBJECTS_MAX}); split the batch`);
    }
    const large = batch.filter((bytes) => bytes.length > CAS_INLINE_BYTES_MAX);
    if (large.length > 0) this.files.putMany(large);
    const small = batch.filter((bytes) => bytes.length <= CAS_INLINE_BYTES_MAX).map((bytes) => ({ hash: hashBytes(bytes), bytes }));
    const missing = small.filter((object) => !this.durable(object.hash));
    if (missing.length > 0) this.database.transaction(() => { for (const object of missing) this.insert(object.hash, object.bytes); });
    return batch.map((bytes) => hashBytes(bytes));
  }

  /**
   * Stores bytes that become durable with the next journal append on this node (or `flush`):
   * for an adapter's outputs, which the receipt journaled after them names.
   */
  stage(bytes: Uint8Array): Hash {
    if (bytes.length > CAS_INLINE_BYTES_MAX) return this.files.put(bytes);
    const hash = hashBytes(bytes);
    // No lookup in the database or the folder: writing staged objects ignores ones stored already.
    if (this.staged.has(hash)) return hash;
    if (this.staged.size >= CAS_STAGED_OBJECTS_MAX) this.flush();
    this.staged.set(hash, bytes.slice());
    return hash;
  }

  get(hash: Hash): Uint8Array {
    const staged = this.staged.get(hash);
    if (staged !== undefined) return staged.slice();
    const row = this.database.get(SELECT_OBJECT, hash);
    if (row === undefined) return this.files.get(hash);
    const bytes = blobColumn(row, 'bytes');
    if (hashBytes(bytes) !== hash) {
      throw new StoreError('CAS_CORRUPT', `the object ${hash} in ${this.database.file} no longer matches its hash; it was changed on disk: restore the database from a backup or another replica`);
    }
    return bytes;
  }

  has(hash: Hash): boolean {
    return this.staged.has(hash) || this.durable(hash);
  }

  /** Stored for good: a row or a file (a staged object is not, until the next append). */
  private durable(hash: Hash): boolean {
    return this.database.get(SELECT_PRESENT, hash) !== undefined || this.files.has(hash);
  }

  /**
   * Writes the staged objects inside the caller's open transaction (the journal's append), so
   * they commit with it; `committed` must be called once it has.
   */
  writeStaged(): void {
    for (const [hash, bytes] of this.staged) this.insert(hash, bytes);
  }

  /** The writes of the staged objects, for a deferred append to commit with its records (then `committed`). */
  stagedWrites(): SqliteWrite[] {
    return [...this.staged].map(([hash, bytes]) => ({ sql: INSERT_OBJECT, parameters: [hash, bytes] }));
  }

  /** Forgets staged objects once the transaction that wrote them committed (or, deferred, was handed over). */
  committed(): void {
    this.staged.clear();
  }

  /** Makes every staged object durable now. */
  flush(): void {
    if (this.staged.size === 0) return;
    this.database.transaction(() => this.writeStaged());
    this.committed();
  }

  private insert(hash: Hash, bytes: Uint8Array): void {
    this.database.run(INSERT_OBJECT, hash, bytes);
  }
}
