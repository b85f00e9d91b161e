// The only file that imports better-sqlite3. It opens the node database with every option
// that shapes durability spelled out, caches prepared statements, runs write transactions,
// and turns the library's errors into StoreErrors that say which file and what to do.
import Database from 'better-sqlite3';
import { assert, InvariantError } from '../cbor/index.ts';
import { StoreError } from './errors.ts';
import type { StoreErrorCode } from './errors.ts';
import { SQLITE_BUSY_TIMEOUT_MS, SQLITE_STATEMENTS_MAX } from './limits.ts';

/** A value bound to a statement parameter. */
export type SqliteParameter = number | string | Uint8Array | null;
/** A result row, by column name; read its columns with the `…Column` helpers below. */
export type SqliteRow = Readonly<Record<string, unknown>>;

/** An open node database: cached statements and IMMEDIATE write transactions. */
export class SqliteDatabase {
  private readonly statements = new Map<string, Database.Statement<SqliteParameter[], SqliteRow>>();

  private constructor(
    private readonly handle: Database.Database,
    readonly file: string,
  ) {}

  /**
   * Opens (creating if needed) the database at `file` in WAL mode with synchronous=FULL, so
   * a committed transaction is on disk when commit returns, and with foreign keys enforced.
   */
  static open(file: string): SqliteDatabase {
    const handle = translate(file, 'open', () => new Database(file, { readonly: false, fileMustExist: false, timeout: SQLITE_BUSY_TIMEOUT_MS }));
    const database = new SqliteDatabase(handle, file);
    try {
      database.setPragma('journal_mode = WAL', 'journal_mode', 'wal');
      database.setPragma('synchronous = FULL', 'synchronous', 2);
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
    return translate(this.file, 'write', () => statement.run(...parameters).changes);
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

  /** Runs schema SQL (several statements); only migrations use it. */
  exec(sql: string): void {
    this.checkOpen();
    translate(this.file, 'migrate', () => this.handle.exec(sql));
  }

  /**
   * Runs `work` in one BEGIN IMMEDIATE transaction: the write lock is taken up front, so a
   * read inside `work` (the journal head) cannot go stale before the writes that depend on it.
   */
  transaction<T>(work: () => T): T {
    assert(!this.handle.inTransaction, 'store transactions do not nest');
    this.run('BEGIN IMMEDIATE');
    try {
      const result = work();
      this.run('COMMIT');
      return result;
    } catch (error) {
      if (this.handle.inTransaction) translate(this.file, 'roll back', () => this.handle.exec('ROLLBACK'));
      throw error;
    }
  }

  /** Closes the database; later calls fail with CLOSED. Closing twice is harmless. */
  close(): void {
    if (!this.handle.open) return;
    this.statements.clear();
    translate(this.file, 'close', () => this.handle.close());
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

  private checkOpen(): void {
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
