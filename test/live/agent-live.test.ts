// Goal: an agent task end to end against a real provider (upstream smokes 20-chat-live and
// 22-agent-live): at least 2 tool calls, a final answer, a follow-up answer in the same session,
// replay-or-die. The live tests run only when OPENAI_API_KEY or ANTHROPIC_API_KEY is set, and
// otherwise are skipped saying which variable to set. The same smoke code also runs against the
// loopback fake LLM server for both APIs (Responses and Messages), through the real SDKs, so the
// live path is exercised on every run; those runs also check what the provider was sent.
// Method: agent-smoke.ts (a Demiurge world on the node's routes).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { FakeLlmServer } from '../support/fake-llm-server.ts';
import { mentions, runAgentSmoke, SMOKE_FOLLOW_UP, SMOKE_NUMBERS, SMOKE_PROVIDERS, SMOKE_TASK } from './agent-smoke.ts';
import type { SmokeProvider, SmokeRun } from './agent-smoke.ts';

/** A live run makes three or four model calls; each may take a while. */
const LIVE_TEST_TIMEOUT_MS = 300_000;

function checkRun(run: SmokeRun): void {
  assert.ok(run.toolCalls.length >= 2, `at least 2 tool calls (made: ${run.toolCalls.join(', ') || 'none'})`);
  assert.ok(mentions(run.answer, SMOKE_NUMBERS.sum), `the answer names the sum ${SMOKE_NUMBERS.sum}: ${JSON.stringify(run.answer)}`);
  assert.ok(mentions(run.followUp, SMOKE_NUMBERS.tripled), `the follow-up answer names ${SMOKE_NUMBERS.tripled}: ${JSON.stringify(run.followUp)}`);
  assert.equal(run.lifecycle, 'WaitingInput', 'the session answered the follow-up and waits for input');
  assert.ok(run.replay.heights > 0, 'the world replayed');
}

for (const provider of Object.values(SMOKE_PROVIDERS)) {
  test(`live: an agent task and a follow-up on ${provider.name} (${provider.model})`, { timeout: LIVE_TEST_TIMEOUT_MS }, async (t: TestContext) => {
    if ((process.env[provider.keyVariable] ?? '') === '') {
      t.skip(`set ${provider.keyVariable} to run this live smoke against the real ${provider.name} API (it needs the network)`);
      return;
    }
    checkRun(await runAgentSmoke(provider, { baseUrl: null }));
  });
}

async function loopbackRun(provider: SmokeProvider): Promise<{ run: SmokeRun; fake: FakeLlmServer }> {
  const fake = await FakeLlmServer.start();
  fake.reply(
    { kind: 'tool_calls', calls: [{ id: 'call-a', name: 'read_file', arguments: '{"path":"a.txt"}' }, { id: 'call-b', name: 'read_file', arguments: '{"path":"b.txt"}' }], usage: { prompt: 300, completion: 40 } },
    { kind: 'text', text: String(SMOKE_NUMBERS.sum), usage: { prompt: 420, completion: 4 } },
    { kind: 'text', text: `${SMOKE_NUMBERS.tripled}.`, usage: { prompt: 450, completion: 4 } },
  );
  const baseUrl = provider.name === 'anthropic' ? fake.anthropicBaseUrl : fake.openAiBaseUrl;
  // The fake takes any key; the world's defsecret still resolves it from the variable the live run reads.
  const run = await runAgentSmoke(provider, { baseUrl, env: { [provider.keyVariable]: 'loopback-fake-key' } });
  return { run, fake };
}

for (const provider of Object.values(SMOKE_PROVIDERS)) {
  test(`loopback: the live smoke's code on ${provider.name} against the fake LLM server`, async () => {
    const { run, fake } = await loopbackRun(provider);
    try {
      checkRun(run);
      assert.deepEqual(run.toolCalls, ['read_file', 'read_file']);
      assert.equal(run.toolErrors, 0);
      const path = provider.name === 'anthropic' ? '/v1/messages' : '/v1/responses';
      assert.deepEqual(fake.requests.map((request) => [request.method, request.path]), [['POST', path], ['POST', path], ['POST', path]], 'three model calls: the tool turn, the answer, the follow-up');
      const [first, second, third] = fake.requests.map((request) => request.bodyText);
      assert.ok(first?.includes('a.txt') && !first.includes(String(SMOKE_NUMBERS.a)), 'turn 1 carries the task, not the numbers');
      assert.ok(second?.includes(String(SMOKE_NUMBERS.a)) && second.includes(String(SMOKE_NUMBERS.b)), 'turn 2 carries both files\' contents as tool results');
      assert.ok(third?.includes(SMOKE_TASK.slice(0, 40)) && third.includes(String(SMOKE_NUMBERS.sum)) && third.includes(SMOKE_FOLLOW_UP.slice(0, 20)), 'the follow-up carries the transcript: the task, its answer, the new question');
      const headers = fake.requests[0]?.headers;
      const auth = headers?.['authorization'] ?? headers?.['x-api-key'];
      assert.match(String(auth), /loopback-fake-key/, 'the key came from the world\'s defsecret');
    } finally {
      await fake.close();
    }
  });
}
