// Goal: a commit is durable when the store says so, and not before. SQLite runs with
// synchronous=NORMAL and the database makes commits durable itself, by an fdatasync of the WAL
// file: at once for a 'now' commit, off the thread for 'deferred' ones (one fdatasync covering
// every commit written before it started). A failed fdatasync stops the database for good.
// Method: a real node.sqlite3 whose fdatasync is a stand-in that records which file each call
// syncs and lets the test decide when an off-thread one completes (a SIGKILL cannot tell a
// synced commit from one in the page cache; only a power loss could).
import assert from 'node:assert/strict';
import { mkdirSync, readlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { nodeDatabaseFile, StoreError } from '../../../src/store/index.ts';
import { SqliteDatabase } from '../../../src/store/sqlite-database.ts';
import type { FileSync } from '../../../src/store/sqlite-database.ts';
import { tempRoot } from './store-fixtures.ts';

/** An fdatasync that records the file of each call; off-thread calls wait for `complete`. */
class RecordingSync implements FileSync {
  readonly synced: string[] = [];
  readonly pending: Array<(error: Error | null) => void> = [];

  now(fd: number): void {
    this.synced.push(readlinkSync(`/proc/self/fd/${fd}`));
  }

  later(fd: number, done: (error: Error | null) => void): void {
    const file = readlinkSync(`/proc/self/fd/${fd}`);
    this.pending.push((error) => {
      if (error === null) this.synced.push(file);
      done(error);
    });
  }

  /** Completes the oldest off-thread fdatasync, with `error` when given. */
  complete(error: Error | null = null): void {
    const next = this.pending.shift();
    assert.ok(next !== undefined, 'an fdatasync is in flight');
    next(error);
  }
}

function databaseFile(root: string): string {
  mkdirSync(join(root, '.aos'));
  return nodeDatabaseFile(root);
}

function withDatabase(work: (database: SqliteDatabase, sync: RecordingSync, file: string) => Promise<void> | void): Promise<void> {
  const { root, remove } = tempRoot();
  const file = databaseFile(root);
  const sync = new RecordingSync();
  const database = SqliteDatabase.open(file, sync);
  database.exec('CREATE TABLE rows (n INTEGER PRIMARY KEY) STRICT');
  return Promise.resolve(work(database, sync, file)).finally(() => {
    database.close();
    remove();
  });
}

function insert(database: SqliteDatabase, n: number, durability: 'now' | 'deferred'): void {
  database.transaction(() => database.run('INSERT INTO rows (n) VALUES (?)', n), durability);
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

test('a now commit fdatasyncs the WAL file before it returns, and the folder once, for the WAL\'s directory entry', () => withDatabase((database, sync, file) => {
  insert(database, 1, 'now');
  assert.deepEqual(sync.synced, [dirname(file), `${file}-wal`], 'the folder, then the WAL');
  insert(database, 2, 'now');
  assert.deepEqual(sync.synced.slice(2), [`${file}-wal`], 'every now commit syncs the WAL; the folder only once');
}));

test('the first sync of a database is real, though it has written nothing yet; a reader\'s skips the folder', () => withDatabase((database, sync, file) => {
  // Commits a process left in the page cache when it died are made durable by whoever opens next.
  database.sync();
  assert.deepEqual(sync.synced, [`${file}-wal`]);
  database.sync();
  assert.equal(sync.synced.length, 1, 'nothing new to sync');
}));

test('deferred commits are readable at once and durable only when an fdatasync that started after them completes', async () => withDatabase(async (database, sync, file) => {
  database.sync();
  const before = sync.synced.length;
  insert(database, 1, 'deferred');
  insert(database, 2, 'deferred');
  assert.equal(sync.synced.length, before, 'a deferred commit does not sync');
  assert.deepEqual(database.all('SELECT n FROM rows ORDER BY n'), [{ n: 1 }, { n: 2 }], 'and is readable at once');
  let first = false;
  const firstTwo = database.synced().then(() => { first = true; });
  assert.equal(sync.pending.length, 1, 'one fdatasync runs off the thread');
  insert(database, 3, 'deferred'); // written while that fdatasync runs: it may not cover this one
  let second = false;
  const third = database.synced().then(() => { second = true; });
  assert.equal(sync.pending.length, 1, 'one fdatasync at a time');
  await turn();
  assert.equal(first, false, 'not durable before the fdatasync completes');
  sync.complete();
  await firstTwo;
  assert.equal(first, true);
  await turn();
  assert.equal(second, false, 'a commit written after the fdatasync started waits for the next');
  assert.equal(sync.pending.length, 1, 'which starts at once');
  sync.complete();
  await third;
  assert.deepEqual(sync.synced.slice(before), [dirname(file), `${file}-wal`, `${file}-wal`], 'the folder before the first write is called durable, then the WAL for each fdatasync');
  await database.synced();
  assert.equal(sync.pending.length, 0, 'nothing left to sync');
}));

test('a now commit or sync() makes the deferred commits before it durable', async () => withDatabase(async (database, sync) => {
  database.sync();
  insert(database, 1, 'deferred');
  insert(database, 2, 'now');
  const before = sync.synced.length;
  await database.synced();
  assert.equal(sync.synced.length, before, 'the now commit covered the deferred one');
  insert(database, 3, 'deferred');
  database.sync();
  await database.synced();
  assert.equal(sync.pending.length, 0);
}));

test('closing syncs what is pending', () => {
  const { root, remove } = tempRoot();
  try {
    const sync = new RecordingSync();
    const file = databaseFile(root);
    const database = SqliteDatabase.open(file, sync);
    database.exec('CREATE TABLE rows (n INTEGER PRIMARY KEY) STRICT');
    database.sync();
    insert(database, 1, 'deferred');
    const before = sync.synced.length;
    database.close();
    assert.deepEqual(sync.synced.slice(before), [dirname(file), `${file}-wal`], 'close fdatasyncs the deferred commit (and, for this first write, the folder)');
  } finally {
    remove();
  }
});

test('a failed fdatasync rejects its waiters and stops the database, naming the failure', async () => withDatabase(async (database, sync) => {
  database.sync();
  insert(database, 1, 'deferred');
  const waiting = database.synced();
  sync.complete(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
  await assert.rejects(waiting, (error: unknown) => error instanceof StoreError && error.code === 'IO' && /syncing the write-ahead log failed \(EIO/.test(error.message) && /reopen the world/.test(error.message));
  assert.throws(() => insert(database, 2, 'now'), /syncing the write-ahead log failed/, 'no later write is taken');
  assert.throws(() => database.all('SELECT n FROM rows'), /syncing the write-ahead log failed/, 'nor a read: what is on disk is unknown');
  await assert.rejects(database.synced(), /syncing the write-ahead log failed/);
}));
