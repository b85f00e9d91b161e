// Goal: the built-in workflows whose code ships with AgentOS run in any world that lists them:
// `aos build` bundles them, the world keeps the bundles it was created with (a rebuild does not
// change what an existing world runs or replays), sys/HttpPublish@1 keeps its rules, and a
// world listing one without that build is refused at creation with what to do.
// Method: copies of the ladder 09 world (it lists sys/Workspace@1 and sys/HttpPublish@1) on the
// embedded default; events sent directly to the built-in workflows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { valueFromJson, valueToSugarJson } from '../../../src/air/index.ts';
import { decodeCanonical, encodeCanonical } from '../../../src/cbor/index.ts';
import { buildWorld, writeModuleHashes } from '../../../src/cli/build/index.ts';
import { EmbeddedWorld, NodeError, SYS_MODULES_FILE } from '../../../src/node/index.ts';

const ROOT = join(import.meta.dirname, '../../..');

function copyWorld(): string {
  const dir = mkdtempSync(join(tmpdir(), 'aos-sys-modules-'));
  cpSync(join(ROOT, 'worlds/ladder/09-workspaces'), dir, { recursive: true, filter: (path) => !path.endsWith('.aos') });
  return dir;
}

function send(world: EmbeddedWorld, schema: string, json: unknown): string[] {
  const value = valueFromJson(json, { ref: schema }, world.view.index, { path: 'event' });
  return world.send({ schema, value: encodeCanonical(value, { selfDescribe: false }) }).map((record) => record.body.kind);
}

test('sys/HttpPublish@1 sets and removes rules; the world keeps the bundles it was created with', async () => {
  const dir = copyWorld();
  try {
    const built = await buildWorld(dir);
    writeModuleHashes(dir, built.modules);
    assert.deepEqual(Object.keys(built.sysModules).sort(), ['sys/HttpPublish@1', 'sys/Workspace@1']);
    const world = await EmbeddedWorld.create(dir);
    const rule = { route_prefix: '/docs', workspace: { workspace: 'alpha', version: null, path: null }, default_doc: 'index.html', allow_dir_listing: false, cache: 'no-store' };
    try {
      assert.deepEqual(send(world, 'sys/HttpPublishSet@1', { id: 'docs', rule }), ['domain_event']);
      assert.deepEqual(send(world, 'sys/HttpPublishSet@1', { id: 'old', rule }), ['domain_event']);
      assert.deepEqual(send(world, 'sys/HttpPublishSet@1', { id: 'old', rule: null }), ['domain_event']);
      const state = world.state('sys/HttpPublish@1');
      assert.deepEqual(valueToSugarJson(decodeCanonical(state ?? new Uint8Array()), { ref: 'sys/HttpPublishRegistry@1' }, world.view.index), { rules: { docs: rule } });
    } finally {
      world.close();
    }
    // A rebuild records other bundles (here: a garbled record); the world runs what it was created with.
    writeFileSync(join(dir, SYS_MODULES_FILE), JSON.stringify({ 'sys/Workspace@1': `sha256:${'1'.repeat(64)}` }));
    const reopened = await EmbeddedWorld.open(dir);
    try {
      assert.deepEqual(send(reopened, 'sys/HttpPublishSet@1', { id: 'docs', rule: null }), ['domain_event']);
      await reopened.verifyReplay();
    } finally {
      reopened.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a world listing a built-in workflow is refused at creation until `aos build` bundled it', async () => {
  const dir = copyWorld();
  try {
    writeModuleHashes(dir, (await buildWorld(dir)).modules);
    const record = JSON.parse(readFileSync(join(dir, SYS_MODULES_FILE), 'utf8')) as Record<string, string>;
    delete record['sys/HttpPublish@1'];
    writeFileSync(join(dir, SYS_MODULES_FILE), JSON.stringify(record));
    await assert.rejects(EmbeddedWorld.create(dir), (error: unknown) => error instanceof NodeError && error.code === 'MODULE_ARTIFACT_MISSING'
      && /lists the built-in workflow sys\/HttpPublish@1, whose code AgentOS ships, but no bundle of it is built/.test(error.message) && /aos build/.test(error.hint ?? ''));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
