// Goal: `aos approvals ls|approve|deny` work as a user runs them on a governed world: a timer the
// policy sends for approval is listed, approved with a principal key of the approval policy (then
// no longer listed), another one denied; an outsider's key, an adapter key and an unknown intent
// are refused with a hint; --json shapes are stable.
// Method: spawn bin/aos.js (built from dist/) on a copy of test/fixtures/worlds/guarded whose
// manifest gets an approval_policy naming a principal key made with `aos key gen`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '../..');
const SCHEMA = 'test/GuardedEvent@1';

function aos(...args: string[]): { code: number; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(ROOT, 'bin/aos.js'), ...args], { encoding: 'utf8', cwd: ROOT });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

interface PendingJson { pending: Array<{ intent_hash: string; effect_kind: string; grant: string; module: string; key: unknown; approvals: unknown[]; quorum: number }> }

test('approvals ls, approve and deny with a principal key; refusals say what to do', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aos-approvals-'));
  try {
    cpSync(join(ROOT, 'test/fixtures/worlds/guarded'), dir, { recursive: true, filter: (path) => !path.endsWith('.aos') });
    const alice = JSON.parse(aos('key', 'gen', '--root', dir, '--name', 'alice', '--role', 'principal', '--json').stdout) as { public_key: string };
    assert.equal(aos('key', 'gen', '--root', dir, '--name', 'mallory', '--role', 'principal').code, 0);
    assert.equal(aos('key', 'gen', '--root', dir, '--name', 'timer', '--role', 'adapter').code, 0);
    const manifestFile = join(dir, 'air/manifest.air.json');
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Record<string, unknown>;
    writeFileSync(manifestFile, JSON.stringify({ ...manifest, approval_policy: { principals: [{ name: 'alice', public_key: alice.public_key }], quorum: 1 } }));
    const created = aos('world', 'create', '--root', dir);
    assert.equal(created.code, 0, created.stderr);
    assert.match(aos('approvals', 'ls', '--root', dir).stdout, /^no intents are waiting for approval\n$/);
    for (const id of ['a', 'b']) assert.equal(aos('world', 'send', '--root', dir, '--schema', SCHEMA, '--value-json', JSON.stringify({ id, op: { Wait: 5 } })).code, 0);

    const listed = aos('approvals', 'ls', '--root', dir, '--json');
    assert.equal(listed.code, 0, listed.stderr);
    const pending = (JSON.parse(listed.stdout) as PendingJson).pending;
    assert.deepEqual(pending.map((row) => [row.effect_kind, row.grant, row.module, row.key, row.approvals.length, row.quorum]), [['timer.set', 'clock', 'test/Guarded@1', 'a', 0, 1], ['timer.set', 'clock', 'test/Guarded@1', 'b', 0, 1]]);
    const [first, second] = pending.map((row) => row.intent_hash);
    assert.ok(first !== undefined && second !== undefined);
    assert.match(aos('approvals', 'ls', '--root', dir).stdout, /^INTENT +EFFECT +INSTANCE +APPROVALS\nsha256:[0-9a-f]{64} {2}timer\.set +test\/Guarded@1\["a"\] +0\/1\n/);

    const outsider = aos('approvals', 'approve', first, '--key', 'mallory', '--root', dir, '--json');
    assert.equal(outsider.code, 1);
    const error = (JSON.parse(outsider.stderr) as { error: { code: string; message: string; hint: string } }).error;
    assert.equal(error.code, 'APPROVAL_REFUSED');
    assert.match(error.message, /may not approve effects in this world: its approval_policy lists alice/);
    assert.match(error.hint, /aos approvals ls --root/);
    const adapter = aos('approvals', 'approve', first, '--key', 'timer', '--root', dir);
    assert.equal(adapter.code, 1);
    assert.match(adapter.stderr, /^error: key timer is an adapter key; approvals are signed with principal keys\nhint: generate one with `aos key gen/);
    const unknown = aos('approvals', 'approve', `sha256:${'0'.repeat(64)}`, '--key', 'alice', '--root', dir);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /is not waiting for approval \(it is not open work\)/);

    const approved = aos('approvals', 'approve', first, '--key', 'alice', '--root', dir, '--json');
    assert.equal(approved.code, 0, approved.stderr);
    const result = JSON.parse(approved.stdout) as { intent_hash: string; decision: string; principal: { name: string; public_key: string }; outcome: string };
    assert.deepEqual([result.intent_hash, result.decision, result.principal.name, result.principal.public_key, result.outcome], [first, 'approve', 'alice', alice.public_key, 'approved']);
    const denied = aos('approvals', 'deny', second, '--key', 'alice', '--root', dir);
    assert.equal(denied.code, 0, denied.stderr);
    assert.match(denied.stdout, /^deny by alice \(ed25519:[0-9a-f]{64}\) journaled at height \d+\nintent sha256:[0-9a-f]{64} denied: the workflow received a denied receipt\n$/);
    assert.deepEqual((JSON.parse(aos('approvals', 'ls', '--root', dir, '--json').stdout) as PendingJson).pending, []);
    const state = JSON.parse(aos('world', 'state', 'test/Guarded@1', '--key-json', '"b"', '--root', dir, '--json').stdout) as { state: { receipts: number } };
    assert.equal(state.state.receipts, 1, 'the denial reached the workflow as a receipt');
    const verified = aos('replay', '--verify', '--root', dir);
    assert.equal(verified.code, 0, verified.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
