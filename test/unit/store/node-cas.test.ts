// Goal: the node CAS keeps small objects in node.sqlite3 and large ones in files, and a staged
// object (an adapter's output) is readable at once, durable with the next journal append of
// any world of the node, and never durable without it unless flushed or the store closes.
// Method: a real SQLite node store; "a crash" is a second connection opened while the first
// still holds staged objects (it sees only what was committed).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { hashBytes } from '../../../src/cbor/index.ts';
import type { Hash } from '../../../src/cbor/index.ts';
import { CAS_INLINE_BYTES_MAX, openSqliteNodeStore } from '../../../src/store/index.ts';
import { journalEntry, tempRoot } from './store-fixtures.ts';

const text = (value: string): Uint8Array => new TextEncoder().encode(value);

function casFile(root: string, hash: Hash): string {
  const digits = hash.slice('sha256:'.length);
  return join(root, '.aos', 'cas', digits.slice(0, 2), digits.slice(2));
}

/** What another process would see now: a fresh connection to the same root. */
function seenByAnotherProcess(root: string, hash: Hash): boolean {
  const other = openSqliteNodeStore(root);
  try {
    return other.cas.has(hash);
  } finally {
    other.close();
  }
}

test('small objects are rows of node.sqlite3, objects past CAS_INLINE_BYTES_MAX are files; both read back verified', () => {
  const { root, remove } = tempRoot();
  try {
    const node = openSqliteNodeStore(root);
    try {
      const small = text('a small blob');
      const large = new Uint8Array(CAS_INLINE_BYTES_MAX + 1).fill(3);
      const edge = new Uint8Array(CAS_INLINE_BYTES_MAX).fill(4);
      const [smallHash, largeHash, edgeHash] = node.cas.putMany([small, large, edge]);
      assert.deepEqual([smallHash, largeHash, edgeHash], [hashBytes(small), hashBytes(large), hashBytes(edge)]);
      assert.ok(smallHash !== undefined && largeHash !== undefined && edgeHash !== undefined);
      assert.deepEqual([existsSync(casFile(root, smallHash)), existsSync(casFile(root, largeHash)), existsSync(casFile(root, edgeHash))], [false, true, false]);
      assert.deepEqual(node.cas.get(smallHash), small);
      assert.deepEqual(node.cas.get(largeHash), large);
      assert.deepEqual(node.cas.get(edgeHash), edge);
      assert.equal(node.cas.put(small), smallHash, 'storing the same bytes again is a no-op');
    } finally {
      node.close();
    }
    assert.ok(seenByAnotherProcess(root, hashBytes(text('a small blob'))), 'put is durable when it returns');
  } finally {
    remove();
  }
});

test('a staged object is readable at once and becomes durable with the next journal append, of any world', () => {
  const { root, remove } = tempRoot();
  try {
    const node = openSqliteNodeStore(root);
    try {
      const one = node.create('w1');
      const two = node.create('w2');
      const bytes = text('an adapter output');
      const hash = node.cas.stage(bytes);
      assert.equal(hash, hashBytes(bytes));
      assert.deepEqual([node.cas.has(hash), node.cas.get(hash)], [true, bytes], 'readable before it is durable');
      one.journal.append([journalEntry(0)]);
      assert.equal(seenByAnotherProcess(root, hash), true, 'committed with world w1\'s append');
      const later = node.cas.stage(text('a second output'));
      assert.equal(seenByAnotherProcess(root, later), false, 'not durable before an append: a crash now loses it together with the receipt that would name it');
      two.journal.append([journalEntry(0)]);
      assert.equal(seenByAnotherProcess(root, later), true, 'any world\'s append commits it');
    } finally {
      node.close();
    }
  } finally {
    remove();
  }
});

test('a failed append keeps staged objects for the next one; flush and close make them durable', () => {
  const { root, remove } = tempRoot();
  try {
    const node = openSqliteNodeStore(root);
    const world = node.create('w1');
    const kept = node.cas.stage(text('kept across a refused append'));
    assert.throws(() => world.journal.append([journalEntry(5)]), /HEIGHT|height/, 'an append that does not continue the head is refused');
    assert.equal(seenByAnotherProcess(root, kept), false, 'the refused append rolled back its staged rows too');
    assert.deepEqual(node.cas.get(kept), text('kept across a refused append'), 'still staged');
    world.journal.append([journalEntry(0)]);
    assert.equal(seenByAnotherProcess(root, kept), true);
    const flushed = node.cas.stage(text('flushed'));
    (node.cas as unknown as { flush(): void }).flush();
    assert.equal(seenByAnotherProcess(root, flushed), true, 'flush commits staged objects on their own');
    const staged = text('staged, then put');
    node.cas.stage(staged);
    node.cas.put(staged);
    assert.equal(seenByAnotherProcess(root, hashBytes(staged)), true, 'put of bytes already staged is durable when it returns');
    const closed = node.cas.stage(text('staged at close'));
    node.close();
    assert.equal(seenByAnotherProcess(root, closed), true, 'closing the store commits what is staged');
  } finally {
    remove();
  }
});

test('staging large objects writes their files at once', () => {
  const { root, remove } = tempRoot();
  try {
    const node = openSqliteNodeStore(root);
    try {
      const large = new Uint8Array(CAS_INLINE_BYTES_MAX + 10).fill(9);
      const hash = node.cas.stage(large);
      assert.equal(existsSync(casFile(root, hash)), true);
      assert.equal(seenByAnotherProcess(root, hash), true);
    } finally {
      node.close();
    }
  } finally {
    remove();
  }
});
