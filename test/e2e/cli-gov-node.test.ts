// Goal: `aos gov …` goes through the node serving the world (found from --root) and prints what
// it prints on the folder directly: propose, shadow, approve (signed by the CLI with the
// principal's key; only the signature reaches the node), apply, and apply refused while another
// instance waits (the message names it, the hint offers --wait); `gov ls` and `gov show` print the
// same through the node as directly on the same journal once the node is down.
// Method: spawn the CLI (from its sources) on a copy of test/fixtures/worlds/governor whose approval policy lists
// two principal keys generated with `aos key gen` (quorum 2). The node holds no blob key, so a
// test/Holder@1 blob.put stays open: the work in flight that blocks an apply.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aos, ok, ROOT, stopQuietly } from '../support/cli-spawn.ts';




function errorOf(result: { code: number; stderr: string }): { code: string; message: string; hint?: string } {
  assert.equal(result.code, 1, result.stderr);
  return (JSON.parse(result.stderr) as { error: { code: string; message: string; hint?: string } }).error;
}


/** A patch adding a policy, against `base`. */
function patchFile(dir: string, base: string, name: string): string {
  const file = join(dir, `${name.replace(/\W/g, '_')}.json`);
  const node = { $kind: 'defpolicy', name, rules: [{ when: { origin_kind: 'workflow', origin_name: 'test/Governor@1' }, decision: 'allow' }] };
  writeFileSync(file, JSON.stringify({ version: '1', base_manifest_hash: base, patches: [{ add_def: { kind: 'defpolicy', node } }] }));
  return file;
}

/** The reads whose output must not depend on whether a node serves them. */
function reads(dir: string): string[] {
  return [[], ['--json']].flatMap((json) => [ok('gov', 'ls', '--root', dir, ...json), ok('gov', 'show', '0', '--root', dir, ...json), ok('gov', 'show', '1', '--root', dir, ...json)]);
}

test('gov through a running node: the same commands, the same output; decisions signed by the CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aos-gov-node-'));
  const folders: string[] = [];
  try {
    cpSync(join(ROOT, 'test/fixtures/worlds/governor'), dir, { recursive: true, filter: (path) => !path.endsWith('.aos') });
    const keys = Object.fromEntries(['alice', 'robot'].map((name) => [name, (JSON.parse(ok('key', 'gen', '--root', dir, '--name', name, '--role', 'principal', '--json')) as { public_key: string }).public_key]));
    const manifestFile = join(dir, 'air/manifest.air.json');
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Record<string, unknown>;
    manifest.approval_policy = { principals: [{ name: 'alice', public_key: keys.alice }, { name: 'robot', public_key: keys.robot }], quorum: 2 };
    writeFileSync(manifestFile, JSON.stringify(manifest));
    ok('world', 'create', '--root', dir);
    const base = (JSON.parse(ok('world', 'show', '--root', dir, '--json')) as { manifest: string }).manifest;
    ok('node', 'up', '--root', dir, '--port', '0', '--background', '--json');

    assert.match(ok('gov', 'propose', '--patch', patchFile(dir, base, 'test/extra@1'), '--description', 'one more policy', '--root', dir), /^proposal 0 proposed at height \d+\npatch +sha256:[0-9a-f]{64}\nbase +sha256:[0-9a-f]{64}\ncandidate +sha256:[0-9a-f]{64}\ntouches +defpolicy, manifest_refs\nnext: aos gov shadow 0 --root /);
    const early = errorOf(aos('gov', 'approve', '0', '--key', 'alice', '--root', dir, '--json'));
    assert.equal(early.code, 'GOVERNANCE_REFUSED');
    assert.match(early.message, /proposal 0 has not been shadowed yet/);
    assert.match(early.hint ?? '', /aos gov show <id> --root /, 'the hint direct mode gives');
    assert.match(ok('gov', 'shadow', '0', '--root', dir), /^shadow report sha256:[0-9a-f]{64} journaled\n {2}forked at height \d+; replayed \d+ journaled input\(s\) and 0 sample\(s\)/);
    assert.match(ok('gov', 'approve', '0', '--key', 'alice', '--root', dir), /^approve by alice \(ed25519:[0-9a-f]{64}\) journaled at height \d+\nproposal 0 still shadowed: the approval policy needs 2 approval\(s\), it has 1\n$/);
    assert.equal((JSON.parse(ok('gov', 'approve', '0', '--key', 'robot', '--root', dir, '--json')) as { status: string }).status, 'approved');
    const applied = JSON.parse(ok('gov', 'apply', '0', '--root', dir, '--json')) as { proposal_id: number; manifest_hash: string; height: number; waited_polls: number };
    assert.deepEqual([applied.proposal_id, applied.waited_polls], [0, 0]);
    assert.equal((JSON.parse(ok('world', 'show', '--root', dir, '--json')) as { manifest: string }).manifest, applied.manifest_hash);

    ok('gov', 'propose', '--patch', patchFile(dir, applied.manifest_hash, 'test/more@1'), '--root', dir);
    ok('gov', 'shadow', '1', '--root', dir);
    ok('gov', 'approve', '1', '--key', 'alice', '--root', dir);
    ok('gov', 'approve', '1', '--key', 'robot', '--root', dir);
    // Through the node too: had a gov command written to the folder behind the node's back, the node's append would fail here.
    ok('world', 'send', '--root', dir, '--schema', 'test/HolderEvent@1', '--value-json', JSON.stringify({ Put: 'held' }));
    const blocked = errorOf(aos('gov', 'apply', '1', '--root', dir, '--json'));
    assert.equal(blocked.code, 'APPLY_BLOCKED');
    assert.match(blocked.message, /^apply blocked in flight: proposal 1 applies only at strict quiescence, and test\/Holder@1 waits on 1 intent\(s\); open intents: blob\.put sha256:[0-9a-f]{64}/);
    assert.match(blocked.hint ?? '', /--wait/);

    // --from: the folder's modules go to the node's CAS, the diff is taken against the manifest the world runs.
    const next = mkdtempSync(join(tmpdir(), 'aos-gov-node-next-'));
    folders.push(next);
    cpSync(dir, next, { recursive: true, filter: (path) => !path.includes('.aos') });
    const policies = JSON.parse(readFileSync(join(next, 'air/policies.air.json'), 'utf8')) as unknown[];
    writeFileSync(join(next, 'air/policies.air.json'), JSON.stringify([...policies, { $kind: 'defpolicy', name: 'test/third@1', rules: [] }]));
    const nextManifest = JSON.parse(readFileSync(join(next, 'air/manifest.air.json'), 'utf8')) as { policies: Array<{ name: string }> };
    nextManifest.policies.push({ name: 'test/third@1' });
    writeFileSync(join(next, 'air/manifest.air.json'), JSON.stringify(nextManifest));
    const fromFolder = JSON.parse(ok('gov', 'propose', '--from', next, '--root', dir, '--json')) as { proposal_id: number; base_manifest_hash: string; touches: string[] };
    assert.deepEqual([fromFolder.proposal_id, fromFolder.base_manifest_hash, fromFolder.touches], [2, applied.manifest_hash, ['defpolicy', 'manifest_refs']]);

    const throughNode = reads(dir);
    ok('node', 'down', '--root', dir);
    assert.deepEqual(reads(dir), throughNode, 'ls and show print the same directly');
    assert.equal(aos('replay', '--verify', '--root', dir).code, 0);
  } finally {
    stopQuietly(dir);
    rmSync(dir, { recursive: true, force: true });
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  }
});
