// Goal: a workspace grant's limits (workspaces, ops, path prefixes) deny workspace.* effects
// end to end, through the built-in workspace enforcer, before any intent: the denial is
// journaled with its code, the step faults, nothing is committed, and the world still replays.
// Method: the ladder 09 world with its grant narrowed in the manifest, run with the internal
// adapters signed by the world's kernel key, exactly as the ladder runs it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { internalAdapters, KERNEL_ADAPTER_ID } from '../../src/node/index.ts';
import type { SealedRecord } from '../../src/kernel/index.ts';
import { LadderWorld } from '../../scripts/ladder-kit.ts';

const ROOT = join(import.meta.dirname, '../..');
const EVENT = 'demo/WorkspaceEvent@1';

/** Starts the ladder 09 world with the grant's params replaced by `params` (canonical lens). */
async function narrowed(params: Record<string, unknown>): Promise<{ world: LadderWorld; source: string }> {
  const source = mkdtempSync(join(tmpdir(), 'aos-ws-grant-'));
  cpSync(join(ROOT, 'worlds/ladder/09-workspaces'), source, { recursive: true, filter: (path) => !path.endsWith('.aos') });
  const file = join(source, 'air/manifest.air.json');
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as { defaults: { cap_grants: Array<{ params: unknown }> } };
  const grant = manifest.defaults.cap_grants[0];
  assert.ok(grant !== undefined, 'the fixture has one grant');
  grant.params = { record: params };
  writeFileSync(file, JSON.stringify(manifest));
  const world = await LadderWorld.start(source, [KERNEL_ADAPTER_ID]);
  world.executor(internalAdapters(world.world).map((adapter) => ({ adapter })));
  return { world, source };
}

const texts = (values: readonly string[]) => ({ list: values.map((text) => ({ text })) });
const ALL_OPS = { set: ['resolve', 'list', 'read', 'write', 'diff'].map((text) => ({ text })) };

function denials(records: readonly SealedRecord[]): Array<[string, string | undefined]> {
  return records.flatMap((record) => (record.body.kind === 'cap_decision' && record.body.decision === 'deny' ? [[record.body.effect_kind, record.body.code] as [string, string | undefined]] : []));
}

async function runUntilFault(world: LadderWorld, workspaces: readonly string[]): Promise<SealedRecord[]> {
  const from = world.world.head.height;
  world.send(EVENT, { Start: { workspaces, owner: 'test' } });
  await world.until('the denied step faults', () => world.world.openIntents().size === 0 && world.records(from, 'workflow_fault').length > 0);
  return world.records(from);
}

test('ops and workspaces limits deny the effects they leave out, journaled with their codes', async () => {
  const { world, source } = await narrowed({ workspaces: texts(['alpha']), path_prefixes: { null: {} }, ops: { set: ['resolve', 'list', 'read', 'write'].map((text) => ({ text })) } });
  try {
    const outside = world.send(EVENT, { Start: { workspaces: ['beta'], owner: 'test' } });
    assert.deepEqual(outside.map((record) => record.body.kind), ['domain_event', 'cap_decision', 'workflow_fault']);
    assert.deepEqual(denials(outside), [['workspace.resolve', 'workspace_not_allowed']]);
    const fault = outside[2]?.body;
    assert.equal(fault?.kind === 'workflow_fault' ? fault.failure.kind : '', 'effect_denied');

    const records = await runUntilFault(world, ['alpha']);
    assert.deepEqual(denials(records), [['workspace.diff', 'op_not_allowed']], 'everything up to the diff ran; the diff was denied');
    assert.equal(records.filter((record) => record.body.kind === 'effect_intent' && record.body.effect_kind === 'workspace.diff').length, 0, 'no diff intent was journaled');
    assert.equal(world.state('sys/Workspace@1', 'alpha'), null, 'nothing was committed');
    assert.ok(world.verifyReceiptSignatures() > 0);
    await world.replayOrDie();
  } finally {
    world.close();
    rmSync(source, { recursive: true, force: true });
  }
});

test('path prefixes deny writes outside them', async () => {
  const { world, source } = await narrowed({ workspaces: texts(['alpha']), path_prefixes: texts(['seed']), ops: ALL_OPS });
  try {
    const records = await runUntilFault(world, ['alpha']);
    const writes = records.filter((record) => record.body.kind === 'effect_intent' && record.body.effect_kind === 'workspace.write_bytes');
    assert.equal(writes.length, 1, 'seed/alpha.txt is under the prefix and was written');
    assert.deepEqual(denials(records), [['workspace.write_bytes', 'path_not_allowed']], 'README.txt is not under "seed"');
    await world.replayOrDie();
  } finally {
    world.close();
    rmSync(source, { recursive: true, force: true });
  }
});
