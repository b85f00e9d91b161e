// Goal: introspect.* answers what the world holds: its manifest node, journal head and latest
// snapshot, a workflow's state and a keyed workflow's cells (sorted by key); reads the head
// cannot serve (exact/at_least heights, unknown workflows, a key that does not fit) are error
// receipts. The workspace registry reads the built-in sys/Workspace@1 cells.
// Method: a copy of the ladder 09 world on the embedded default; commits sent as events (no
// effects involved); the introspect adapter run on EmbeddedIntrospection; payloads checked
// against their receipt schemas.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IntrospectAdapter } from '../../../src/adapters/introspect-adapter.ts';
import { builtinCatalog, valueFromCbor, valueFromJson } from '../../../src/air/index.ts';
import { decodeCanonical, encodeCanonical, hashBytes } from '../../../src/cbor/index.ts';
import type { CborObject, CborValue } from '../../../src/cbor/index.ts';
import { buildWorld, writeModuleHashes } from '../../../src/cli/build/index.ts';
import { EmbeddedIntrospection, EmbeddedWorld, workspaceKey, WorldWorkspaceRegistry } from '../../../src/node/index.ts';
import { testIntent } from '../../support/adapter-fixture.ts';

const ROOT = join(import.meta.dirname, '../../..');
const REGISTRY = 'sys/Workspace@1';

function copyWorld(): string {
  const dir = mkdtempSync(join(tmpdir(), 'aos-introspect-'));
  cpSync(join(ROOT, 'worlds/ladder/09-workspaces'), dir, { recursive: true, filter: (path) => !path.endsWith('.aos') });
  return dir;
}

function commit(world: EmbeddedWorld, workspace: string, expectedHead: number | null, root: string): void {
  const value = valueFromJson({ workspace, expected_head: expectedHead, meta: { root_hash: root, owner: 'test', created_at: 7 } }, { ref: 'sys/WorkspaceCommit@1' }, world.view.index, { path: 'commit' });
  const records = world.send({ schema: 'sys/WorkspaceCommit@1', value: encodeCanonical(value, { selfDescribe: false }) });
  assert.deepEqual(records.map((record) => record.body.kind), ['domain_event'], `commit ${workspace} on ${expectedHead ?? 'none'} is accepted`);
}

async function read(adapter: IntrospectAdapter, kind: string, params: CborValue, schema: string): Promise<CborObject> {
  const outcome = await adapter.execute(testIntent(`sys/introspect.${kind}@1`, params));
  assert.equal(outcome.status, 'ok', String(outcome.payload));
  return valueFromCbor(outcome.payload, { ref: schema }, builtinCatalog(), { path: 'receipt' }) as CborObject;
}

async function refused(adapter: IntrospectAdapter, kind: string, params: CborValue, message: RegExp): Promise<void> {
  const outcome = await adapter.execute(testIntent(`sys/introspect.${kind}@1`, params));
  assert.equal(outcome.status, 'error');
  assert.match(String(outcome.payload), message);
}

test('introspect reads the manifest, head, states and cells of a live world; the registry reads sys/Workspace@1', async () => {
  const dir = copyWorld();
  try {
    writeModuleHashes(dir, (await buildWorld(dir)).modules);
    const world = await EmbeddedWorld.create(dir);
    try {
      const root = hashBytes(new TextEncoder().encode('a tree'));
      commit(world, 'beta', null, root);
      commit(world, 'alpha', null, root);
      commit(world, 'alpha', 1, root);
      const adapter = new IntrospectAdapter(new EmbeddedIntrospection(world));
      const meta = { journal_height: world.head.height, snapshot_hash: null, manifest_hash: world.view.hash };
      assert.deepEqual(await read(adapter, 'journal_head', {}, 'sys/IntrospectJournalHeadReceipt@1'), { meta });

      const manifest = await read(adapter, 'manifest', { consistency: 'head' }, 'sys/IntrospectManifestReceipt@1');
      assert.equal(hashBytes(manifest['manifest'] as Uint8Array), world.view.hash, 'the manifest node hashes to the manifest hash');
      assert.deepEqual((await read(adapter, 'manifest', { consistency: `exact:${world.head.height}` }, 'sys/IntrospectManifestReceipt@1'))['meta'], meta);
      await refused(adapter, 'manifest', { consistency: 'exact:1' }, /reads are served at the head, height \d+/);
      await refused(adapter, 'manifest', { consistency: 'at_least:999999' }, /the journal is at \d+/);
      await refused(adapter, 'manifest', { consistency: 'latest' }, /is not "head", "exact:<height>" or "at_least:<height>"/);

      const state = await read(adapter, 'workflow_state', { workflow: REGISTRY, key: workspaceKey('alpha'), consistency: 'head' }, 'sys/IntrospectWorkflowStateReceipt@1');
      assert.deepEqual(state['state'], world.state(REGISTRY, workspaceKey('alpha')));
      assert.equal((decodeCanonical(state['state'] as Uint8Array) as Map<string, unknown>).get('latest'), 2);
      assert.equal((await read(adapter, 'workflow_state', { workflow: REGISTRY, key: workspaceKey('gamma'), consistency: 'head' }, 'sys/IntrospectWorkflowStateReceipt@1'))['state'], null);
      assert.equal((await read(adapter, 'workflow_state', { workflow: 'demo/WorkspaceDemo@1', key: null, consistency: 'head' }, 'sys/IntrospectWorkflowStateReceipt@1'))['state'], null, 'no state before its first event');
      await refused(adapter, 'workflow_state', { workflow: REGISTRY, key: null, consistency: 'head' }, /is keyed: name the cell with key/);
      await refused(adapter, 'workflow_state', { workflow: 'demo/WorkspaceDemo@1', key: workspaceKey('x'), consistency: 'head' }, /is not keyed/);
      await refused(adapter, 'list_cells', { workflow: 'demo/Nope@1' }, /no workflow demo\/Nope@1/);

      const cells = await read(adapter, 'list_cells', { workflow: REGISTRY }, 'sys/IntrospectListCellsReceipt@1');
      // Sorted by key bytes: the CBOR header holds the text's length, so "beta" comes before "alpha".
      const expected = ['beta', 'alpha'].map((name) => {
        const bytes = world.state(REGISTRY, workspaceKey(name)) ?? new Uint8Array();
        return { key: workspaceKey(name), state_hash: hashBytes(bytes), size: bytes.byteLength, last_active_ns: 0 };
      });
      assert.deepEqual(cells['cells'], expected, 'cells sorted by key bytes, each with its state hash and size');

      world.snapshot();
      assert.deepEqual((await read(adapter, 'journal_head', {}, 'sys/IntrospectJournalHeadReceipt@1'))['meta'], { ...meta, journal_height: world.head.height, snapshot_hash: world.latestSnapshotHash() });
      assert.match(String(world.latestSnapshotHash()), /^sha256:/);

      const registry = new WorldWorkspaceRegistry(world);
      assert.deepEqual(registry.workspaces().map((row) => [row.workspace, row.history.latest]), [['alpha', 2], ['beta', 1]]);
      assert.deepEqual(registry.history('alpha')?.versions.get(2), { root_hash: root, owner: 'test', created_at: 7n });
      assert.equal(registry.history('gamma'), null);
    } finally {
      world.close();
    }
    const reopened = await EmbeddedWorld.open(dir);
    try {
      assert.equal(new WorldWorkspaceRegistry(reopened).history('alpha')?.latest, 2, 'the built-in workflow\'s bundle is found again on open');
      await reopened.verifyReplay();
    } finally {
      reopened.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
