// Goal: host.exec runs argv in the session's work dir (or a confined cwd) and reports stdout,
// stderr and the exit code; a timeout or an abort kills the whole process group, grandchildren
// included; the child sees only allowlisted environment variables; output over 16 KiB is a blob.
// Method: real processes (sh, node) in a temp work dir; the grandchild's pid is printed and
// checked dead afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { CborObject, Hash } from '../../../../src/cbor/index.ts';
import { errorMessage, hostTree, inlineText } from './fixture.ts';

/** True when the process is gone (or a zombie nobody reaped: it runs nothing any more). */
function isDead(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return true;
    throw error;
  }
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.startsWith('Z');
  } catch {
    return true;
  }
}

test('stdout, stderr and a non-zero exit code come back; cwd is confined', async () => {
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

test('a timeout kills the whole process group, grandchild included', async () => {
  const tree = await hostTree();
  try {
    const started = Date.now();
    const ran = await tree.run('host.exec', { argv: ['sh', '-c', 'sleep 30 & echo $!; sleep 30'], timeout_ns: 300_000_000 });
    assert.ok(Date.now() - started < 10_000, 'the exec returned long before the sleeps would end');
    assert.deepEqual([ran.status, ran.receipt['status'], ran.receipt['exit_code']], ['timeout', 'timeout', -1]);
    assert.match(ran.receipt['error_message'] as string, /process group was killed/);
    const grandchild = Number(inlineText(ran.receipt['stdout']).trim());
    assert.ok(grandchild > 0, 'the grandchild printed its pid');
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.ok(isDead(grandchild), `grandchild ${grandchild} was killed with its group`);
  } finally {
    await tree.cleanup();
  }
});

test('aborting the intent kills the process group too', async () => {
  const tree = await hostTree();
  try {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const started = Date.now();
    const ran = await tree.run('host.exec', { argv: ['sh', '-c', 'sleep 30 & echo $!; sleep 30'], timeout_ns: 60_000_000_000 }, controller.signal);
    assert.ok(Date.now() - started < 10_000, 'the exec returned long before the sleeps would end');
    assert.equal(ran.status, 'timeout');
    const grandchild = Number(inlineText(ran.receipt['stdout']).trim());
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.ok(isDead(grandchild), `grandchild ${grandchild} was killed on abort`);
  } finally {
    await tree.cleanup();
  }
});

test('the child sees only passed-through, session and env_patch variables', async () => {
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

test('output over 16 KiB becomes a blob with its size; smaller output stays inline', async () => {
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

test('signal close kills a running command of the session', async () => {
  const tree = await hostTree();
  try {
    const started = Date.now();
    const running = tree.run('host.exec', { argv: ['sh', '-c', 'sleep 30 & echo $!; sleep 30'], timeout_ns: 60_000_000_000 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const closed = await tree.run('host.session.signal', { signal: 'kill' });
    assert.equal(closed.receipt['status'], 'closed');
    const ran = await running;
    assert.ok(Date.now() - started < 10_000, 'the exec returned long before the sleeps would end');
    assert.equal(ran.status, 'ok', 'killed by a signal, not by its deadline');
    const grandchild = Number(inlineText(ran.receipt['stdout']).trim());
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.ok(isDead(grandchild));
  } finally {
    await tree.cleanup();
  }
});
