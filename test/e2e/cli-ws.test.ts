// Goal: `aos ws` works as a user runs it: a world whose workflow seeds workspaces through the
// internal effects (run by `aos world run` with the node's kernel key) shows them in `ws ls`
// and `ws cat`; push/pull sync a folder through aos.sync.json (a new version per change, none
// when nothing changed, ignored and .aos files left out); diff compares versions and a local
// folder; bad references and paths get clear errors; the world replays at the end.
// Method: spawn bin/aos.js on a copy of the ladder 09 world, with a synced folder added.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '../..');

function aos(...args: string[]): { code: number; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(ROOT, 'bin/aos.js'), ...args], { encoding: 'utf8', cwd: ROOT });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

function json<T>(result: { code: number; stdout: string; stderr: string }): T {
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as T;
}

test('a workflow seeds workspaces through aos world run; ws ls and cat show them', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aos-ws-'));
  try {
    cpSync(join(ROOT, 'worlds/ladder/09-workspaces'), dir, { recursive: true, filter: (path) => !path.endsWith('.aos') });
    assert.equal(aos('key', 'gen', '--root', dir, '--name', 'kernel', '--role', 'adapter').code, 0);
    assert.equal(aos('world', 'create', '--root', dir).code, 0);
    assert.equal(aos('world', 'send', '--root', dir, '--schema', 'demo/WorkspaceEvent@1', '--value-json', '{"Start":{"workspaces":["alpha","beta"],"owner":"demo"}}').code, 0);
    const run = json<{ adapters: string[]; open: number; problems: unknown[] }>(aos('world', 'run', '--root', dir, '--json'));
    assert.ok(run.adapters.includes('kernel'), 'the kernel key serves the internal effects');
    assert.deepEqual([run.open, run.problems], [0, []]);
    const listed = json<{ workspaces: Array<{ workspace: string; head: number; owner: string; root_hash: string }> }>(aos('ws', 'ls', '--root', dir, '--json'));
    assert.deepEqual(listed.workspaces.map((row) => [row.workspace, row.head, row.owner]), [['alpha', 1, 'demo'], ['beta', 1, 'demo']]);
    const cat = aos('ws', 'cat', '--root', dir, 'beta/seed/beta.txt');
    assert.deepEqual([cat.code, cat.stdout], [0, 'seed marker for beta\n']);
    const tree = json<{ entries: Array<{ path: string }> }>(aos('ws', 'ls', '--root', dir, 'alpha@1', '--scope', 'subtree', '--json'));
    assert.deepEqual(tree.entries.map((entry) => entry.path), ['README.txt', 'data.json', 'seed', 'seed/alpha.txt']);
    const verify = aos('replay', '--verify', '--root', dir);
    assert.equal(verify.code, 0, verify.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('push, diff and pull sync a folder through aos.sync.json', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aos-ws-sync-'));
  try {
    cpSync(join(ROOT, 'worlds/ladder/09-workspaces'), dir, { recursive: true, filter: (path) => !path.endsWith('.aos') });
    const sync = JSON.parse(readFileSync(join(dir, 'aos.sync.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, 'aos.sync.json'), JSON.stringify({ ...sync, workspaces: [{ dir: 'docs', ref: 'docs', ignore: ['*.log', 'build/'] }] }));
    mkdirSync(join(dir, 'docs/guide'), { recursive: true });
    mkdirSync(join(dir, 'docs/build'), { recursive: true });
    writeFileSync(join(dir, 'docs/README.md'), '# Docs\n');
    writeFileSync(join(dir, 'docs/guide/start.md'), 'start here\n');
    writeFileSync(join(dir, 'docs/debug.log'), 'ignored\n');
    writeFileSync(join(dir, 'docs/build/out.js'), 'ignored\n');
    assert.equal(aos('world', 'create', '--root', dir).code, 0);

    const first = json<{ pushed: Array<{ version: number; files: number; changes: number }> }>(aos('ws', 'push', '--root', dir, '--owner', 'tester', '--json'));
    assert.deepEqual(first.pushed.map((row) => [row.version, row.files, row.changes]), [[1, 2, 2]], 'two files, ignored ones left out');
    assert.equal(json<{ workspaces: Array<{ owner: string }> }>(aos('ws', 'ls', '--root', dir, '--json')).workspaces[0]?.owner, 'tester', 'the commit records the owner');
    const again = json<{ pushed: Array<{ version: number | null; head: number }> }>(aos('ws', 'push', '--root', dir, '--json'));
    assert.deepEqual(again.pushed.map((row) => [row.version, row.head]), [[null, 1]], 'nothing changed: no new version');

    writeFileSync(join(dir, 'docs/README.md'), '# Docs, revised\n');
    const local = json<{ changes: Array<{ path: string; kind: string }> }>(aos('ws', 'diff', '--root', dir, 'docs', '--dir', join(dir, 'docs'), '--json'));
    assert.deepEqual(local.changes.map((change) => [change.path, change.kind]), [['README.md', 'modified']]);
    assert.equal(json<{ pushed: Array<{ version: number }> }>(aos('ws', 'push', '--root', dir, 'docs', '--json')).pushed[0]?.version, 2);
    const versions = aos('ws', 'diff', '--root', dir, 'docs@1', 'docs@2');
    assert.deepEqual([versions.code, versions.stdout], [0, 'M\tREADME.md\n']);

    rmSync(join(dir, 'docs/guide'), { recursive: true });
    writeFileSync(join(dir, 'docs/stray.md'), 'not in the workspace\n');
    const pulled = json<{ pulled: Array<{ written: number; removed: string[] }> }>(aos('ws', 'pull', '--root', dir, '--prune', '--json'));
    assert.deepEqual(pulled.pulled.map((row) => [row.written, row.removed]), [[1, ['stray.md']]]);
    assert.equal(readFileSync(join(dir, 'docs/guide/start.md'), 'utf8'), 'start here\n');
    assert.equal(existsSync(join(dir, 'docs/debug.log')), true, 'an ignored file survives --prune');
    assert.equal(existsSync(join(dir, 'docs/stray.md')), false);

    const escape = aos('ws', 'cat', '--root', dir, 'docs/../../etc/passwd');
    assert.equal(escape.code, 1);
    assert.match(escape.stderr, /workspace path "\.\.\/\.\.\/etc\/passwd" has a "\.\." segment/);
    const missing = aos('ws', 'ls', '--root', dir, 'nope', '--json');
    assert.equal((JSON.parse(missing.stderr) as { error: { code: string } }).error.code, 'NO_WORKSPACE');
    assert.match(aos('ws', 'cat', '--root', dir, 'docs@7/README.md').stderr, /workspace docs has no version 7; its head is 2/);
    assert.match(aos('ws', 'cat', '--root', dir, 'docs').stderr, /names a whole workspace; cat needs a file/);
    assert.equal(aos('replay', '--verify', '--root', dir).code, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('ws commands on a world without sys/Workspace@1 say how to add it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aos-ws-none-'));
  try {
    cpSync(join(ROOT, 'worlds/ladder/00-counter'), dir, { recursive: true, filter: (path) => !path.endsWith('.aos') });
    assert.equal(aos('world', 'create', '--root', dir).code, 0);
    const result = aos('ws', 'ls', '--root', dir);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /does not list sys\/Workspace@1/);
    assert.match(result.stderr, /hint: add \{"name": "sys\/Workspace@1"\}/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
