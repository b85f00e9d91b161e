// Goal: node.sqlite3 is created at the code's schema version, reopens without re-applying
// anything and with its data intact, rolls back a failing migration whole, and a database
// from a newer build is refused with a message that says so and left untouched.
// Method: open real database files in temp roots; write rows of a "future" version and a
// failing migration by hand; a file that is not a database at all.
import assert from 'node:assert/strict';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { nodeDatabaseFile, openSqliteNodeStore, StoreError } from '../../../src/store/index.ts';
import { MIGRATIONS, migrate, schemaVersion } from '../../../src/store/migrations.ts';
import { integerColumn, SqliteDatabase } from '../../../src/store/sqlite-database.ts';
import { journalBatch, tempRoot } from './store-fixtures.ts';

function withDatabase<T>(root: string, work: (database: SqliteDatabase) => T): T {
  const database = SqliteDatabase.open(nodeDatabaseFile(root));
  try {
    return work(database);
  } finally {
    database.close();
  }
}

function migrationRows(root: string): number {
  return withDatabase(root, (database) => integerColumn(database.get('SELECT count(*) AS count FROM schema_migrations') ?? {}, 'count'));
}

test('a fresh root gets every migration once, and a reopen applies nothing and keeps the data', () => {
  const { root, remove } = tempRoot();
  try {
    const first = openSqliteNodeStore(root);
    first.create('w1').journal.append(journalBatch(0, 3));
    first.close();
    assert.equal(migrationRows(root), MIGRATIONS.length);
    assert.equal(withDatabase(root, schemaVersion), MIGRATIONS.length);
    const second = openSqliteNodeStore(root);
    try {
      assert.deepEqual(second.open('w1').journal.read(0, 10), journalBatch(0, 3));
    } finally {
      second.close();
    }
    assert.equal(migrationRows(root), MIGRATIONS.length);
  } finally {
    remove();
  }
});

test('the database is in WAL mode with synchronous NORMAL (it syncs the WAL itself: wal-sync.test.ts) and foreign keys on', () => {
  const { root, remove } = tempRoot();
  try {
    openSqliteNodeStore(root).close();
    withDatabase(root, (database) => {
      assert.deepEqual(database.get('PRAGMA journal_mode'), { journal_mode: 'wal' });
      assert.deepEqual(database.get('PRAGMA synchronous'), { synchronous: 1 });
      assert.deepEqual(database.get('PRAGMA foreign_keys'), { foreign_keys: 1 });
    });
  } finally {
    remove();
  }
});

test('a database written by a newer build is refused as SCHEMA_TOO_NEW and left untouched', () => {
  const { root, remove } = tempRoot();
  try {
    openSqliteNodeStore(root).close();
    const future = MIGRATIONS.length + 1;
    withDatabase(root, (database) => database.run('INSERT INTO schema_migrations (version, name) VALUES (?, ?)', future, 'from the future'));
    assert.throws(() => openSqliteNodeStore(root), (error: unknown) => {
      assert.ok(error instanceof StoreError && error.code === 'SCHEMA_TOO_NEW', String(error));
      assert.match(error.message, new RegExp(`schema version ${future}, but this build of AgentOS knows versions up to ${MIGRATIONS.length}`));
      assert.match(error.message, /upgrade aos/);
      assert.ok(error.message.includes(nodeDatabaseFile(root)));
      return true;
    });
    assert.equal(migrationRows(root), MIGRATIONS.length + 1);
  } finally {
    remove();
  }
});

test('a failing migration rolls back whole: neither its tables nor its version row remain', () => {
  const { root, remove } = tempRoot();
  try {
    mkdirSync(join(root, '.aos'));
    withDatabase(root, (database) => {
      const failing = { version: MIGRATIONS.length + 1, name: 'fails half way', sql: 'CREATE TABLE half (a INTEGER) STRICT; INSERT INTO no_such_table VALUES (1);' };
      assert.throws(() => migrate(database, [...MIGRATIONS, failing]), (error: unknown) => error instanceof StoreError && error.code === 'IO' && error.message.includes('no_such_table'));
      assert.equal(schemaVersion(database), MIGRATIONS.length);
      assert.equal(database.get("SELECT name FROM sqlite_master WHERE name = 'half'"), undefined);
    });
  } finally {
    remove();
  }
});

test('a file that is not a database is refused as DATABASE_CORRUPT', () => {
  const { root, remove } = tempRoot();
  try {
    mkdirSync(join(root, '.aos'));
    writeFileSync(nodeDatabaseFile(root), 'this is not a database, but it is long enough to have a header of sorts');
    assert.throws(() => openSqliteNodeStore(root), (error: unknown) => error instanceof StoreError && error.code === 'DATABASE_CORRUPT' && error.message.includes('node.sqlite3'));
  } finally {
    remove();
  }
});
