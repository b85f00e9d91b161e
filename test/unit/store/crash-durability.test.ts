// Goal: an append is durable when it returns. However a writer dies, every height it
// acknowledged is in the journal exactly once, and the journal stays contiguous and verified.
// Method: a child process appends random-sized batches and prints each acknowledged height;
// the parent SIGKILLs it after a seeded number of acknowledgements (so the kill lands
// somewhere in a later append), reopens the store and reads the whole journal back. The
// trials share one root, so each child also recovers from the previous one's crash.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { JOURNAL_READ_ENTRIES_MAX, openSqliteNodeStore } from '../../../src/store/index.ts';
import { seededRandom, tempRoot, testSeed } from './store-fixtures.ts';
import { runChildUntilKilled as runChild } from '../../support/kill-child.ts';

const TRIALS = 12;
const ACKS_BEFORE_KILL_MAX = 30;
const CHILD = join(import.meta.dirname, 'crash-append-child.ts');

function runChildUntilKilled(root: string, childSeed: number, acksBeforeKill: number): Promise<number[]> {
  return runChild(CHILD, [root, String(childSeed)], acksBeforeKill);
}

function readWholeJournal(root: string): number[] {
  const node = openSqliteNodeStore(root);
  try {
    const journal = node.open('crash').journal;
    const heights: number[] = [];
    const nextHeight = journal.head()?.next_height ?? 0;
    while (heights.length < nextHeight) {
      const page = journal.read(heights.length, JOURNAL_READ_ENTRIES_MAX);
      assert.ok(page.length > 0, 'a read below the head returns records');
      for (const entry of page) heights.push(entry.height);
    }
    return heights;
  } finally {
    node.close();
  }
}

test(`every acknowledged append survives SIGKILL (${TRIALS} trials)`, async () => {
  const seed = testSeed();
  console.log(`crash-durability seed=${seed} (rerun with AOS_SIM_SEED=${seed})`);
  const random = seededRandom(seed);
  const { root, remove } = tempRoot();
  try {
    let acknowledgedMax = -1;
    for (let trial = 0; trial < TRIALS; trial += 1) {
      const acknowledged = await runChildUntilKilled(root, random(2 ** 32), 1 + random(ACKS_BEFORE_KILL_MAX));
      const heights = readWholeJournal(root);
      heights.forEach((height, index) => assert.equal(height, index, `seed=${seed} trial ${trial}: the journal is contiguous`));
      for (const height of acknowledged) {
        assert.ok(height < heights.length, `seed=${seed} trial ${trial}: acknowledged height ${height} is in a journal of ${heights.length}`);
        assert.ok(height > acknowledgedMax, `seed=${seed} trial ${trial}: height ${height} was acknowledged once`);
        acknowledgedMax = height;
      }
    }
  } finally {
    remove();
  }
});
