// Goal: the node's routes serve the Demiurge world (host and LLM adapters from their keys, the host
// confined to the node's roots), and Demiurge ends a task it cannot start with exactly one
// TaskFinished saying why: a work dir outside the host roots fails at host.session.open; a
// relative work dir or an unknown allowed tool is refused before any effect; allowed_tools keeps
// every other tool from the session (a call to one gets an error result, never the host).
// Method: worlds/demiurge copied to a temp root with its adapter keys, built and created; a task
// naming a directory outside <root>/work; its effects run on nodeRoutes with an EffectExecutor.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { valueFromJson, valueToSugarJson } from '../../src/air/index.ts';
import { decodeCanonical, encodeCanonical } from '../../src/cbor/index.ts';
import type { CborValue } from '../../src/cbor/index.ts';
import { HOST_ADAPTER_ID_DEFAULT } from '../../src/adapters/host/host-adapter.ts';
import { LLM_ADAPTER_ID_DEFAULT } from '../../src/adapters/llm/llm-adapter.ts';
import { buildWorld, writeModuleHashes } from '../../src/cli/build/index.ts';
import { EffectExecutor, EmbeddedWorld, generateKey } from '../../src/node/index.ts';
import { HOST_WORK_DIR, LLM_ADAPTER_ID, nodeRoutes } from '../../src/node/node-effects.ts';

const ROOT = join(import.meta.dirname, '../..');
const TASK_ID = '11111111-2222-3333-4444-555555555555';

async function demiurgeWorld(keys: readonly string[]): Promise<{ dir: string; root: string; world: EmbeddedWorld }> {
  const dir = mkdtempSync(join(tmpdir(), 'aos-demiurge-'));
  const root = join(dir, 'agent');
  cpSync(join(ROOT, 'worlds/demiurge'), root, { recursive: true });
  for (const name of keys) generateKey(root, { name, role: 'adapter' });
  writeModuleHashes(root, (await buildWorld(root)).modules);
  return { dir, root, world: await EmbeddedWorld.create(root) };
}

test('the LLM route carries the LLM adapter\'s default id, and routes exist only for keys the root holds', async () => {
  assert.equal(LLM_ADAPTER_ID, LLM_ADAPTER_ID_DEFAULT);
  const { dir, world } = await demiurgeWorld(['blob.default']);
  try {
    assert.deepEqual(nodeRoutes(world, { llmScript: join(ROOT, 'worlds/demiurge/demo-script.json') }).map((route) => route.adapter.id), ['blob.default']);
  } finally {
    world.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('Demiurge fails a task whose work dir lies outside the node\'s host roots, with one TaskFinished', async () => {
  const { dir, root, world } = await demiurgeWorld(['blob.default', HOST_ADAPTER_ID_DEFAULT, LLM_ADAPTER_ID]);
  try {
    const outside = join(dir, 'elsewhere');
    mkdirSync(outside);
    const routes = nodeRoutes(world);
    assert.deepEqual(routes.map((route) => route.adapter.id), ['blob.default', HOST_ADAPTER_ID_DEFAULT, LLM_ADAPTER_ID]);
    const task = { task_id: TASK_ID, observed_at_ns: 1000, workdir: outside, task: 'read everything', config: null };
    const value = encodeCanonical(valueFromJson(task as unknown as CborValue, { ref: 'demiurge/TaskSubmitted@1' }, world.view.index, { path: 'task' }), { selfDescribe: false });
    world.send({ schema: 'demiurge/TaskSubmitted@1', value });
    const executor = new EffectExecutor(world, routes);
    executor.dispatch();
    await executor.idle();
    executor.close();
    assert.deepEqual(executor.problems, []);
    const finished = world.tail(0, 1000, 'domain_event').flatMap((record) => (record.body.kind === 'domain_event' && record.body.schema === 'demiurge/TaskFinished@1'
      ? [valueToSugarJson(decodeCanonical(record.body.value), { ref: 'demiurge/TaskFinished@1' }, world.view.index) as Record<string, unknown>] : []));
    assert.equal(finished.length, 1, 'exactly one TaskFinished');
    assert.equal(finished[0]!['status'], 'Failed');
    const failure = finished[0]!['failure'] as { code: string; detail: string };
    assert.equal(failure.code, 'host_session_open_failed');
    assert.match(failure.detail, /workdir_not_allowed.*outside the node's host roots/);
    assert.match(failure.detail, new RegExp(join(root, HOST_WORK_DIR).replaceAll('/', '\\/')));
    assert.equal(world.cells('aos.agent/SessionWorkflow@1').length, 0, 'no session was started');
    assert.equal(world.openIntents().size, 0);
  } finally {
    world.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

function submit(world: EmbeddedWorld, task: Record<string, unknown>): void {
  const value = encodeCanonical(valueFromJson(task as unknown as CborValue, { ref: 'demiurge/TaskSubmitted@1' }, world.view.index, { path: 'task' }), { selfDescribe: false });
  world.send({ schema: 'demiurge/TaskSubmitted@1', value });
}

function finishedOf(world: EmbeddedWorld, taskId: string): Array<Record<string, unknown>> {
  return world.tail(0, 4096, 'domain_event').flatMap((record) => {
    if (record.body.kind !== 'domain_event' || record.body.schema !== 'demiurge/TaskFinished@1') return [];
    const value = valueToSugarJson(decodeCanonical(record.body.value), { ref: 'demiurge/TaskFinished@1' }, world.view.index) as Record<string, unknown>;
    return value['task_id'] === taskId ? [value] : [];
  });
}

const CONFIG = { provider: 'scripted', model: 'demo-script', reasoning_effort: null, max_tokens: null, tool_profile: null, allowed_tools: null, tool_enable: null, tool_disable: null, tool_force: null, session_ttl_ns: null };

test('Demiurge refuses a relative work dir and unknown allowed_tools without effects, and allowed_tools narrows the session\'s tools', async () => {
  const { dir, root, world } = await demiurgeWorld(['blob.default', HOST_ADAPTER_ID_DEFAULT, LLM_ADAPTER_ID]);
  try {
    const relative = '21111111-2222-3333-4444-555555555555';
    submit(world, { task_id: relative, observed_at_ns: 1, workdir: 'project', task: 't', config: null });
    assert.deepEqual(finishedOf(world, relative).map((done) => (done['failure'] as { code: string }).code), ['invalid_workdir']);
    const unknown = '31111111-2222-3333-4444-555555555555';
    submit(world, { task_id: unknown, observed_at_ns: 1, workdir: '/tmp', task: 't', config: { ...CONFIG, allowed_tools: ['host.fs.read_file', 'rm_rf'] } });
    assert.deepEqual(finishedOf(world, unknown).map((done) => (done['failure'] as { code: string }).code), ['unknown_allowed_tool']);
    assert.equal(world.openIntents().size, 0, 'refused tasks emit no effects');

    // The model asks for list_dir, which allowed_tools leaves out: it gets an error result and answers.
    const script = join(dir, 'script.json');
    writeFileSync(script, JSON.stringify([
      { match: { correlation_id: 'run-1-turn-1' }, tool_calls: [{ id: 'c1', name: 'list_dir', arguments: {} }, { id: 'c2', name: 'read_file', arguments: { path: 'README.md' } }] },
      { match: { correlation_id: 'run-1-turn-2' }, text: 'done' },
    ]));
    const narrowed = '41111111-2222-3333-4444-555555555555';
    submit(world, { task_id: narrowed, observed_at_ns: 5, workdir: join(root, HOST_WORK_DIR), task: 'read the readme', config: { ...CONFIG, allowed_tools: ['host.fs.read_file'] } });
    const executor = new EffectExecutor(world, nodeRoutes(world, { llmScript: script }));
    executor.dispatch();
    await executor.idle();
    executor.close();
    assert.deepEqual(executor.problems, []);
    const done = finishedOf(world, narrowed);
    assert.deepEqual(done.map((value) => value['status']), ['Succeeded']);
    const kinds = world.tail(0, 4096, 'effect_intent').flatMap((record) => (record.body.kind === 'effect_intent' && record.body.effect_kind.startsWith('host.fs') ? [record.body.effect_kind] : []));
    assert.deepEqual(kinds, ['host.fs.read_file'], 'list_dir never reached the host');
    const state = world.state('aos.agent/SessionWorkflow@1', encodeCanonical(valueFromJson(narrowed, { ref: 'aos.agent/SessionId@1' }, world.view.index, { path: 'key' }), { selfDescribe: false }));
    const session = decodeCanonical(state!) as { active_tool_batch: { llm_results: Record<string, { is_error: boolean }> } };
    assert.deepEqual(Object.fromEntries(Object.entries(session.active_tool_batch.llm_results).map(([id, result]) => [id, result.is_error])), { c1: true, c2: false });
  } finally {
    world.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
