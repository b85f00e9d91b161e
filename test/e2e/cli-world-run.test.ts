// Goal: effects run from the command line: `aos world run` executes a world's open work with
// the adapters this node has keys for, their receipts are signed and admitted, the work they
// open runs too, and a world without adapter keys says what to do instead of hanging.
// Method: spawn bin/aos.js on copies of the runner test world (blob.put, then a timer).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '../..');

function aos(dir: string, ...args: string[]): { code: number; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(ROOT, 'bin/aos.js'), ...args, '--root', dir], { encoding: 'utf8', cwd: ROOT });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

function runnerWorld(keys: readonly string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'aos-run-'));
  cpSync(join(ROOT, 'test/fixtures/worlds/runner'), dir, { recursive: true, filter: (path) => !path.endsWith('.aos') });
  for (const name of keys) assert.equal(aos(dir, 'key', 'gen', '--name', name, '--role', 'adapter').code, 0);
  const created = aos(dir, 'world', 'create');
  assert.equal(created.code, 0, created.stderr);
  const sent = aos(dir, 'world', 'send', '--schema', 'test/RunnerOp@1', '--value-json', '{"Store":{"bytes":"aGVsbG8=","then_wait_ns":1000000}}');
  assert.equal(sent.code, 0, sent.stderr);
  return dir;
}

test('aos world run settles a blob.put and the timer its receipt opens, with signed receipts the audit verifies', () => {
  const dir = runnerWorld(['blob.default', 'timer.default']);
  try {
    const run = aos(dir, 'world', 'run', '--timeout-ms', '20000', '--json');
    assert.equal(run.code, 0, run.stderr);
    const done = JSON.parse(run.stdout) as { adapters: string[]; settled: number; open: number; timed_out: boolean; problems: unknown[] };
    assert.deepEqual(done, { adapters: ['blob.default', 'timer.default'], settled: 2, open: 0, timed_out: false, problems: [] });
    const state = JSON.parse(aos(dir, 'world', 'state', 'test/Runner@1', '--json').stdout) as { state: { settled: string[] } };
    assert.deepEqual(state.state.settled, ['blob.put:ok', 'timer.set:ok']);
    const audit = aos(dir, 'audit', 'verify');
    assert.equal(audit.code, 0, audit.stderr);
    assert.match(audit.stdout, /2\/2 receipt signatures verified/);
    assert.equal(aos(dir, 'replay', '--verify').code, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('without adapter keys, aos world run leaves the work open and says how to serve it', () => {
  const dir = runnerWorld([]);
  try {
    const run = aos(dir, 'world', 'run', '--timeout-ms', '20000');
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /adapters: none \(generate adapter keys with `aos key gen --name blob\.default --role adapter`/);
    assert.match(run.stdout, /settled 0 intents; 1 still open/);
    assert.match(run.stdout, /problem: no adapter executes blob\.put; intent sha256:[0-9a-f]{64} stays open/);
    assert.equal(aos(dir, 'world', 'run', '--timeout-ms', '0').code, 1, 'a zero time limit is refused');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
