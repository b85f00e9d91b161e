// Goal: each workspace.* effect answers with a payload of upstream's receipt schema; resolve
// reads the registry (absent workspace, head, a pinned version, a version that does not exist);
// refusals (bad path, bad workspace name, missing entry) are error receipts whose payload says
// which effect failed and why; the adapter signs as "kernel".
// Method: the adapter over a CAS in memory and a registry fake; payloads checked through the schemas.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkspaceAdapter, WORKSPACE_EFFECTS } from '../../../../src/adapters/workspace/index.ts';
import type { WorkspaceHistory, WorkspaceRegistry } from '../../../../src/adapters/workspace/index.ts';
import type { AdapterOutcome } from '../../../../src/adapters/index.ts';
import { KERNEL_ADAPTER_ID } from '../../../../src/adapters/kernel-adapter-id.ts';
import { builtinCatalog, valueFromCbor } from '../../../../src/air/index.ts';
import { hashBytes } from '../../../../src/cbor/index.ts';
import type { CborObject, CborValue, Hash } from '../../../../src/cbor/index.ts';
import { checkedPayload, MemoryBlobs, testContext, testIntent } from '../../../support/adapter-fixture.ts';

const ROOT_A = hashBytes(new Uint8Array([1]));
const ROOT_B = hashBytes(new Uint8Array([2]));
const registry: WorkspaceRegistry = {
  history(workspace: string): WorkspaceHistory | null {
    if (workspace !== 'alpha') return null;
    return { latest: 2, versions: new Map([[1, { root_hash: ROOT_A, owner: 'demo', created_at: 5n }], [2, { root_hash: ROOT_B, owner: 'demo', created_at: 6n }]]) };
  },
};

const blobs = new MemoryBlobs();
const adapter = new WorkspaceAdapter(registry);

async function run(kind: string, params: CborValue): Promise<AdapterOutcome> {
  return adapter.execute(testIntent(`sys/workspace.${kind}@1`, params), testContext(blobs));
}

/** An ok outcome's payload, checked against the effect's receipt schema. */
async function ok(kind: string, params: CborValue, receiptSchema: string): Promise<CborValue> {
  const outcome = await run(kind, params);
  assert.equal(outcome.status, 'ok', `${kind}: ${String(outcome.payload)}`);
  return valueFromCbor(outcome.payload, { ref: receiptSchema }, builtinCatalog(), { path: 'receipt' });
}

test('the adapter serves the eleven workspace effects as "kernel"', () => {
  assert.equal(adapter.id, KERNEL_ADAPTER_ID);
  assert.equal(WORKSPACE_EFFECTS.length, 11);
  assert.deepEqual(builtinCatalog().ofKind('defeffect').map((entry) => entry.def.name).filter((name) => name.startsWith('sys/workspace.')).sort(), [...WORKSPACE_EFFECTS].sort(), 'exactly the built-in workspace effect defs');
});

test('resolve: absent, head, pinned and missing versions', async () => {
  const schema = 'sys/WorkspaceResolveReceipt@1';
  assert.deepEqual(await ok('resolve', { workspace: 'beta', version: null }, schema), { exists: false, resolved_version: null, head: null, root_hash: null });
  assert.deepEqual(await ok('resolve', { workspace: 'alpha', version: null }, schema), { exists: true, resolved_version: 2, head: 2, root_hash: ROOT_B });
  assert.deepEqual(await ok('resolve', { workspace: 'alpha', version: 1 }, schema), { exists: true, resolved_version: 1, head: 2, root_hash: ROOT_A });
  assert.deepEqual(await ok('resolve', { workspace: 'alpha', version: 9 }, schema), { exists: true, resolved_version: null, head: 2, root_hash: null });
});

test('empty_root, write_bytes, write_ref, list, read_ref, read_bytes, diff, remove, annotations: receipts of their schemas', async () => {
  const empty = (await ok('empty_root', { workspace: 'alpha' }, 'sys/WorkspaceEmptyRootReceipt@1') as CborObject)['root_hash'] as Hash;
  const text = new TextEncoder().encode('hello\n');
  const written = await ok('write_bytes', { root_hash: empty, path: 'docs/hello.txt', bytes: text, mode: null }, 'sys/WorkspaceWriteBytesReceipt@1') as CborObject;
  assert.equal(written['blob_hash'], hashBytes(text));
  const root = written['new_root_hash'] as Hash;
  const byRef = await ok('write_ref', { root_hash: root, path: 'copy.txt', blob_hash: hashBytes(text), mode: 0o600 }, 'sys/WorkspaceWriteRefReceipt@1') as CborObject;
  const both = byRef['new_root_hash'] as Hash;
  const listed = await ok('list', { root_hash: both, path: null, scope: 'subtree', cursor: null, limit: 10 }, 'sys/WorkspaceListReceipt@1') as { entries: Array<{ path: string; size: number | null }>; next_cursor: string | null };
  assert.deepEqual(listed.entries.map((entry) => [entry.path, entry.size]), [['copy.txt', 6], ['docs', null], ['docs/hello.txt', 6]]);
  assert.deepEqual(await ok('read_ref', { root_hash: both, path: 'copy.txt' }, 'sys/WorkspaceReadRefReceipt@1'), { kind: 'file', hash: hashBytes(text), size: 6, mode: 0o600 });
  assert.equal(await ok('read_ref', { root_hash: both, path: 'nope' }, 'sys/WorkspaceReadRefReceipt@1'), null, 'a missing entry reads as none');
  assert.deepEqual(await ok('read_bytes', { root_hash: both, path: 'docs/hello.txt', range: { start: 0, end: 4 } }, 'sys/WorkspaceReadBytesReceipt@1'), new TextEncoder().encode('hell'));
  const diff = await ok('diff', { root_a: root, root_b: both, prefix: null }, 'sys/WorkspaceDiffReceipt@1') as { changes: Array<{ path: string; kind: string }> };
  assert.deepEqual(diff.changes.map((change) => [change.path, change.kind]), [['copy.txt', 'added']]);
  const removed = await ok('remove', { root_hash: both, path: 'copy.txt' }, 'sys/WorkspaceRemoveReceipt@1') as CborObject;
  assert.equal(removed['new_root_hash'], root, 'removing the copy gives the earlier root back');
  const set = await ok('annotations_set', { root_hash: root, path: 'docs/hello.txt', annotations_patch: { lang: hashBytes(text) } }, 'sys/WorkspaceAnnotationsSetReceipt@1') as CborObject;
  assert.deepEqual(await ok('annotations_get', { root_hash: set['new_root_hash'] as Hash, path: 'docs/hello.txt' }, 'sys/WorkspaceAnnotationsGetReceipt@1'), { annotations: { lang: hashBytes(text) } });
  assert.deepEqual(await ok('annotations_get', { root_hash: root, path: null }, 'sys/WorkspaceAnnotationsGetReceipt@1'), { annotations: null });
});

test('refusals are error receipts naming the effect and the reason', async () => {
  const empty = (checkedPayload(await run('empty_root', { workspace: 'alpha' }), 'sys/WorkspaceEmptyRootReceipt@1'))['root_hash'] as Hash;
  const cases: Array<[string, CborValue, RegExp]> = [
    ['write_bytes', { root_hash: empty, path: '../etc/passwd', bytes: new Uint8Array(1), mode: null }, /^sys\/workspace\.write_bytes@1: workspace path "\.\.\/etc\/passwd" has a "\.\." segment/],
    ['read_bytes', { root_hash: empty, path: '/abs', range: null }, /is absolute/],
    ['read_bytes', { root_hash: empty, path: 'missing.txt', range: null }, /nothing is at missing\.txt/],
    ['remove', { root_hash: empty, path: 'a//b' }, /empty segment/],
    ['list', { root_hash: empty, path: null, scope: 'everything', cursor: null, limit: 1 }, /neither "dir" nor "subtree"/],
    ['empty_root', { workspace: '../alpha' }, /workspace name "\.\.\/alpha" is not valid/],
    ['resolve', { workspace: '', version: null }, /workspace name "" is not valid/],
    ['diff', { root_a: empty, root_b: hashBytes(new Uint8Array([9])), prefix: null }, /is not a workspace tree/],
  ];
  for (const [kind, params, message] of cases) {
    const outcome = await run(kind, params);
    assert.equal(outcome.status, 'error', kind);
    assert.match(String(outcome.payload), message, kind);
  }
});
