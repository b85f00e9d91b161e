// Goal: host.build_module bundles a module from a host session's work dir into the CAS and
// returns its hash; esbuild's errors come back as an error receipt the agent can read; nothing
// outside the work dir is read (a relative import climbing out, an absolute import, a symlink
// pointing out, an entry with ".."), Node built-ins are refused, and every other host effect
// passes through to the wrapped host adapter (one route, one adapter_id). The bundle is the one
// `aos build` makes of the same sources.
// Method: the host test tree (a work dir, a sentinel outside it); receipts read from the outcome
// (the schema lives with the agent AIR, not the built-in catalog) and checked field by field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hashBytes } from '../../../../src/cbor/index.ts';
import type { CborObject, Hash } from '../../../../src/cbor/index.ts';
import { HOST_BUILD_MODULE_EFFECT, HostBuildAdapter } from '../../../../src/adapters/host/build-module.ts';
import { bundleModule } from '../../../../src/cli/build/index.ts';
import { testContext, testIntent } from '../../../support/adapter-fixture.ts';
import { hostTree, SENTINEL_TEXT } from './fixture.ts';
import type { HostTree } from './fixture.ts';

const MODULE = `import { defineWorkflow } from 'agentos/sdk';
import { start } from './start.ts';
defineWorkflow<{ n: number }, { $tag: string }>({ init: () => ({ n: start }), step: (state) => ({ state: { n: state.n + 1 } }) });
`;

async function withTree(body: (tree: HostTree, build: (entry: string) => Promise<{ status: string; receipt: CborObject }>) => Promise<void>): Promise<void> {
  const tree = await hostTree();
  const adapter = new HostBuildAdapter(tree.adapter);
  const build = async (entry: string) => {
    const outcome = await adapter.execute(testIntent(HOST_BUILD_MODULE_EFFECT, { session_id: tree.sessionId, entry, module_name: 'evo/Test@1' }), testContext(tree.blobs));
    return { status: outcome.status, receipt: outcome.payload as CborObject };
  };
  try {
    await body(tree, build);
    await tree.assertOutsideUntouched();
  } finally {
    await tree.cleanup();
  }
}

test('a module in the work dir bundles into the CAS; its hash is returned and stable', async () => {
  await withTree(async (tree, build) => {
    await writeFile(join(tree.workdir, 'start.ts'), 'export const start = 0;\n');
    await writeFile(join(tree.workdir, 'mod.ts'), MODULE);
    const first = await build('mod.ts');
    assert.equal(first.status, 'ok', JSON.stringify(first.receipt));
    const hash = first.receipt['module_hash'] as Hash;
    const bytes = tree.blobs.get(hash);
    assert.equal(hashBytes(bytes), hash, 'the hash names the stored bundle');
    assert.equal(first.receipt['size_bytes'], bytes.length);
    assert.match(new TextDecoder().decode(bytes), /^"use strict";/, 'the bundle is the js runtime\'s script');
    assert.equal((await build('./mod.ts')).receipt['module_hash'], hash, 'the same sources give the same bundle');
    assert.equal((await bundleModule(join(tree.workdir, 'mod.ts'), { moduleName: 'evo/Test@1' })).hash, hash, '`aos build` bundles it to the same bytes');
    assert.deepEqual([first.receipt['error_code'], first.receipt['error_message']], [null, null]);
  });
});

test('a module that does not bundle is an error receipt with esbuild\'s message, paths relative to the work dir', async () => {
  await withTree(async (tree, build) => {
    await writeFile(join(tree.workdir, 'broken.ts'), 'export const x = ;\n');
    const { status, receipt } = await build('broken.ts');
    assert.equal(status, 'error');
    assert.equal(receipt['error_code'], 'build_failed');
    assert.match(String(receipt['error_message']), /module evo\/Test@1 \(broken\.ts\) does not bundle:\nbroken\.ts:1: Unexpected ";"/);
    assert.ok(!String(receipt['error_message']).includes(tree.workdir), 'the machine\'s paths stay out of the receipt');
    assert.equal(receipt['module_hash'], null);
  });
});

test('nothing outside the work dir is read: climbing, absolute and symlinked imports, ".." entries, Node built-ins', async () => {
  await withTree(async (tree, build) => {
    const sentinel = join(tree.outside, 'sentinel.txt');
    await writeFile(join(tree.workdir, 'climb.ts'), "import text from '../../outside/sentinel.txt';\nexport default text;\n");
    await writeFile(join(tree.workdir, 'absolute.ts'), `import text from ${JSON.stringify(sentinel)};\nexport default text;\n`);
    await symlink(sentinel, join(tree.workdir, 'link.txt'));
    await writeFile(join(tree.workdir, 'linked.ts'), "import text from './link.txt';\nexport default text;\n");
    await writeFile(join(tree.workdir, 'node.ts'), "import { readFileSync } from 'node:fs';\nexport default readFileSync;\n");
    for (const entry of ['climb.ts', 'absolute.ts', 'linked.ts']) {
      const { status, receipt } = await build(entry);
      assert.deepEqual([status, receipt['error_code']], ['error', 'build_failed'], entry);
      assert.match(String(receipt['error_message']), /imports a file outside the session's work dir/, entry);
      assert.ok(!String(receipt['error_message']).includes(SENTINEL_TEXT.trim()), `${entry}: the sentinel's text is not in the receipt`);
    }
    const node = await build('node.ts');
    assert.match(String(node.receipt['error_message']), /imports "node:fs", which cannot run in an AgentOS module/);
    const escape = await build('../outside/sentinel.txt');
    assert.deepEqual([escape.status, escape.receipt['error_code']], ['error', 'path_escape']);
    const missing = await build('absent.ts');
    assert.deepEqual([missing.status, missing.receipt['error_code']], ['error', 'not_found']);
    const text = await build('link.txt');
    assert.deepEqual([text.status, text.receipt['error_code']], ['error', 'path_escape'], 'an entry that is a symlink out is refused before it is read');
  });
});

test('the wrapper passes host effects to the host adapter and refuses builds in unknown sessions', async () => {
  await withTree(async (tree) => {
    const adapter = new HostBuildAdapter(tree.adapter);
    assert.equal(adapter.id, tree.adapter.id, 'one adapter_id: the host key signs both');
    assert.deepEqual(adapter.kinds, [...tree.adapter.kinds, HOST_BUILD_MODULE_EFFECT]);
    const exists = await adapter.execute(testIntent('sys/host.fs.exists@1', { session_id: tree.sessionId, path: 'nothing' }), testContext(tree.blobs));
    assert.deepEqual([exists.status, (exists.payload as CborObject)['exists']], ['ok', false]);
    const unknown = await adapter.execute(testIntent(HOST_BUILD_MODULE_EFFECT, { session_id: 'hs-unknown', entry: 'mod.ts', module_name: 'evo/Test@1' }), testContext(tree.blobs));
    assert.deepEqual([unknown.status, (unknown.payload as CborObject)['error_code']], ['error', 'session_not_found']);
  });
});
