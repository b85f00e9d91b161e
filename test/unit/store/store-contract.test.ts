// Goal: the memory and SQLite backends keep the same contract: a contiguous journal with
// atomic, height-checked appends and verified reads; a shared verified CAS; an idempotent
// snapshot index; scoped meta tables; world lifecycle and close.
// Method: one list of tests, run against each backend in turn; randomised batch splits
// (fast-check) compare the journal with a plain array.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { hashBytes, InvariantError } from '../../../src/cbor/index.ts';
import { JOURNAL_KIND_CHARS_MAX, JOURNAL_READ_ENTRIES_MAX, META_VALUE_BYTES_MAX, StoreError } from '../../../src/store/index.ts';
import type { NodeStore, StoreErrorCode } from '../../../src/store/index.ts';
import { BACKENDS, journalBatch, journalEntry } from './store-fixtures.ts';

function storeError(code: StoreErrorCode, ...fragments: string[]): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof StoreError, `expected a StoreError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    for (const fragment of fragments) assert.ok(error.message.includes(fragment), `"${error.message}" should mention "${fragment}"`);
    return true;
  };
}

const bytesOf = (text: string): Uint8Array => new TextEncoder().encode(text);

for (const backend of BACKENDS) {
  describe(`${backend.name} backend`, () => {
    const withNode = (work: (node: NodeStore) => void) => () => {
      const opened = backend.open();
      try {
        work(opened.node);
      } finally {
        opened.dispose();
      }
    };

    test('an empty journal has no head; appends read back in height order', withNode((node) => {
      const journal = node.create('w1').journal;
      assert.equal(journal.head(), null);
      assert.deepEqual(journal.read(0, 10), []);
      assert.equal(journal.entryAt(0), null);
      journal.append(journalBatch(0, 3));
      journal.append([journalEntry(3)]);
      assert.deepEqual(journal.head(), { next_height: 4, last_hash: journalEntry(3).hash });
      assert.deepEqual(journal.read(0, 10), journalBatch(0, 4));
      assert.deepEqual(journal.read(1, 2), journalBatch(1, 2));
      assert.deepEqual(journal.read(4, 10), []);
      assert.deepEqual(journal.entryAt(2), journalEntry(2));
      assert.equal(journal.entryAt(4), null);
    }));

    test('stored records are copies: changing a buffer after append or read changes nothing', withNode((node) => {
      const journal = node.create('w1').journal;
      const batch = journalBatch(0, 1);
      journal.append(batch);
      batch[0]?.bytes.fill(0);
      journal.read(0, 1)[0]?.bytes.fill(0);
      assert.deepEqual(journal.entryAt(0), journalEntry(0));
    }));

    test('a batch that skips or repeats heights is a HEIGHT_CONFLICT naming them, and changes nothing', withNode((node) => {
      const journal = node.create('w1').journal;
      assert.throws(() => journal.append(journalBatch(1, 2)), storeError('HEIGHT_CONFLICT', 'w1', '[1, 2]', 'next height is 0'));
      journal.append(journalBatch(0, 3));
      assert.throws(() => journal.append(journalBatch(4, 1)), storeError('HEIGHT_CONFLICT', '[4]', 'next height is 3'));
      assert.throws(() => journal.append(journalBatch(2, 2)), storeError('HEIGHT_CONFLICT', '[2, 3]', 'next height is 3'));
      const skipping = [journalEntry(3), journalEntry(4), journalEntry(6)];
      assert.throws(() => journal.append(skipping), storeError('HEIGHT_CONFLICT', '[3, 4, 6]', 'record 2 has height 6, expected 5'));
      assert.deepEqual(journal.head(), { next_height: 3, last_hash: journalEntry(2).hash });
      assert.deepEqual(journal.read(0, 10), journalBatch(0, 3));
    }));

    test('our own mistakes are InvariantErrors: an empty batch, a hash that is not of the bytes', withNode((node) => {
      const journal = node.create('w1').journal;
      assert.throws(() => journal.append([]), InvariantError);
      const wrong = { ...journalEntry(0), hash: hashBytes(bytesOf('other')) };
      assert.throws(() => journal.append([wrong]), InvariantError);
      assert.throws(() => journal.read(-1, 1), InvariantError);
      assert.equal(journal.head(), null);
    }));

    test('limits are refused by name', withNode((node) => {
      const journal = node.create('w1').journal;
      assert.throws(() => journal.read(0, JOURNAL_READ_ENTRIES_MAX + 1), storeError('LIMIT_EXCEEDED', 'JOURNAL_READ_ENTRIES_MAX'));
      const longKind = { ...journalEntry(0), kind: 'k'.repeat(JOURNAL_KIND_CHARS_MAX + 1) };
      assert.throws(() => journal.append([longKind]), storeError('LIMIT_EXCEEDED', 'JOURNAL_KIND_CHARS_MAX'));
      const meta = node.open('w1').meta;
      assert.throws(() => meta.put('big', new Uint8Array(META_VALUE_BYTES_MAX + 1)), storeError('LIMIT_EXCEEDED', 'META_VALUE_BYTES_MAX'));
      assert.throws(() => meta.put('', bytesOf('x')), storeError('LIMIT_EXCEEDED', 'META_KEY_CHARS_MAX'));
    }));

    test('any split into batches reads back as the same journal', withNode((node) => {
      let run = 0;
      fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 8 }), (sizes) => {
        run += 1;
        const journal = node.create(`prop-${run}`).journal;
        let next = 0;
        for (const size of sizes) {
          journal.append(journalBatch(next, size));
          next += size;
        }
        assert.deepEqual(journal.read(0, next), journalBatch(0, next));
        assert.equal(journal.head()?.next_height, next);
      }), { numRuns: 30 });
    }));

    test('worlds: created, listed in order, isolated; ids checked; duplicates and unknowns refused', withNode((node) => {
      assert.deepEqual(node.worlds(), []);
      node.create('beta').journal.append(journalBatch(0, 2));
      node.create('alpha');
      assert.deepEqual(node.worlds(), ['alpha', 'beta']);
      assert.equal(node.open('alpha').journal.head(), null);
      assert.equal(node.open('beta').journal.head()?.next_height, 2);
      assert.throws(() => node.create('beta'), storeError('WORLD_EXISTS', 'beta'));
      assert.throws(() => node.open('gamma'), storeError('WORLD_MISSING', 'gamma'));
      assert.throws(() => node.create('-bad'), storeError('BAD_WORLD_ID', '-bad'));
      assert.throws(() => node.create('a/b'), storeError('BAD_WORLD_ID'));
      assert.throws(() => node.create('x'.repeat(129)), storeError('BAD_WORLD_ID', 'WORLD_ID_CHARS_MAX'));
    }));

    test('CAS: put/putMany/get/has, idempotent, shared by the node and its worlds', withNode((node) => {
      const world = node.create('w1');
      const hash = world.cas.put(bytesOf('one'));
      assert.equal(hash, hashBytes(bytesOf('one')));
      assert.equal(node.cas.put(bytesOf('one')), hash);
      assert.ok(node.cas.has(hash));
      assert.deepEqual(node.cas.get(hash), bytesOf('one'));
      const hashes = node.cas.putMany([bytesOf('two'), bytesOf('three'), bytesOf('two')]);
      assert.deepEqual(hashes, [hashBytes(bytesOf('two')), hashBytes(bytesOf('three')), hashBytes(bytesOf('two'))]);
      for (const [index, text] of ['two', 'three', 'two'].entries()) assert.deepEqual(world.cas.get(hashes[index] ?? hash), bytesOf(text));
      const missing = hashBytes(bytesOf('never stored'));
      assert.equal(node.cas.has(missing), false);
      assert.throws(() => node.cas.get(missing), storeError('CAS_MISSING', missing));
    }));

    test('snapshot index: latest, ascending list, idempotent record, conflict, remove', withNode((node) => {
      const snapshots = node.create('w1').snapshots;
      const [s1, s2, m1] = [hashBytes(bytesOf('s1')), hashBytes(bytesOf('s2')), hashBytes(bytesOf('m1'))];
      assert.equal(snapshots.latest(), null);
      snapshots.record(20, s2, m1);
      snapshots.record(10, s1, m1);
      snapshots.record(10, s1, m1);
      assert.deepEqual(snapshots.latest(), { height: 20, hash: s2, manifest_hash: m1 });
      assert.deepEqual(snapshots.list().map((ref) => ref.height), [10, 20]);
      assert.throws(() => snapshots.record(10, s2, m1), storeError('SNAPSHOT_CONFLICT', 'height 10', s1, s2));
      assert.equal(snapshots.remove(20), true);
      assert.equal(snapshots.remove(20), false);
      assert.deepEqual(snapshots.latest(), { height: 10, hash: s1, manifest_hash: m1 });
      assert.deepEqual(node.create('w2').snapshots.list(), []);
    }));

    test('meta: put replaces, delete reports, keys sorted; node and world scopes are apart', withNode((node) => {
      const world = node.create('w1');
      world.meta.put('baseline', bytesOf('h1'));
      world.meta.put('baseline', bytesOf('h2'));
      world.meta.put('alpha', bytesOf('a'));
      node.meta.put('baseline', bytesOf('node'));
      assert.deepEqual(world.meta.get('baseline'), bytesOf('h2'));
      assert.deepEqual(node.meta.get('baseline'), bytesOf('node'));
      assert.deepEqual(world.meta.keys(), ['alpha', 'baseline']);
      assert.equal(world.meta.delete('alpha'), true);
      assert.equal(world.meta.delete('alpha'), false);
      assert.equal(world.meta.get('alpha'), null);
      assert.deepEqual(node.meta.keys(), ['baseline']);
      assert.deepEqual(node.create('w2').meta.keys(), []);
    }));

    test('after close, the node and its worlds refuse with CLOSED', () => {
      const opened = backend.open();
      try {
        const world = opened.node.create('w1');
        opened.node.close();
        assert.throws(() => opened.node.worlds(), storeError('CLOSED'));
        assert.throws(() => world.journal.head(), storeError('CLOSED'));
        assert.throws(() => world.snapshots.list(), storeError('CLOSED'));
        assert.throws(() => world.meta.keys(), storeError('CLOSED'));
      } finally {
        opened.dispose();
      }
    });
  });
}
