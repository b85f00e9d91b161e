// Goal: `aos gov propose|shadow|approve|reject|apply|ls|show` work as a user runs them: a change
// proposed from a world folder is shadowed on the current state (the report names the changed
// policy, the work in flight, and how the candidate diverges), approved by the principals the
// approval policy and its rule for policies require, refused while an intent is in flight (the
// message names it), then applied; the world runs the new policy and replays. Refusals say why and
// what to do: approval before shadow, an outsider's key, apply before quorum, a stale base or
// pre_hash and a sys/* edit (journaled as rejected with reasons), apply after a rejection.
// `apply --wait` waits in the background until another command settles the work in flight.
// Method: spawn bin/aos.js on a copy of test/fixtures/worlds/guarded (timers require approval)
// whose manifest gets an approval policy: alice and bob, quorum 1, policies need both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '../..');
const SCHEMA = 'test/GuardedEvent@1';

function aos(...args: string[]): { code: number; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(ROOT, 'bin/aos.js'), ...args], { encoding: 'utf8', cwd: ROOT });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** Runs aos in the background (for `gov apply --wait`, which waits for another command). */
function aosAsync(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [join(ROOT, 'bin/aos.js'), ...args], { cwd: ROOT });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString('utf8'); });
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString('utf8'); });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr })));
}

function json<T>(result: { code: number; stdout: string; stderr: string }): T {
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as T;
}

function errorOf(result: { code: number; stderr: string }): { code: string; message: string; hint?: string } {
  assert.equal(result.code, 1, result.stderr);
  return (JSON.parse(result.stderr) as { error: { code: string; message: string; hint?: string } }).error;
}

/** A copy of the guarded world whose policy lets timers run without approval (or with `rules`). */
function variant(source: string, rules?: unknown[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'aos-gov-next-'));
  cpSync(source, dir, { recursive: true, filter: (path) => !path.includes('.aos') });
  const file = join(dir, 'air/caps.air.json');
  const defs = JSON.parse(readFileSync(file, 'utf8')) as Array<{ $kind: string; rules?: unknown[] }>;
  const policy = defs.find((def) => def.$kind === 'defpolicy');
  assert.ok(policy !== undefined);
  policy.rules = rules ?? [{ when: { cap_name: 'internal' }, decision: 'deny' }, { when: { origin_kind: 'workflow', origin_name: 'test/Guarded@1' }, decision: 'allow' }];
  writeFileSync(file, JSON.stringify(defs, null, 2));
  return dir;
}

interface Proposed { proposal_id: number; patch_hash: string; base_manifest_hash: string; manifest_hash: string; touches: string[] }
interface ShadowJson { report_hash: string; report: { open_at_fork: number; inputs_replayed: number; ledger_changes: Array<{ ledger: string; name: string; change: string }>; divergences: Array<{ current: string; candidate: string }>; effects_predicted: Array<{ kind: string; decision: string }> } }

test('gov: propose from a folder, shadow, approve by quorum and rule, apply once quiescent; refusals say why', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'aos-gov-'));
  const folders: string[] = [];
  try {
    cpSync(join(ROOT, 'test/fixtures/worlds/guarded'), dir, { recursive: true, filter: (path) => !path.endsWith('.aos') });
    const keys = Object.fromEntries(['alice', 'bob', 'mallory'].map((name) => [name, json<{ public_key: string }>(aos('key', 'gen', '--root', dir, '--name', name, '--role', 'principal', '--json')).public_key]));
    const manifestFile = join(dir, 'air/manifest.air.json');
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Record<string, unknown>;
    manifest.approval_policy = { principals: [{ name: 'alice', public_key: keys.alice }, { name: 'bob', public_key: keys.bob }], quorum: 1, rules: [{ touches: ['defpolicy'], quorum: 2 }] };
    writeFileSync(manifestFile, JSON.stringify(manifest));
    assert.equal(aos('world', 'create', '--root', dir).code, 0);
    assert.match(aos('gov', 'ls', '--root', dir).stdout, /^no proposals yet/);
    assert.equal(aos('world', 'send', '--root', dir, '--schema', SCHEMA, '--value-json', JSON.stringify({ id: 'a', op: { Wait: 5 } })).code, 0);
    const held = (json<{ pending: Array<{ intent_hash: string }> }>(aos('approvals', 'ls', '--root', dir, '--json')).pending)[0]?.intent_hash;
    assert.ok(held !== undefined);

    const next = variant(dir);
    folders.push(next);
    const proposed = json<Proposed>(aos('gov', 'propose', '--from', next, '--description', 'timers without approval', '--root', dir, '--json'));
    assert.deepEqual([proposed.proposal_id, proposed.touches], [0, ['defpolicy', 'manifest_refs']]);
    assert.match(proposed.patch_hash, /^sha256:[0-9a-f]{64}$/);
    assert.match(aos('gov', 'propose', '--from', next, '--root', dir).stdout, /^proposal 1 proposed at height \d+\npatch +sha256:[0-9a-f]{64}\n/);

    const early = errorOf(aos('gov', 'approve', '0', '--key', 'alice', '--root', dir, '--json'));
    assert.equal(early.code, 'GOVERNANCE_REFUSED');
    assert.match(early.message, /proposal 0 has not been shadowed yet; .*aos gov shadow 0/);

    const shadowed = json<ShadowJson>(aos('gov', 'shadow', '0', '--root', dir, '--json'));
    assert.equal(shadowed.report.open_at_fork, 1, 'the held timer is in flight at the fork');
    assert.ok(shadowed.report.inputs_replayed >= 1);
    assert.deepEqual(shadowed.report.ledger_changes.filter((change) => change.ledger === 'policy'), [{ ledger: 'policy', name: 'test/policy@1', change: 'changed' }]);
    assert.ok(shadowed.report.divergences.some((divergence) => /timer\.set .*\(require_approval\)/.test(divergence.current) && /timer\.set .*\(allow\)/.test(divergence.candidate)), JSON.stringify(shadowed.report.divergences));
    assert.deepEqual(shadowed.report.effects_predicted.map((effect) => [effect.kind, effect.decision]), [['timer.set', 'allow']]);
    const samples = join(dir, 'samples.json');
    writeFileSync(samples, JSON.stringify([{ schema: SCHEMA, value: { id: 'z', op: { Wait: 11 } } }]));
    const sampled = json<ShadowJson & { report: { samples: number } }>(aos('gov', 'shadow', '0', '--inputs', '0', '--sample', samples, '--root', dir, '--json'));
    assert.deepEqual([sampled.report.inputs_replayed, sampled.report.samples, sampled.report.effects_predicted.map((effect) => [effect.kind, effect.decision])], [0, 1, [['timer.set', 'allow']]]);
    const text = aos('gov', 'show', '0', '--root', dir).stdout;
    assert.match(text, /^proposal 0: shadowed — timers without approval\n/);
    assert.match(text, /needs +the approval policy needs 1 approval\(s\), it has 0; the rule for defpolicy needs 2 approval\(s\), it has 0/);
    assert.match(text, /ledger changes:\n +policy test\/policy@1 changed/);

    const outsider = errorOf(aos('gov', 'approve', '0', '--key', 'mallory', '--root', dir, '--json'));
    assert.match(outsider.message, /key ed25519:[0-9a-f]{64} is not a principal of this world's approval_policy \(it lists alice, bob\)/);
    assert.match(aos('gov', 'approve', '0', '--key', 'alice', '--root', dir).stdout, /^approve by alice \(ed25519:[0-9a-f]{64}\) journaled at height \d+\nproposal 0 still shadowed: the rule for defpolicy needs 2 approval\(s\), it has 1\n$/);
    const beforeQuorum = errorOf(aos('gov', 'apply', '0', '--root', dir, '--json'));
    assert.match(beforeQuorum.message, /proposal 0 is shadowed, not approved: the rule for defpolicy needs 2/);
    assert.equal(json<{ status: string }>(aos('gov', 'approve', '0', '--key', 'bob', '--root', dir, '--json')).status, 'approved');

    const blocked = errorOf(aos('gov', 'apply', '0', '--root', dir, '--json'));
    assert.equal(blocked.code, 'APPLY_BLOCKED');
    assert.match(blocked.message, new RegExp(`^apply blocked in flight: .*test/Guarded@1\\[key 0x[0-9a-f]+\\] waits on 1 intent\\(s\\); open intents: timer\\.set ${held} \\(awaiting approval\\)`));
    assert.match(blocked.hint ?? '', /--wait/);
    assert.match(aos('gov', 'show', '0', '--root', dir).stdout, /apply +blocked by test\/Guarded@1\[0x[0-9a-f]+\] waiting on timer\.set sha256:/);
    const waiting = aosAsync('gov', 'apply', '0', '--wait', '--root', dir, '--json');
    assert.equal(aos('approvals', 'deny', held, '--key', 'alice', '--root', dir).code, 0);
    const applied = json<{ proposal_id: number; manifest_hash: string; waited_polls: number }>(await waiting);
    assert.deepEqual(applied, { ...applied, proposal_id: 0, manifest_hash: proposed.manifest_hash });
    assert.equal(aos('world', 'send', '--root', dir, '--schema', SCHEMA, '--value-json', JSON.stringify({ id: 'b', op: { Wait: 9 } })).code, 0);
    assert.deepEqual(json<{ pending: unknown[] }>(aos('approvals', 'ls', '--root', dir, '--json')).pending, [], 'under the new policy a timer waits for no approval');

    const stale = errorOf(aos('gov', 'apply', '1', '--root', dir, '--json'));
    assert.match(stale.message, /proposal 1 is proposed, not approved/);
    const stalePatch = join(dir, 'stale.json');
    writeFileSync(stalePatch, JSON.stringify({ base_manifest_hash: proposed.base_manifest_hash, patches: [{ set_defaults: { policy: 'test/policy@1' } }] }));
    const rejected = errorOf(aos('gov', 'propose', '--patch', stalePatch, '--root', dir, '--json'));
    assert.equal(rejected.code, 'PROPOSAL_REJECTED');
    assert.match(rejected.message, /^proposal 2 is rejected: its patch does not compile against manifest sha256:[0-9a-f]{64}:\n {2}STALE_PRE_HASH: .*rebase the patch on the current manifest/);
    writeFileSync(stalePatch, JSON.stringify({ base_manifest_hash: proposed.manifest_hash, patches: [{ replace_def: { kind: 'defpolicy', name: 'test/policy@1', pre_hash: `sha256:${'0'.repeat(64)}`, new_node: { $kind: 'defpolicy', name: 'test/policy@1', rules: [] } } }] }));
    assert.match(errorOf(aos('gov', 'propose', '--patch', stalePatch, '--root', dir, '--json')).message, /STALE_PRE_HASH: .*pre_hash sha256:0{64} does not match defpolicy "test\/policy@1"/);
    writeFileSync(stalePatch, JSON.stringify({ base_manifest_hash: proposed.manifest_hash, patches: [{ add_def: { kind: 'defschema', node: { $kind: 'defschema', name: 'sys/Mine@1', type: { text: {} } } } }] }));
    assert.match(errorOf(aos('gov', 'propose', '--patch', stalePatch, '--root', dir, '--json')).message, /RESERVED_NAME: .*patches may not touch the built-in sys\/\* catalog \("sys\/Mine@1"\)/);

    const back = variant(dir, [{ when: { effect_kind: 'timer.set' }, decision: 'require_approval' }, { when: { origin_kind: 'workflow' }, decision: 'allow' }]);
    folders.push(back);
    const again = json<Proposed>(aos('gov', 'propose', '--from', back, '--root', dir, '--json'));
    assert.equal(aos('gov', 'reject', String(again.proposal_id), '--key', 'bob', '--reason', 'keep timers free', '--root', dir).code, 0);
    const final = errorOf(aos('gov', 'apply', String(again.proposal_id), '--root', dir, '--json'));
    assert.match(final.message, new RegExp(`proposal ${again.proposal_id} was rejected at height \\d+ \\(keep timers free\\); a rejection is final`));

    const listed = json<{ proposals: Array<{ id: number; status: string; approvals: Array<{ principal: string }> }> }>(aos('gov', 'ls', '--root', dir, '--json')).proposals;
    assert.deepEqual(listed.map((row) => [row.id, row.status, row.approvals.map((approval) => approval.principal)]), [[0, 'applied', ['alice', 'bob']], [1, 'proposed', []], [2, 'rejected', []], [3, 'rejected', []], [4, 'rejected', []], [5, 'rejected', []]]);
    const verified = aos('replay', '--verify', '--root', dir);
    assert.equal(verified.code, 0, verified.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  }
});
