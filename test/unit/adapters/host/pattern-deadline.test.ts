// Goal: a grep or glob pattern that backtracks catastrophically (the model writes grep patterns)
// costs at most its deadline and never blocks the node: the main thread keeps serving, the
// effect settles as a pattern_timeout error saying what to change, and the next grep works.
// Method: grep "(a+)+$" over a line of 40 "a"s and a "b" (2^40 backtracking steps) with a short
// deadline, while a timer on the main thread counts ticks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessage, hostTree, inlineText } from './fixture.ts';

const DEADLINE_MS = 300;

test('a catastrophic grep pattern times out in its worker while the node keeps serving; the next grep works', async () => {
  const tree = await hostTree({ patternDeadlineMs: DEADLINE_MS });
  try {
    await writeFile(join(tree.workdir, 'evil.txt'), `${'a'.repeat(40)}b\nplain line\n`);
    let ticks = 0;
    const ticker = setInterval(() => { ticks += 1; }, 10);
    const started = Date.now();
    const slow = await tree.run('host.fs.grep', { pattern: '(a+)+$', path: '.' });
    const elapsed = Date.now() - started;
    clearInterval(ticker);
    assert.deepEqual([slow.status, slow.receipt['error_code']], ['error', 'pattern_timeout'], errorMessage(slow.receipt));
    assert.match(errorMessage(slow.receipt), /did not finish matching within 300 ms.*avoid nested quantifiers/);
    assert.ok(elapsed < DEADLINE_MS + 2_000, `settled ${elapsed} ms after it started`);
    assert.ok(ticks >= (DEADLINE_MS / 10) / 3, `the main thread kept running timers while the pattern ran (${ticks} ticks)`);
    const next = await tree.run('host.fs.grep', { pattern: 'plain', path: '.' });
    assert.equal(next.status, 'ok', errorMessage(next.receipt));
    assert.equal(inlineText(next.receipt['matches']), 'evil.txt:2:plain line');
    const glob = await tree.run('host.fs.glob', { pattern: '*.txt', path: '.' });
    assert.equal(inlineText(glob.receipt['paths']), 'evil.txt');
  } finally {
    await tree.cleanup();
  }
});
