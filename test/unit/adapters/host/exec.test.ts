// Goal: host.exec runs argv in the session's work dir (or a confined cwd) and reports stdout,
// stderr and the exit code; a timeout, an abort or a session signal kills everything the
// command started, grandchildren included, inside the sandbox's PID namespace too; the child
// sees only allowlisted environment variables; output over 16 KiB is a blob.
// Method: real processes (sh, node) in a temp work dir, under the real sandbox (bubblewrap;
// skipped, saying so, where it is missing). The command's pids are those of its own PID
// namespace, so the tests find its processes from outside by a token in their command lines,
// and give a grandchild a file to write after the kill: the file must never appear.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { CborObject, Hash } from '../../../../src/cbor/index.ts';
import { errorMessage, hostTree, inlineText, skipWithoutSandbox } from './fixture.ts';

/** Live (not zombie) processes of this machine whose command line holds `token`. */
function processesWith(token: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (!readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').includes(token)) continue;
      if (readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]!.startsWith('Z')) continue;
      found.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

/**
 * A command that starts a background sleep and a grandchild that writes late.txt after a second,
 * then sleeps itself; the sleeps' argument is a token unique to this call.
 */
function lingeringCommand(): { argv: string[]; token: string } {
  const token = `30.${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`;
  return { argv: ['sh', '-c', `sleep ${token} & (sleep 1; echo late > late.txt) & echo started; sleep ${token}`], token };
}

/** Asserts that nothing the lingering command started is left: no process holds its token, and late.txt never appears. */
async function assertAllGone(workdir: string, token: string, startedMs: number): Promise<void> {
  for (let waitedMs = 0; processesWith(token).length > 0 && waitedMs < 2_000; waitedMs += 50) await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual(processesWith(token), [], `no process of the command is left (token ${token})`);
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, startedMs + 1_500 - Date.now())));
  assert.equal(existsSync(join(workdir, 'late.txt')), false, 'the grandchild was killed before it could write late.txt');
}

test('stdout, stderr and a non-zero exit code come back; cwd is confined', async (t) => {
  if (skipWithoutSandbox(t)) return;
  const tree = await hostTree();
  try {
    await mkdir(join(tree.workdir, 'sub'));
    const ran = await tree.run('host.exec', { argv: ['sh', '-c', 'pwd; echo oops >&2; exit 3'], cwd: 'sub' });
    assert.equal(ran.status, 'ok', errorMessage(ran.receipt));
    assert.equal(ran.receipt['exit_code'], 3);
    assert.equal(ran.receipt['status'], 'ok');
    assert.equal(inlineText(ran.receipt['stdout']), `${join(tree.workdir, 'sub')}\n`);
    assert.equal(inlineText(ran.receipt['stderr']), 'oops\n');
    assert.ok((ran.receipt['ended_at_ns'] as bigint) > (ran.receipt['started_at_ns'] as bigint));
    const missing = await tree.run('host.exec', { argv: ['definitely-not-a-program-aos'] });
    assert.deepEqual([missing.status, missing.receipt['error_code']], ['error', 'spawn_failed']);
    assert.match(missing.receipt['error_message'] as string, /could not start "definitely-not-a-program-aos"/);
    const stdin = tree.blobs.put(new TextEncoder().encode('from stdin'));
    const cat = await tree.run('host.exec', { argv: ['cat'], stdin_ref: stdin });
    assert.equal(inlineText(cat.receipt['stdout']), 'from stdin');
  } finally {
    await tree.cleanup();
  }
});

test('a timeout kills the whole process tree, grandchild included', async (t) => {
  if (skipWithoutSandbox(t)) return;
  const tree = await hostTree();
  try {
    const { argv, token } = lingeringCommand();
    const started = Date.now();
    const ran = await tree.run('host.exec', { argv, timeout_ns: 300_000_000 });
    assert.ok(Date.now() - started < 10_000, 'the exec returned long before the sleeps would end');
    assert.deepEqual([ran.status, ran.receipt['status'], ran.receipt['exit_code']], ['timeout', 'timeout', -1]);
    assert.match(ran.receipt['error_message'] as string, /process group was killed/);
    assert.equal(inlineText(ran.receipt['stdout']), 'started\n', 'the command ran before it was killed');
    await assertAllGone(tree.workdir, token, started);
  } finally {
    await tree.cleanup();
  }
});

test('aborting the intent kills the process tree too', async (t) => {
  if (skipWithoutSandbox(t)) return;
  const tree = await hostTree();
  try {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const { argv, token } = lingeringCommand();
    const started = Date.now();
    const ran = await tree.run('host.exec', { argv, timeout_ns: 60_000_000_000 }, controller.signal);
    assert.ok(Date.now() - started < 10_000, 'the exec returned long before the sleeps would end');
    assert.equal(ran.status, 'timeout');
    await assertAllGone(tree.workdir, token, started);
  } finally {
    await tree.cleanup();
  }
});

test('the child sees only passed-through, session and env_patch variables', async (t) => {
  if (skipWithoutSandbox(t)) return;
  process.env['AOS_HOST_TEST_SECRET'] = 'must-not-leak';
  const tree = await hostTree({ envPassthrough: ['PATH'] });
  try {
    const ran = await tree.run('host.exec', { argv: ['sh', '-c', 'env'], env_patch: { GREETING: 'hi' } });
    const env = inlineText(ran.receipt['stdout']);
    assert.doesNotMatch(env, /AOS_HOST_TEST_SECRET|must-not-leak/);
    assert.match(env, /^GREETING=hi$/m);
    assert.match(env, /^PATH=/m);
    assert.doesNotMatch(env, /^HOME=/m, 'HOME is not passed through unless allowed');
  } finally {
    delete process.env['AOS_HOST_TEST_SECRET'];
    await tree.cleanup();
  }
});

test('output over 16 KiB becomes a blob with its size; smaller output stays inline', async (t) => {
  if (skipWithoutSandbox(t)) return;
  const tree = await hostTree();
  try {
    const ran = await tree.run('host.exec', { argv: [process.execPath, '-e', 'process.stdout.write("y".repeat(40000))'] });
    const stdout = ran.receipt['stdout'] as CborObject;
    assert.equal(stdout['$tag'], 'blob');
    const blob = stdout['$value'] as CborObject;
    assert.equal(blob['size_bytes'], 40_000);
    assert.equal(new TextDecoder().decode(tree.blobs.get(blob['blob_ref'] as Hash)), 'y'.repeat(40_000));
    assert.equal(inlineText(ran.receipt['stderr']), '');
  } finally {
    await tree.cleanup();
  }
});

test('signal close kills a running command of the session', async (t) => {
  if (skipWithoutSandbox(t)) return;
  const tree = await hostTree();
  try {
    const { argv, token } = lingeringCommand();
    const started = Date.now();
    const running = tree.run('host.exec', { argv, timeout_ns: 60_000_000_000 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.ok(processesWith(token).length > 0, 'the command is running in its sandbox');
    const closed = await tree.run('host.session.signal', { signal: 'kill' });
    assert.equal(closed.receipt['status'], 'closed');
    const ran = await running;
    assert.ok(Date.now() - started < 10_000, 'the exec returned long before the sleeps would end');
    assert.equal(ran.status, 'ok', 'killed by a signal, not by its deadline');
    await assertAllGone(tree.workdir, token, started);
  } finally {
    await tree.cleanup();
  }
});

test('interrupt reaches the command inside its sandbox, which may handle it and exit as it chooses', async (t) => {
  if (skipWithoutSandbox(t)) return;
  const tree = await hostTree();
  try {
    const running = tree.run('host.exec', { argv: ['sh', '-c', 'trap "echo interrupted; exit 7" INT; echo ready; while :; do sleep 0.05; done'], timeout_ns: 60_000_000_000 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const sent = await tree.run('host.session.signal', { signal: 'interrupt' });
    assert.equal(sent.receipt['status'], 'signalled');
    const ran = await running;
    assert.equal(ran.status, 'ok', errorMessage(ran.receipt));
    assert.equal(inlineText(ran.receipt['stdout']), 'ready\ninterrupted\n', 'the command saw the signal and ran its handler');
    assert.equal(ran.receipt['exit_code'], 7, 'the exit code is the command\'s, not the sandbox\'s death');
  } finally {
    await tree.cleanup();
  }
});
