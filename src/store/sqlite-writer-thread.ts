// The writer thread of a SqliteDatabase (sqlite-writer.ts). Its own connection to the same file
// commits the deferred writes posted to it, in the order they were posted, all that have queued
// in one transaction; then it fdatasyncs the WAL and tells how far the writes are durable. The
// database's thread meanwhile goes on with the next input: this is where a world's receipts are
// written while it steps. Besides sqlite-database.ts, the only file that imports better-sqlite3.
//
// A failure (a statement refused, a commit or an fdatasync that failed) stops the thread for good:
// nobody knows then what reached the disk, and the database refuses all further use.
import { closeSync, fdatasyncSync, openSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { CONTROL_COMMITTED, CONTROL_WORDS, recordFailure, settleState, unexpectedChanges, WRITER_CLOSED } from './sqlite-writer-protocol.ts';
import type { FromWriter, SqliteWrite, ToWriter, WriterStart } from './sqlite-writer-protocol.ts';

const port = parentPort;
if (port === null) throw new Error('sqlite-writer-thread.ts runs as a worker thread (SqliteWriter.start)');
const start = workerData as WriterStart;
const control = new Int32Array(start.control, 0, CONTROL_WORDS);

interface Posted {
  readonly seq: number;
  readonly writes: readonly SqliteWrite[];
}

let handle: Database.Database | null = null;
const statements = new Map<string, Database.Statement<unknown[]>>();
let queue: Posted[] = [];
let scheduled = false;
let stopped = false;
let wal: number | null = null;

port.on('message', (received: ToWriter) => {
  if (stopped) return;
  if (received.kind === 'close') {
    drain();
    close();
    return;
  }
  queue.push(received);
  // Writes posted in one turn of the other thread arrive together: one transaction for them all.
  if (!scheduled) {
    scheduled = true;
    setImmediate(drain);
  }
});

function drain(): void {
  scheduled = false;
  if (stopped || queue.length === 0) return;
  const batch = queue;
  queue = [];
  try {
    const connection = (handle ??= connect());
    connection.exec('BEGIN IMMEDIATE');
    try {
      for (const posted of batch) for (const write of posted.writes) run(write);
      connection.exec('COMMIT');
    } catch (error) {
      if (connection.inTransaction) connection.exec('ROLLBACK');
      throw error;
    }
  } catch (error) {
    fail(`committing writes ${batch[0]?.seq ?? '?'}–${batch.at(-1)?.seq ?? '?'} failed`, error);
    return;
  }
  const seq = batch.at(-1)?.seq ?? 0;
  Atomics.store(control, CONTROL_COMMITTED, seq);
  Atomics.notify(control, CONTROL_COMMITTED);
  try {
    syncWal();
  } catch (error) {
    fail('syncing the write-ahead log failed', error);
    return;
  }
  port?.postMessage({ kind: 'durable', seq } satisfies FromWriter);
}

function run(write: SqliteWrite): void {
  let statement = statements.get(write.sql);
  if (statement === undefined) {
    statement = (handle as Database.Database).prepare<unknown[]>(write.sql);
    statements.set(write.sql, statement);
  }
  const unexpected = unexpectedChanges(write, statement.run(...write.parameters).changes);
  if (unexpected !== null) throw new Error(unexpected);
}

function connect(): Database.Database {
  const connection = new Database(start.file, { fileMustExist: true, timeout: start.busyTimeoutMs });
  // The database's thread set WAL mode for the file; these two are per connection.
  connection.pragma('synchronous = NORMAL');
  connection.pragma('foreign_keys = ON');
  return connection;
}

// As SqliteDatabase does: no WAL file means every commit is in the database file, which checkpoints sync.
function syncWal(): void {
  if (wal === null) {
    try {
      wal = openSync(`${start.file}-wal`, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
  }
  fdatasyncSync(wal);
}

function fail(what: string, error: unknown): void {
  stopped = true;
  recordFailure(start.control, `${what}: ${error instanceof Error ? error.message : String(error)}`);
  port?.postMessage({ kind: 'failed' } satisfies FromWriter);
  release();
}

function close(): void {
  stopped = true;
  release();
  settleState(start.control, WRITER_CLOSED);
}

function release(): void {
  if (wal !== null) closeSync(wal);
  wal = null;
  handle?.close();
  handle = null;
  port?.close();
}
