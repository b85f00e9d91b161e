// Goal: through a real world, a retryable LLM failure is retried after a backoff timer and the run
// completes: the scripted provider answers turn 1 with a 429 (RATE_LIMITED), the session sets a
// timer.set in logical time, the timer adapter fires it, the same turn goes out again and is
// answered; the Demiurge task finishes Succeeded, and the world replays or dies.
// Method: worlds/demiurge copied to a temp root with the adapter keys blob.default, host.local,
// llm.default and timer.default, built and created; its effects run on nodeRoutes with an
// EffectExecutor (the timer waits LLM_RETRY_DELAY_BASE_MS of wall time); then reopen from disk at
// the same head and replay from genesis and every snapshot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { valueFromJson, valueToSugarJson } from '../../src/air/index.ts';
import { decodeCanonical, encodeCanonical } from '../../src/cbor/index.ts';
import type { CborValue } from '../../src/cbor/index.ts';
import { HOST_ADAPTER_ID_DEFAULT } from '../../src/adapters/host/host-adapter.ts';
import { LLM_RETRY_DELAY_BASE_MS } from '../../src/agent/limits.ts';
import { buildWorld, writeModuleHashes } from '../../src/cli/build/index.ts';
import { EffectExecutor, EmbeddedWorld, generateKey } from '../../src/node/index.ts';
import { HOST_WORK_DIR, LLM_ADAPTER_ID, nodeRoutes } from '../../src/node/node-effects.ts';
import { TIMER_ADAPTER_ID_DEFAULT } from '../../src/node/timer-adapter.ts';

const ROOT = join(import.meta.dirname, '../..');
const TASK_ID = '51111111-2222-3333-4444-555555555555';
const RECORDS_MAX = 4096;
const ROUNDS_MAX = 50;

test('a rate-limited turn is retried after a timer and the task completes; the world replays', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'aos-agent-retry-'));
  const root = join(dir, 'agent');
  cpSync(join(ROOT, 'worlds/demiurge'), root, { recursive: true });
  for (const name of ['blob.default', HOST_ADAPTER_ID_DEFAULT, LLM_ADAPTER_ID, TIMER_ADAPTER_ID_DEFAULT]) generateKey(root, { name, role: 'adapter' });
  writeModuleHashes(root, (await buildWorld(root)).modules);
  let world = await EmbeddedWorld.create(root);
  try {
    const script = join(dir, 'script.json');
    writeFileSync(script, JSON.stringify([
      { match: { correlation_id: 'run-1-turn-1' }, error: { code: 'RATE_LIMITED', message: 'slow down', http_status: 429, retryable: true } },
      { match: { correlation_id: 'run-1-turn-1' }, text: 'done after a retry', usage: { prompt: 12, completion: 4 } },
    ]));
    const config = { provider: 'scripted', model: 'demo-script', reasoning_effort: null, max_tokens: null, tool_profile: null, allowed_tools: null, tool_enable: null, tool_disable: null, tool_force: null, session_ttl_ns: null };
    const task = { task_id: TASK_ID, observed_at_ns: 1000, workdir: join(root, HOST_WORK_DIR), task: 'say done', config };
    world.send({ schema: 'demiurge/TaskSubmitted@1', value: encodeCanonical(valueFromJson(task as unknown as CborValue, { ref: 'demiurge/TaskSubmitted@1' }, world.view.index, { path: 'task' }), { selfDescribe: false }) });

    const started = Date.now();
    const executor = new EffectExecutor(world, nodeRoutes(world, { llmScript: script }));
    try {
      for (let round = 0; round < ROUNDS_MAX && (round === 0 || world.openIntents().size > 0); round += 1) {
        executor.dispatch();
        await executor.idle();
      }
    } finally {
      executor.close();
    }
    assert.deepEqual(executor.problems, []);
    assert.equal(world.openIntents().size, 0, 'nothing is left open');
    assert.ok(Date.now() - started >= LLM_RETRY_DELAY_BASE_MS - 50, 'the retry waited for its timer');

    const kinds = world.tail(0, RECORDS_MAX, 'effect_intent').flatMap((record) => (record.body.kind === 'effect_intent' ? [record.body.effect_kind] : []));
    const session = kinds.filter((kind) => kind === 'llm.generate' || kind === 'timer.set');
    assert.deepEqual(session, ['llm.generate', 'timer.set', 'llm.generate'], 'the failed turn, its backoff timer, the same turn again');
    const timerReceipts = world.tail(0, RECORDS_MAX, 'effect_receipt').filter((record) => record.body.kind === 'effect_receipt' && record.body.adapter_id === TIMER_ADAPTER_ID_DEFAULT);
    assert.equal(timerReceipts.length, 1, 'the timer fired once, its receipt journaled');

    const finished = world.tail(0, RECORDS_MAX, 'domain_event').flatMap((record) => (record.body.kind === 'domain_event' && record.body.schema === 'demiurge/TaskFinished@1'
      ? [valueToSugarJson(decodeCanonical(record.body.value), { ref: 'demiurge/TaskFinished@1' }, world.view.index) as Record<string, unknown>] : []));
    assert.deepEqual(finished.map((value) => value['status']), ['Succeeded']);

    const key = encodeCanonical(valueFromJson(TASK_ID, { ref: 'aos.agent/SessionId@1' }, world.view.index, { path: 'key' }), { selfDescribe: false });
    const state = decodeCanonical(world.state('aos.agent/SessionWorkflow@1', key) ?? new Uint8Array()) as Record<string, CborValue>;
    assert.equal(state['llm_retry'], null, 'the success cleared the retry');
    assert.equal(state['run_failure'], null);
    const usage = state['run_usage'] as Record<string, number>;
    assert.deepEqual([Number(usage['llm_calls']), Number(usage['total_tokens'])], [2, 16]);
    const refs = state['conversation_message_refs'] as string[];
    const last = JSON.parse(new TextDecoder().decode(world.cas.get(refs[refs.length - 1] as never))) as { role: string; content: string };
    assert.deepEqual(last, { role: 'assistant', content: 'done after a retry' });

    // Replay or die: reopen from disk at the same head, then replay from genesis and every snapshot.
    const head = world.head;
    world.close();
    world = await EmbeddedWorld.open(root);
    assert.equal(world.head.hash, head.hash, 'reopening gives the same head');
    const replayed = await world.verifyReplay();
    assert.equal(replayed.heights, head.height);
  } finally {
    world.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
