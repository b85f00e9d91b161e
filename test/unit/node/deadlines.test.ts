// Goal: the executor's deadlines, all on one timer, fire as separate timers would: each once its
// time has passed and not before, an earlier deadline added after a later one first, a removed
// one never; and the timer holds the process open only while some deadline is pending.
// Method: real timers with short deadlines; two child processes for the hold (one exits at once,
// one waits for its deadline).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { Deadlines } from '../../../src/node/deadlines.ts';

test('deadlines fire in time order once passed, removed ones never', async () => {
  const deadlines = new Deadlines();
  const fired: Array<{ name: string; late: number }> = [];
  const started = performance.now();
  const at = (name: string, ms: number) => deadlines.add(ms, () => fired.push({ name, late: performance.now() - started - ms }));
  at('slow', 120);
  at('fast', 30);
  const removed = at('removed', 60);
  at('middle', 80);
  deadlines.remove(removed);
  await sleep(20);
  assert.equal(fired.length, 0, 'nothing before its time');
  await sleep(200);
  assert.deepEqual(fired.map((entry) => entry.name), ['fast', 'middle', 'slow']);
  for (const entry of fired) assert.ok(entry.late >= -1, `${entry.name} fired ${entry.late.toFixed(1)} ms after its time, not before`);
  deadlines.close();
});

test('close drops every deadline', async () => {
  const deadlines = new Deadlines();
  let fired = 0;
  deadlines.add(10, () => { fired += 1; });
  deadlines.close();
  await sleep(40);
  assert.equal(fired, 0);
});

function runChild(code: string): { ms: number; stdout: string } {
  const started = performance.now();
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: process.cwd(), encoding: 'utf8', timeout: 20_000 });
  assert.equal(child.status, 0, child.stderr);
  return { ms: performance.now() - started, stdout: child.stdout };
}

test('the timer holds the process only while a deadline is pending', () => {
  const source = new URL('../../../src/node/deadlines.ts', import.meta.url).href;
  const idle = runChild(`import { Deadlines } from ${JSON.stringify(source)}; const d = new Deadlines(); const x = d.add(15000, () => console.log('fired')); d.remove(x);`);
  assert.equal(idle.stdout, '', 'a removed deadline never fires');
  assert.ok(idle.ms < 10_000, `a process whose deadlines were all removed exits at once (took ${idle.ms.toFixed(0)} ms)`);
  const waiting = runChild(`import { Deadlines } from ${JSON.stringify(source)}; const d = new Deadlines(); d.add(300, () => console.log('fired'));`);
  assert.equal(waiting.stdout.trim(), 'fired', 'a pending deadline keeps the process until it fires');
});
