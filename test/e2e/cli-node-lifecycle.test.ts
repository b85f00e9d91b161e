// Goal: the world lifecycle commands work through a running node with the output they have on
// the folders: `world create` of a folder under <root>/worlds/ is made and hosted by the node
// (the same genesis as a direct create; a second create of that name is refused clearly);
// `world export` through the node writes the same bytes and prints the same as a direct export;
// `world import` through the node is verified and hosted, and its audit passes; `world fork`
// through the node makes a hosted fork; `world ls` and `world show` print through the node what
// they print on the folders once it is down.
// Method: spawn the CLI from its sources on a copy of the counter world; the node's log shows
// the lifecycle routes served each command (so none quietly fell back to the folder). Spawns
// are slow, so one node run covers every command.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aos, ok, ROOT, stopQuietly } from '../support/cli-spawn.ts';

const COUNTER = join(ROOT, 'worlds/ladder/00-counter');




function counterCopy(dir: string): void {
  cpSync(COUNTER, dir, { recursive: true, filter: (path) => !path.endsWith('.aos') });
}

test('world create, export, import, fork, ls and show through a node print what they print on the folders', () => {
  const root = mkdtempSync(join(tmpdir(), 'aos-node-lifecycle-'));
  const scratch = mkdtempSync(join(tmpdir(), 'aos-node-lifecycle-out-'));
  const bundle = join(scratch, 'counter.aosbundle');
  try {
    counterCopy(root);
    const directCreate = JSON.parse(ok('world', 'create', '--root', root, '--json')) as Record<string, unknown>;
    const directExport = ok('world', 'export', root, '-o', bundle, '--json');
    const directBytes = readFileSync(bundle);

    const { url } = JSON.parse(ok('node', 'up', '--root', root, '--port', '0', '--background', '--json')) as { url: string };
    // export: the node writes the bundle and streams it; the same bytes, the same output, found
    // by the node's profile or named with --node.
    rmSync(bundle);
    assert.equal(ok('world', 'export', root, '-o', bundle, '--json'), directExport);
    assert.deepEqual(readFileSync(bundle), directBytes, 'byte for byte the direct export');
    rmSync(bundle);
    assert.equal(ok('world', 'export', 'ignored-with-node', '--node', url, '--world', 'main', '--token-file', join(root, '.aos/node-token'), '-o', bundle, '--json'), directExport);
    assert.deepEqual(readFileSync(bundle), directBytes);

    // create: built here, made and hosted by the node, the genesis a direct create makes.
    mkdirSync(join(root, 'worlds'));
    const made = join(root, 'worlds/made');
    counterCopy(made);
    const created = JSON.parse(ok('world', 'create', '--root', made, '--json')) as Record<string, unknown>;
    assert.deepEqual(created, { ...directCreate, root: made });
    const again = aos('world', 'create', '--root', made);
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /hosts a world "made"/);

    // import: verified and hosted by the node; its audit passes. A pin the bundle misses is
    // refused by the node as it is here, and nothing is hosted.
    const unpinned = aos('world', 'import', bundle, '--to', join(root, 'worlds/nope'), '--expect-head', `sha256:${'0'.repeat(64)}`);
    assert.notEqual(unpinned.code, 0);
    assert.match(unpinned.stderr, /import refused, nothing was written: the bundle is sound but not the one pinned: .*not at the pinned head sha256:0{64}/);
    assert.equal(existsSync(join(root, 'worlds/nope/.aos')), false);
    const head = (JSON.parse(ok('journal', 'head', '--root', root, '--json')) as { head: string }).head;
    const imported = ok('world', 'import', bundle, '--to', join(root, 'worlds/imp'), '--expect-head', head, '--json');
    assert.match(ok('audit', 'verify', '--root', join(root, 'worlds/imp')), /ok/i);

    // fork: a hosted fork of the root world.
    const forked = JSON.parse(ok('world', 'fork', root, '--to', join(root, 'worlds/fk'), '--json')) as { target: string; audit_ok: boolean };
    assert.deepEqual([forked.target, forked.audit_ok], [join(root, 'worlds/fk'), true]);

    const nodeLs = ok('world', 'ls', '--dir', root);
    const nodeShow = ok('world', 'show', '--root', join(root, 'worlds/fk'));
    assert.match(nodeLs, /worlds\/fk \(fork\)/);
    const log = readFileSync(join(root, '.aos/node.log'), 'utf8');
    for (const request of ['"url":"/worlds/main/export"', '"method":"POST","url":"/worlds"', '"url":"/worlds/imp/import', '"url":"/worlds/main/fork"', '"url":"/worlds/fk/facts"', '"url":"/worlds/fk/show"']) {
      assert.ok(log.includes(request), `the node served ${request}`);
    }
    ok('node', 'down', '--root', root);

    // The folders say the same once the node is down.
    assert.equal(ok('world', 'ls', '--dir', root), nodeLs);
    assert.equal(ok('world', 'show', '--root', join(root, 'worlds/fk')), nodeShow);
    assert.equal(ok('world', 'import', bundle, '--to', join(scratch, 'imp'), '--json'), imported);
  } finally {
    stopQuietly(root);
    rmSync(root, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  }
});
