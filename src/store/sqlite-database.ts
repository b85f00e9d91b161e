// With its writer thread (sqlite-writer-thread.ts), the only file that imports better-sqlite3.
// It opens the node database with every option that shapes durability spelled out, caches
// prepared statements, runs write transactions, makes them durable, and turns the library's
// errors into StoreErrors that say which file and what to do.
//
// Durability. SQLite runs with synchronous=NORMAL, which in WAL mode keeps the database
// consistent through a power loss (it syncs around checkpoints) but does not sync the WAL at
// commit; a commit is made durable here, by an fdatasync of the WAL file. Done at once, that is
// what synchronous=FULL does. Deferred, it runs on libuv's thread pool while this thread goes
// on, and one fdatasync covers every commit written before it started (group commit). A failed
// fdatasync leaves no way to know what reached the disk, so the database then refuses all
// further use (as PostgreSQL panics), and the world is reopened from what is on disk.
//
// Deferred writes given as data (writeLater) go, once a database has made SQLITE_WRITER_MIN_WRITES
// of them, to a writer thread with its own connection (sqlite-writer.ts), which commits and syncs
// them while this thread goes on. They stay in commit order with this thread's own: before this
// thread touches the file (a read, a transaction, a sync, close) it waits until the writer has
// committed everything posted to it, so a deferred write is readable here as soon as it is made.
import { closeSync, fdatasync, fdatasyncSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { assert, InvariantError } from '../cbor/index.ts';
import { StoreError } from './errors.ts';
import type { StoreErrorCode } from './errors.ts';
import { SQLITE_BUSY_TIMEOUT_MS, SQLITE_STATEMENTS_MAX, SQLITE_WRITER_MIN_WRITES } from './limits.ts';
import { SqliteWriter } from './sqlite-writer.ts';
import { unexpectedChanges } from './sqlite-writer-protocol.ts';
import type { SqliteWrite } from './sqlite-writer-protocol.ts';
import type { Durability } from './types.ts';

export type { SqliteWrite } from './sqlite-writer-protocol.ts';

/** A value bound to a statement parameter. */
export type SqliteParameter = number | string | Uint8Array | null;
/** A result row, by column name; read its columns with the `…Column` helpers below. */
export type SqliteRow = Readonly<Record<string, unknown>>;

/** How the WAL (and once, its folder) is synced: node:fs's fdatasync, or a test's stand-in that counts or fails. */
export interface FileSync {
  now(fd: number): void;
  later(fd: number, done: (error: Error | null) => void): void;
}

const FDATASYNC: FileSync = { now: fdatasyncSync, later: fdatasync };

/** An open node database: cached statements and IMMEDIATE write transactions. */
export class SqliteDatabase {
  private readonly statements = new Map<string, Database.Statement<SqliteParameter[], SqliteRow>>();
  // Commits that wrote something, and how many of them are known durable. Starting below zero
  // makes the first sync() real: a process that died before its deferred fdatasync may have left
  // commits that are readable (in the page cache) but not on disk.
  private written = 0;
  private durable = -1;
  // Whether the open transaction has changed anything: one that only read needs no sync.
  private changed = false;
  private wal: number | null = null;
  private folderSynced = false;
  private syncing = false;
  private waiters: Array<{ readonly upto: number; readonly resolve: () => void; readonly reject: (error: StoreError) => void }> = [];
  private failure: StoreError | null = null;
  // Deferred writes made so far, and the writer thread once they are SQLITE_WRITER_MIN_WRITES
  // (null before, and for good when the thread's code is not available or a test syncs by hand).
  private deferredWrites = 0;
  private writer: SqliteWriter | null = null;
  private writerAfter: number;

  private constructor(
    private readonly handle: Database.Database,
    readonly file: string,
    private readonly fileSync: FileSync,
    writerAfter: number,
  ) {
    // A test's FileSync sees only this thread's fdatasyncs: it keeps every write here.
    this.writerAfter = fileSync === FDATASYNC ? writerAfter : Number.POSITIVE_INFINITY;
  }

  /**
   * Opens (creating if needed) the database at `file` in WAL mode with synchronous=NORMAL (this
   * class syncs the WAL itself, see the file comment), and with foreign keys enforced.
   */
  static open(file: string, fileSync: FileSync = FDATASYNC, options: { readonly writerAfter?: number } = {}): SqliteDatabase {
    const handle = translate(file, 'open', () => new Database(file, { readonly: false, fileMustExist: false, timeout: SQLITE_BUSY_TIMEOUT_MS }));
    const database = new SqliteDatabase(handle, file, fileSync, options.writerAfter ?? SQLITE_WRITER_MIN_WRITES);
    try {
      database.setPragma('journal_mode = WAL', 'journal_mode', 'wal');
      database.setPragma('synchronous = NORMAL', 'synchronous', 1);
      database.setPragma('foreign_keys = ON', 'foreign_keys', 1);
    } catch (error) {
      handle.close();
      throw error;
    }
    return database;
  }

  /** Runs a statement and returns how many rows it changed. */
  run(sql: string, ...parameters: SqliteParameter[]): number {
    const statement = this.statement(sql);
    const changes = translate(this.file, 'write', () => statement.run(...parameters).changes);
    if (changes > 0) this.changed = true;
    return changes;
  }

  /** The first row of a query, or undefined. */
  get(sql: string, ...parameters: SqliteParameter[]): SqliteRow | undefined {
    const statement = this.statement(sql);
    return translate(this.file, 'read', () => statement.get(...parameters));
  }

  /** Every row of a query; only for queries whose row count a limit bounds. */
  all(sql: string, ...parameters: SqliteParameter[]): SqliteRow[] {
    const statement = this.statement(sql);
    return translate(this.file, 'read', () => statement.all(...parameters));
  }

  /** Visits rows in order until `visit` returns false, without loading the rest. */
  each(sql: string, parameters: readonly SqliteParameter[], visit: (row: SqliteRow) => boolean): void {
    const statement = this.statement(sql);
    translate(this.file, 'read', () => {
      for (const row of statement.iterate(...parameters)) if (!visit(row)) break;
    });
  }

  /**
   * Runs schema SQL (several statements); only migrations use it. Outside a transaction (the
   * migrations table, created if missing) it becomes durable with the migrations' own
   * transactions, which follow it.
   */
  exec(sql: string): void {
    this.checkOpen();
    translate(this.file, 'migrate', () => this.handle.exec(sql));
    this.changed = true;
  }

  /**
   * Runs `work` in one BEGIN IMMEDIATE transaction: the write lock is taken up front, so a
   * read inside `work` (the journal head) cannot go stale before the writes that depend on it.
   * The commit is durable when this returns, or with 'deferred' by the next sync()/synced().
   */
  transaction<T>(work: () => T, durability: Durability = 'now'): T {
    assert(!this.handle.inTransaction, 'store transactions do not nest');
    this.run('BEGIN IMMEDIATE');
    this.changed = false;
    let result: T;
    try {
      result = work();
      this.run('COMMIT');
    } catch (error) {
      if (this.handle.inTransaction) translate(this.file, 'roll back', () => this.handle.exec('ROLLBACK'));
      throw error;
    }
    if (!this.changed) return result;
    this.written += 1;
    if (durability === 'now') this.sync();
    return result;
  }

  /**
   * Commits `writes` in one transaction after every commit before it, as transaction(…, 'deferred')
   * does, but on the writer thread once there is one: readable here at once, durable by the next
   * sync()/synced(). A statement that changes other than its `changes` rows stops the database.
   */
  writeLater(writes: readonly SqliteWrite[]): void {
    this.checkUsable();
    this.deferredWrites += 1;
    if (this.writer === null && this.deferredWrites > this.writerAfter) this.startWriter();
    if (this.writer === null) {
      this.transaction(() => {
        for (const write of writes) {
          const unexpected = unexpectedChanges(write, this.run(write.sql, ...write.parameters));
          if (unexpected !== null) throw new InvariantError(unexpected);
        }
      }, 'deferred');
      return;
    }
    this.written += 1;
    this.syncFolderOnce();
    this.writer.post(this.written, writes);
  }

  /** Whether deferred writes now go to a writer thread (for diagnostics and tests). */
  get threaded(): boolean {
    return this.writer !== null;
  }

  /** Makes every commit so far durable before returning. */
  sync(): void {
    this.checkOpen();
    if (this.durable >= this.written) return;
    const upto = this.written;
    const wal = this.walFile();
    if (wal !== null) {
      this.syncFolderOnce();
      try {
        this.fileSync.now(wal);
      } catch (error) {
        throw this.fail(error);
      }
    }
    this.settle(upto);
  }

  /** Resolves once every commit made before the call is durable; the fdatasync runs off this thread. */
  synced(): Promise<void> {
    if (this.failure !== null) return Promise.reject(this.failure);
    if (this.durable >= this.written) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.waiters.push({ upto: this.written, resolve, reject });
      // With a writer, the last commit was posted to it (this thread's own commits since are
      // synced at once), and its report of durability covers every commit before.
      if (this.writer === null) this.startSync();
    });
  }

  /** Closes the database, syncing what it wrote that is not yet durable; later calls fail with CLOSED. Closing twice is harmless. */
  close(): void {
    if (!this.handle.open) return;
    try {
      // Only what this connection wrote: a reader that never wrote does not sync on its way out.
      if (this.failure === null && this.written > 0 && this.written > this.durable) this.sync();
    } finally {
      this.writer?.close();
      this.statements.clear();
      translate(this.file, 'close', () => this.handle.close());
      // An fdatasync in flight still uses the descriptor: its callback closes it.
      if (!this.syncing) this.closeWal();
      for (const waiter of this.waiters.splice(0)) waiter.reject(this.failure ?? new StoreError('CLOSED', `${this.file} was closed before its writes were synced`));
    }
  }

  private startWriter(): void {
    this.writer = SqliteWriter.start(this.file, {
      durable: (seq) => this.settle(seq),
      failed: (error) => {
        this.failure ??= error;
        for (const waiter of this.waiters.splice(0)) waiter.reject(this.failure);
      },
    });
    if (this.writer === null) this.writerAfter = Number.POSITIVE_INFINITY;
  }

  private startSync(): void {
    if (this.syncing || this.waiters.length === 0 || this.failure !== null || !this.handle.open) return;
    const upto = this.written;
    const wal = this.walFile();
    if (wal === null) return this.settle(upto);
    this.syncFolderOnce();
    this.syncing = true;
    this.fileSync.later(wal, (error) => {
      this.syncing = false;
      if (error !== null) this.fail(error);
      else this.settle(upto);
      if (!this.handle.open) this.closeWal();
      else this.startSync();
    });
  }

  // Records that the first `upto` commits are durable and wakes who waited for them.
  private settle(upto: number): void {
    if (upto > this.durable) this.durable = upto;
    const ready = this.waiters.filter((waiter) => waiter.upto <= this.durable);
    this.waiters = this.waiters.filter((waiter) => waiter.upto > this.durable);
    for (const waiter of ready) waiter.resolve();
  }

  private fail(cause: unknown): StoreError {
    this.failure ??= new StoreError('IO', `${this.file}: syncing the write-ahead log failed (${(cause as Error).message}); what reached the disk is unknown, so this database refuses further use: stop the node, check the disk, and reopen the world`, { cause });
    for (const waiter of this.waiters.splice(0)) waiter.reject(this.failure);
    return this.failure;
  }

  // The WAL file, opened once (SQLite keeps it while this connection is open); null while there
  // is none, when every commit is in the database file, which checkpoints sync.
  private walFile(): number | null {
    if (this.wal !== null) return this.wal;
    try {
      this.wal = openSync(`${this.file}-wal`, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw this.fail(error);
    }
    return this.wal;
  }

  // Before a writer's first commit is called durable, the folder is synced too, so the WAL's own
  // directory entry survives a power loss (SQLite does this itself only when it syncs the WAL).
  // A reader's sync (EmbeddedWorld opening read-only) makes others' commits durable, and skips it.
  private syncFolderOnce(): void {
    if (this.folderSynced || this.written === 0) return;
    const folder = openSync(dirname(this.file), 'r');
    try {
      this.fileSync.now(folder);
    } catch (error) {
      throw this.fail(error);
    } finally {
      closeSync(folder);
    }
    this.folderSynced = true;
  }

  private closeWal(): void {
    if (this.wal === null) return;
    closeSync(this.wal);
    this.wal = null;
  }

  private statement(sql: string): Database.Statement<SqliteParameter[], SqliteRow> {
    this.checkOpen();
    const cached = this.statements.get(sql);
    if (cached !== undefined) return cached;
    assert(this.statements.size < SQLITE_STATEMENTS_MAX, 'SQL texts are constants, so the statement cache stays small');
    const prepared = translate(this.file, 'prepare', () => this.handle.prepare<SqliteParameter[], SqliteRow>(sql));
    this.statements.set(sql, prepared);
    return prepared;
  }

  private setPragma(assignment: string, name: string, expected: string | number): void {
    translate(this.file, 'configure', () => this.handle.pragma(assignment));
    const actual = translate(this.file, 'configure', () => this.handle.pragma(name, { simple: true }));
    if (actual !== expected) {
      throw new StoreError('IO', `${this.file}: PRAGMA ${name} is ${String(actual)} after setting ${assignment}; put the world root on a local filesystem that supports it`);
    }
  }

  // Usable, and caught up with the writer thread: what this thread does next comes after every write posted.
  private checkOpen(): void {
    this.checkUsable();
    if (this.writer?.behind === true) {
      try {
        this.writer.waitCommitted();
      } catch (error) {
        this.failure ??= error as StoreError;
        throw this.failure;
      }
    }
  }

  private checkUsable(): void {
    if (this.failure !== null) throw this.failure;
    if (!this.handle.open) throw new StoreError('CLOSED', `${this.file} was closed; open the node store again`);
  }
}

/** Reads an INTEGER column. */
export function integerColumn(row: SqliteRow, column: string): number {
  const value = row[column];
  assert(typeof value === 'number' && Number.isSafeInteger(value), `column ${column} holds an integer (STRICT tables)`);
  return value;
}

/** Reads a TEXT column. */
export function textColumn(row: SqliteRow, column: string): string {
  const value = row[column];
  assert(typeof value === 'string', `column ${column} holds text (STRICT tables)`);
  return value;
}

/** Reads a BLOB column as a plain Uint8Array (better-sqlite3 returns a Buffer). */
export function blobColumn(row: SqliteRow, column: string): Uint8Array {
  const value = row[column];
  assert(value instanceof Uint8Array, `column ${column} holds a blob (STRICT tables)`);
  return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
}

const BUSY_CODES = new Set(['SQLITE_BUSY', 'SQLITE_LOCKED']);
const CORRUPT_CODES = new Set(['SQLITE_CORRUPT', 'SQLITE_NOTADB']);

// Runs one library call, turning its errors into StoreErrors; our own errors pass through.
function translate<T>(file: string, action: string, call: () => T): T {
  try {
    return call();
  } catch (error) {
    if (error instanceof StoreError || error instanceof InvariantError) throw error;
    const sqliteCode = error instanceof Database.SqliteError ? error.code : 'unknown';
    const primary = sqliteCode.split('_').slice(0, 2).join('_');
    const [code, advice] = adviceFor(primary);
    throw new StoreError(code, `${file}: ${action} failed with ${sqliteCode}: ${(error as Error).message}; ${advice}`, { cause: error });
  }
}

function adviceFor(primaryCode: string): [StoreErrorCode, string] {
  if (BUSY_CODES.has(primaryCode)) return ['BUSY', `another process held the database longer than ${SQLITE_BUSY_TIMEOUT_MS} ms; stop the other node using this world root`];
  if (CORRUPT_CODES.has(primaryCode)) return ['DATABASE_CORRUPT', 'the file is damaged or not an AgentOS database; restore it from a backup'];
  return ['IO', 'check the disk (space, permissions) and retry'];
}
