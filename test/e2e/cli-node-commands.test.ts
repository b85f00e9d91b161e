// Goal: the world commands converted to work through a running node print, through the node,
// exactly what they print on the world folder: approvals ls, trace and diagnose (by event hash
// and by correlation), audit verify, replay --verify and the ws commands, text and --json. The
// writes go through the node while it runs (no second writer beside it): approvals are signed by
// the CLI and verify in the audit afterwards, key rotate journals through the node, and ws push
// commits a folder the node builds into a tree; each prints what the folder's command prints.
// Method: spawn the CLI from its sources (the dist bundle may predate them) on copies of the
// guarded and workspaces worlds; run the same reads on the folder and through the node on the
// same journal and compare them byte for byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aos, ok, ROOT, stopQuietly } from '../support/cli-spawn.ts';

const SCHEMA = 'test/GuardedEvent@1';



function nodeUp(dir: string): string {
  const up = JSON.parse(ok('node', 'up', '--root', dir, '--port', '0', '--background', '--json')) as { url: string };
  return up.url;
}


/** The node's log says it served each path (so a read did not quietly fall back to the folder). */
function assertServed(dir: string, paths: readonly string[]): void {
  const log = readFileSync(join(dir, '.aos/node.log'), 'utf8');
  for (const path of paths) assert.ok(log.includes(path), `the node served ${path}`);
}

interface PendingJson { pending: Array<{ intent_hash: string }> }

test('approvals, trace, diagnose, audit and replay print the same through the node; approvals signed here and key rotation go through it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aos-node-cmds-'));
  try {
    cpSync(join(ROOT, 'test/fixtures/worlds/guarded'), dir, { recursive: true, filter: (path) => !path.endsWith('.aos') });
    const alice = JSON.parse(ok('key', 'gen', '--root', dir, '--name', 'alice', '--role', 'principal', '--json')) as { public_key: string };
    ok('key', 'gen', '--root', dir, '--name', 'timer', '--role', 'adapter');
    const manifestFile = join(dir, 'air/manifest.air.json');
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Record<string, unknown>;
    writeFileSync(manifestFile, JSON.stringify({ ...manifest, approval_policy: { principals: [{ name: 'alice', public_key: alice.public_key }], quorum: 1 } }));
    ok('world', 'create', '--root', dir);
    for (const id of ['a', 'b', 'c']) ok('world', 'send', '--root', dir, '--schema', SCHEMA, '--value-json', JSON.stringify({ id, op: { Wait: 5 } }));
    const events = (JSON.parse(ok('journal', 'tail', '--root', dir, '--kind', 'domain_event', '--json')) as { records: Array<{ body: { event_hash: string } }> }).records;
    const eventHash = events[0]?.body.event_hash;
    assert.ok(eventHash !== undefined);

    // Every intent waits for approval, so nothing runs: the journal is the same for both passes.
    const reads = (): string[] => {
      const outputs: string[] = [];
      for (const json of [[], ['--json']]) {
        outputs.push(ok('approvals', 'ls', '--root', dir, ...json));
        outputs.push(ok('trace', '--event', eventHash, '--root', dir, ...json));
        outputs.push(ok('diagnose', '--schema', SCHEMA, '--correlate-by', 'id', '--value', '"b"', '--root', dir, ...json));
        outputs.push(ok('audit', 'verify', '--root', dir, ...json));
        outputs.push(ok('replay', '--verify', '--root', dir, ...json));
      }
      return outputs;
    };
    const direct = reads();
    nodeUp(dir);
    const throughNode = reads();
    assertServed(dir, ['/worlds/main/approvals', '/worlds/main/trace/select?event=', '/worlds/main/trace/select?schema=', '/worlds/main/schemas', '/worlds/main/audit']);
    assert.deepEqual(throughNode, direct, 'the same output through the node and on the folder');
    const unknown = aos('trace', '--schema', SCHEMA, '--correlate-by', 'id', '--value', '"zz"', '--root', dir);
    assert.equal(unknown.code, 1);
    assert.equal(unknown.stderr, `error: no ${SCHEMA} event has id = "zz"\nhint: list the world's events with \`aos journal tail --root ${dir} --kind domain_event\`\n`, 'a refusal reads as on the folder');

    // Writes through the node: the decisions are signed here, with alice's key file.
    const [first, second, third] = (JSON.parse(ok('approvals', 'ls', '--root', dir, '--json')) as PendingJson).pending.map((row) => row.intent_hash);
    assert.ok(first !== undefined && second !== undefined && third !== undefined);
    const approved = JSON.parse(ok('approvals', 'approve', first, '--key', 'alice', '--root', dir, '--json')) as Record<string, unknown>;
    assert.deepEqual([approved.intent_hash, approved.decision, approved.principal, approved.outcome], [first, 'approve', { name: 'alice', public_key: alice.public_key }, 'approved']);
    assert.match(ok('approvals', 'deny', second, '--key', 'alice', '--root', dir), /^deny by alice \(ed25519:[0-9a-f]{64}\) journaled at height \d+\nintent sha256:[0-9a-f]{64} denied: the workflow received a denied receipt\n$/);
    const again = aos('approvals', 'deny', second, '--key', 'alice', '--root', dir, '--json');
    assert.equal(again.code, 1);
    const refusal = (JSON.parse(again.stderr) as { error: { code: string; message: string; hint: string } }).error;
    assert.equal(refusal.code, 'APPROVAL_REFUSED');
    assert.match(refusal.message, /is not waiting for approval/);
    assert.match(refusal.hint, /aos approvals ls --root/, 'the hint the folder\'s refusal has');
    const rotated = JSON.parse(ok('key', 'rotate', 'timer', '--root', dir, '--json')) as { adapter_id: string; trusted: string; retired: string | null; height: number | null };
    assert.equal(rotated.adapter_id, 'timer');
    assertServed(dir, [`/worlds/main/approvals/${first}/subject?decision=approve`, `/worlds/main/approvals/${first}/signed`, '/worlds/main/keys/timer/rotate']);
    ok('node', 'down', '--root', dir);

    // On the folder: the decisions the CLI signed verify, the rotation is journaled, and a direct decision prints the same fields.
    assert.deepEqual((JSON.parse(ok('approvals', 'ls', '--root', dir, '--json')) as PendingJson).pending.map((row) => row.intent_hash), [third]);
    const audit = JSON.parse(ok('audit', 'verify', '--root', dir, '--json')) as { ok: boolean; approvals: { verified: number } };
    assert.deepEqual([audit.ok, audit.approvals.verified], [true, 2]);
    const rotations = (JSON.parse(ok('journal', 'tail', '--root', dir, '--kind', 'key_rotation', '--json')) as { records: Array<{ body: { adapter_id: string } }> }).records;
    assert.deepEqual(rotations.map((record) => record.body.adapter_id), rotated.height === null ? [] : ['timer']);
    assert.ok(readFileSync(join(dir, '.aos/keys/timer.pub'), 'utf8').length > 0, 'the rotated key took the name');
    const directDecision = JSON.parse(ok('approvals', 'approve', third, '--key', 'alice', '--root', dir, '--json')) as Record<string, unknown>;
    assert.deepEqual(Object.keys(directDecision), Object.keys(approved), 'the same fields, in the same order');
  } finally {
    stopQuietly(dir);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('ws push, ls, cat, diff and pull through the node print what they print on the folder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aos-node-ws-'));
  try {
    cpSync(join(ROOT, 'worlds/ladder/09-workspaces'), dir, { recursive: true, filter: (path) => !path.endsWith('.aos') });
    const sync = JSON.parse(readFileSync(join(dir, 'aos.sync.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, 'aos.sync.json'), JSON.stringify({ ...sync, workspaces: [{ dir: 'docs', ref: 'docs', ignore: ['*.log'] }] }));
    mkdirSync(join(dir, 'docs/guide'), { recursive: true });
    writeFileSync(join(dir, 'docs/README.md'), '# Docs\n');
    writeFileSync(join(dir, 'docs/guide/start.md'), 'start here\n');
    writeFileSync(join(dir, 'docs/same.txt'), 'start here\n');
    writeFileSync(join(dir, 'docs/debug.log'), 'ignored\n');
    ok('world', 'create', '--root', dir);
    nodeUp(dir);

    const first = JSON.parse(ok('ws', 'push', '--root', dir, '--owner', 'tester', '--json')) as { pushed: Array<Record<string, unknown>> };
    assert.deepEqual(first.pushed.map((row) => [row.workspace, row.head, row.files, row.skipped, row.version, row.changes]), [['docs', null, 3, [], 1, 3]]);
    assert.deepEqual(Object.keys(first.pushed[0] ?? {}), ['workspace', 'head', 'root_hash', 'files', 'skipped', 'version', 'changes'], 'the fields of a push on the folder');
    assert.equal(ok('ws', 'push', '--root', dir), 'docs: up to date (v1)\n');
    writeFileSync(join(dir, 'docs/README.md'), '# Docs, revised\n');
    assert.equal(ok('ws', 'diff', 'docs', '--dir', join(dir, 'docs'), '--root', dir), 'M\tREADME.md\n', 'a diff with a local folder through the node');
    assert.match(ok('ws', 'push', '--root', dir, '--owner', 'tester'), /^docs: v2 sha256:[0-9a-f]{64} \(1 change, 3 files\)\n$/);

    const reads = (): string[] => {
      const outputs: string[] = [];
      for (const json of [[], ['--json']]) {
        outputs.push(ok('ws', 'ls', '--root', dir, ...json));
        outputs.push(ok('ws', 'ls', 'docs@1', '--scope', 'subtree', '--root', dir, ...json));
        outputs.push(ok('ws', 'cat', 'docs/README.md', '--root', dir, ...json));
        outputs.push(ok('ws', 'diff', 'docs@1', 'docs@2', '--root', dir, ...json));
        unlinkSync(join(dir, 'docs/guide/start.md'));
        outputs.push(ok('ws', 'pull', '--root', dir, ...json));
      }
      return outputs;
    };
    const throughNode = reads();
    assert.equal(readFileSync(join(dir, 'docs/guide/start.md'), 'utf8'), 'start here\n', 'pull through the node wrote the file back');
    assertServed(dir, ['/worlds/main/cas', '/worlds/main/workspaces/docs/push', '/worlds/main/workspace-registry']);
    ok('node', 'down', '--root', dir);
    const direct = reads();
    assert.deepEqual(throughNode, direct, 'the same output through the node and on the folder');
    assert.equal(aos('replay', '--verify', '--root', dir).code, 0, 'the commits the node journaled replay');
  } finally {
    stopQuietly(dir);
    rmSync(dir, { recursive: true, force: true });
  }
});
