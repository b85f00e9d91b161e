// Goal: bytes changed outside AgentOS are reported, never returned: a flipped byte in a
// journal record is JOURNAL_CORRUPT naming its height, a deleted row below the head too,
// and a flipped byte in a CAS file or a small CAS object's row is CAS_CORRUPT naming the hash
// and the file.
// Method: write through the store, close it, flip a byte in node.sqlite3 itself (found by
// searching the file for the record's bytes), in a row through SQL, or in a CAS file; reopen
// and read.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CAS_INLINE_BYTES_MAX, nodeDatabaseFile, openSqliteNodeStore, StoreError } from '../../../src/store/index.ts';
import type { StoreErrorCode } from '../../../src/store/index.ts';
import { SqliteDatabase } from '../../../src/store/sqlite-database.ts';
import { journalEntry, tempRoot } from './store-fixtures.ts';

const MARKED_HEIGHT = 1;
const marker = (height: number): string => `marker-of-height-${height}-${'x'.repeat(40)}`;

function refusal(code: StoreErrorCode, ...fragments: string[]): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof StoreError, String(error));
    assert.equal(error.code, code, error.message);
    for (const fragment of fragments) assert.ok(error.message.includes(fragment), `"${error.message}" should mention "${fragment}"`);
    return true;
  };
}

function writeJournal(root: string): void {
  const node = openSqliteNodeStore(root);
  node.create('w1').journal.append([0, 1, 2].map((height) => journalEntry(height, marker(height))));
  node.close();
}

test('a byte flipped in node.sqlite3 inside a record is JOURNAL_CORRUPT naming its height', () => {
  const { root, remove } = tempRoot();
  try {
    writeJournal(root);
    const file = nodeDatabaseFile(root);
    assert.equal(existsSync(`${file}-wal`), false, 'closing the last connection checkpoints the WAL into the file');
    const contents = readFileSync(file);
    const offset = contents.indexOf(marker(MARKED_HEIGHT));
    assert.ok(offset >= 0, 'the record bytes are stored verbatim');
    contents[offset + 5] = (contents[offset + 5] ?? 0) ^ 0x01;
    writeFileSync(file, contents);
    const node = openSqliteNodeStore(root);
    try {
      const journal = node.open('w1').journal;
      assert.deepEqual(journal.entryAt(0), journalEntry(0, marker(0)));
      assert.throws(() => journal.entryAt(MARKED_HEIGHT), refusal('JOURNAL_CORRUPT', 'world w1 height 1', journalEntry(1, marker(1)).hash, 'node.sqlite3'));
      assert.throws(() => journal.read(0, 10), refusal('JOURNAL_CORRUPT', 'height 1'));
    } finally {
      node.close();
    }
  } finally {
    remove();
  }
});

test('a row flipped or deleted through SQL is JOURNAL_CORRUPT naming its height', () => {
  const { root, remove } = tempRoot();
  try {
    writeJournal(root);
    const database = SqliteDatabase.open(nodeDatabaseFile(root));
    try {
      const flipped = new TextEncoder().encode(marker(2));
      flipped[0] = (flipped[0] ?? 0) ^ 0x80;
      assert.equal(database.run('UPDATE journal SET bytes = ? WHERE height = 2', flipped), 1);
      assert.equal(database.run('DELETE FROM journal WHERE height = 1'), 1);
    } finally {
      database.close();
    }
    const node = openSqliteNodeStore(root);
    try {
      const journal = node.open('w1').journal;
      assert.throws(() => journal.entryAt(2), refusal('JOURNAL_CORRUPT', 'height 2'));
      assert.throws(() => journal.entryAt(1), refusal('JOURNAL_CORRUPT', 'height 1', 'missing'));
      assert.throws(() => journal.read(0, 10), refusal('JOURNAL_CORRUPT', 'height 1', 'missing'));
    } finally {
      node.close();
    }
  } finally {
    remove();
  }
});

test('a byte flipped in a CAS file is CAS_CORRUPT naming the hash and the file', () => {
  const { root, remove } = tempRoot();
  try {
    const node = openSqliteNodeStore(root);
    try {
      // Objects past CAS_INLINE_BYTES_MAX are files; smaller ones live in the database (below).
      const [hash] = node.cas.putMany([new Uint8Array(CAS_INLINE_BYTES_MAX + 1).fill(7)]);
      assert.ok(hash !== undefined);
      const digits = hash.slice('sha256:'.length);
      const file = join(root, '.aos', 'cas', digits.slice(0, 2), digits.slice(2));
      const contents = readFileSync(file);
      contents[3] = (contents[3] ?? 0) ^ 0x01;
      writeFileSync(file, contents);
      assert.throws(() => node.cas.get(hash), refusal('CAS_CORRUPT', hash, file));
    } finally {
      node.close();
    }
  } finally {
    remove();
  }
});

test('a byte flipped in a small CAS object inside node.sqlite3 is CAS_CORRUPT naming the hash and the database', () => {
  const { root, remove } = tempRoot();
  try {
    const node = openSqliteNodeStore(root);
    const [hash] = node.cas.putMany([new TextEncoder().encode('snapshot body')]);
    assert.ok(hash !== undefined);
    node.close();
    const database = SqliteDatabase.open(nodeDatabaseFile(root));
    const changed = database.run("UPDATE cas_objects SET bytes = CAST('snapshot bodY' AS BLOB) WHERE hash = ?", hash);
    database.close();
    assert.equal(changed, 1, 'the small object is a row of cas_objects');
    const reopened = openSqliteNodeStore(root);
    try {
      assert.throws(() => reopened.cas.get(hash), refusal('CAS_CORRUPT', hash, nodeDatabaseFile(root)));
    } finally {
      reopened.close();
    }
  } finally {
    remove();
  }
});
