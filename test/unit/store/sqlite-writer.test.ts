// Goal: deferred writes handed to the writer thread (writeLater) behave as if this thread had
// committed them: readable here at once, in one commit order with this thread's own writes,
// durable when synced() resolves, kept through close and reopen; and a writer that fails stops
// the database with a message that names the failure, rejecting whoever waits for durability.
// A journal's deferred appends still check their heights here, before anything is handed over.
// Method: a real node.sqlite3 with the writer started from the first deferred write
// (writerAfter: 0), its thread run from sources as the tests run everything else.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
import { hashBytes } from '../../../src/cbor/index.ts';
import { nodeDatabaseFile, openSqliteNodeStore, SQLITE_WRITER_QUEUE_MAX, StoreError } from '../../../src/store/index.ts';
import { SqliteDatabase } from '../../../src/store/sqlite-database.ts';
import type { SqliteWrite } from '../../../src/store/sqlite-database.ts';
import { tempRoot } from './store-fixtures.ts';

const require = createRequire(import.meta.url);
const INSERT = 'INSERT INTO rows (n, note) VALUES (?, ?)';

function row(n: number, note = 'deferred'): SqliteWrite {
  return { sql: INSERT, parameters: [n, note], changes: 1 };
}

function rows(database: SqliteDatabase): Array<{ n: number; note: string }> {
  return database.all('SELECT n, note FROM rows ORDER BY rowid') as Array<{ n: number; note: string }>;
}

async function withDatabase(work: (database: SqliteDatabase, file: string) => Promise<void> | void): Promise<void> {
  const { root, remove } = tempRoot();
  mkdirSync(join(root, '.aos'));
  const file = nodeDatabaseFile(root);
  const database = SqliteDatabase.open(file, undefined, { writerAfter: 0 });
  database.exec('CREATE TABLE rows (n INTEGER PRIMARY KEY, note TEXT NOT NULL) STRICT');
  try {
    await work(database, file);
  } finally {
    database.close();
    remove();
  }
}

test('writes handed to the writer are readable at once, in commit order with this thread\'s own', () => withDatabase(async (database, file) => {
  assert.equal(database.threaded, false, 'no thread before the first deferred write');
  for (let n = 1; n <= 50; n += 1) database.writeLater([row(n)]);
  assert.equal(database.threaded, true, 'the writer thread took the deferred writes');
  database.transaction(() => database.run(INSERT, 51, 'now'));
  database.writeLater([row(52), row(53)]);
  const seen = rows(database);
  assert.deepEqual(seen.map((entry) => entry.n), Array.from({ length: 53 }, (_, index) => index + 1), 'every write, in the order made');
  assert.equal(seen[50]?.note, 'now');
  await database.synced();
  database.close();
  const reopened = SqliteDatabase.open(file);
  try {
    assert.equal(rows(reopened).length, 53, 'and on disk after close');
  } finally {
    reopened.close();
  }
}));

test('synced() resolves once the writer has committed and synced what was handed to it', () => withDatabase(async (database) => {
  database.writeLater([row(1)]);
  let resolved = false;
  const waiting = database.synced().then(() => { resolved = true; });
  assert.equal(resolved, false, 'not before the writer reports');
  await waiting;
  database.writeLater([row(2)]);
  database.writeLater([row(3)]);
  await database.synced();
  assert.equal(rows(database).length, 3);
}));

test('close waits for the writer: what was handed over is kept', async () => {
  const { root, remove } = tempRoot();
  try {
    mkdirSync(join(root, '.aos'));
    const file = nodeDatabaseFile(root);
    const database = SqliteDatabase.open(file, undefined, { writerAfter: 0 });
    database.exec('CREATE TABLE rows (n INTEGER PRIMARY KEY, note TEXT NOT NULL) STRICT');
    for (let n = 1; n <= 200; n += 1) database.writeLater([row(n)]);
    database.close();
    const reopened = SqliteDatabase.open(file);
    try {
      assert.equal(rows(reopened).length, 200);
    } finally {
      reopened.close();
    }
  } finally {
    remove();
  }
});

test('a write the writer cannot commit stops the database, naming the failure; waiters are rejected', () => withDatabase(async (database) => {
  database.writeLater([row(1)]);
  await database.synced();
  database.writeLater([row(1)]);
  const durable = database.synced();
  await assert.rejects(durable, (error: unknown) => error instanceof StoreError && error.code === 'IO' && /writer thread stopped/.test(error.message) && /UNIQUE/.test(error.message));
  assert.throws(() => rows(database), (error: unknown) => error instanceof StoreError && /writer thread stopped/.test(error.message), 'and every later use is refused');
  assert.throws(() => database.writeLater([row(2)]), StoreError);
}));

test('a write that changes other than the rows it names stops the database too', () => withDatabase(async (database) => {
  database.writeLater([{ sql: 'UPDATE rows SET note = ? WHERE n = ?', parameters: ['x', 99], changes: 1 }]);
  assert.throws(() => rows(database), (error: unknown) => error instanceof StoreError && /changed 0 rows, not 1/.test(error.message));
}));

test('a journal\'s deferred appends go to the writer with their staged objects, heights checked here first', async () => {
  const { root, remove } = tempRoot();
  const store = openSqliteNodeStore(root);
  try {
    const world = store.create('w');
    const entry = (height: number) => {
      const bytes = Uint8Array.of(height & 0xff, 1, 2, 3);
      return { height, kind: 'domain_event', hash: hashBytes(bytes), bytes };
    };
    const staged = world.cas.stage(Uint8Array.of(9, 9, 9));
    // Past the writer's threshold, so both paths run: inline first, then on the writer.
    for (let height = 0; height < 100; height += 1) world.journal.append([entry(height)], 'deferred');
    assert.throws(() => world.journal.append([entry(150)], 'deferred'), (error: unknown) => error instanceof StoreError && /150/.test(error.message), 'a gap is refused before it is handed over');
    assert.equal(world.journal.head()?.next_height, 100, 'every deferred append is readable at once');
    assert.deepEqual(world.cas.get(staged), Uint8Array.of(9, 9, 9), 'with the objects staged before it');
    await store.synced();
  } finally {
    store.close();
  }
  const reopened = openSqliteNodeStore(root);
  try {
    const world = reopened.open('w');
    assert.equal(world.journal.head()?.next_height, 100);
    assert.equal(world.journal.read(0, 200).length, 100);
  } finally {
    reopened.close();
    remove();
  }
});

test('a writer held up by another connection\'s lock holds this thread back once SQLITE_WRITER_QUEUE_MAX writes wait', () => withDatabase(async (database, file) => {
  database.writeLater([row(0)]);
  await database.synced();
  // Another process takes the write lock for a while: the writer waits on it (busy timeout).
  const holdMs = 600;
  const holder = spawn(process.execPath, ['-e', `
    const Database = require(${JSON.stringify(require.resolve('better-sqlite3'))});
    const db = new Database(process.argv[1]); db.exec('BEGIN IMMEDIATE'); process.stdout.write('locked\\n');
    setTimeout(() => { db.exec('COMMIT'); db.close(); }, ${holdMs});`, file], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => holder.stdout.once('data', () => resolve()));
  const started = performance.now();
  for (let n = 1; n <= SQLITE_WRITER_QUEUE_MAX + 10; n += 1) database.writeLater([row(n)]);
  const postedMs = performance.now() - started;
  assert.ok(postedMs > holdMs / 3, `posting past the queue bound waited for the writer (${postedMs.toFixed(0)} ms)`);
  await new Promise((resolve) => holder.once('exit', resolve));
  await database.synced();
  assert.equal(rows(database).length, SQLITE_WRITER_QUEUE_MAX + 11, 'and every write landed');
}));
