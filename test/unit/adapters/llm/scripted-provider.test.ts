// Goal: the scripted provider answers from a script file deterministically: the same script
// and the same intents give the same payloads and the same blob hashes run after run; replies
// are taken in order, once each, filtered by "match"; an intent executed again gets its first
// reply; errors, timeouts, delays with an abort, usage and cost work as with real providers;
// a bad script is refused when the adapter is built, naming the file and line.
// Method: scripts are written to a temporary folder; fresh adapters run the same intents.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdapterError, LlmAdapter } from '../../../../src/adapters/index.ts';
import type { AdapterIntent, AdapterOutcome } from '../../../../src/adapters/index.ts';
import { envelopeOf, errorOf, hashAt, llmContext, llmIntent, MemoryBlobs, receiptOf, toolCallsOf } from './llm-harness.ts';

const folder = mkdtempSync(join(tmpdir(), 'aos-llm-script-'));
after(() => rmSync(folder, { recursive: true, force: true }));

function script(name: string, text: string): string {
  const path = join(folder, name);
  writeFileSync(path, text);
  return path;
}

const DEMO = script('demo.jsonl', [
  '{"text": "I will read the file.", "tool_calls": [{"id": "call_1", "name": "read_file", "arguments": {"path": "README.md", "offset": 12345678901234567890}}], "usage": {"prompt": 500000, "completion": 250000}}',
  '',
  '{"text": "The README says hello.", "usage": {"prompt": 900000, "completion": 100000, "cache_read": 400000}, "id": "final"}',
  '{"error": {"code": "RATE_LIMITED", "message": "scripted rate limit", "http_status": 429, "retryable": true}}',
  '{"timeout": true}',
].join('\n'));

function scripted(path: string): LlmAdapter {
  return new LlmAdapter({ providers: { mock: { kind: 'scripted', scriptPath: path, prices: { 'mock-model': { inputCentsPerMillionTokens: 10, outputCentsPerMillionTokens: 30, cacheReadCentsPerMillionTokens: 1 } } } } });
}

function intents(blobs: MemoryBlobs, count: number): AdapterIntent[] {
  const message = blobs.putJson({ role: 'user', content: 'Summarise the README.' });
  return Array.from({ length: count }, () => llmIntent({ provider: 'mock', model: 'mock-model', message_refs: [message] }));
}

async function runAll(adapter: LlmAdapter, blobs: MemoryBlobs, list: readonly AdapterIntent[]): Promise<AdapterOutcome[]> {
  const outcomes: AdapterOutcome[] = [];
  for (const intent of list) outcomes.push(await adapter.execute(intent, llmContext(blobs, { secrets: {} })));
  return outcomes;
}

test('replies come in order: tool calls, text, error, timeout; usage and cost as priced; then the script is exhausted', async () => {
  const blobs = new MemoryBlobs();
  const outcomes = await runAll(scripted(DEMO), blobs, intents(blobs, 5));
  assert.deepEqual(outcomes.map((outcome) => outcome.status), ['ok', 'ok', 'error', 'timeout', 'error']);
  const [first, second, third, fourth, fifth] = outcomes.map(receiptOf);
  assert.ok(first !== undefined && second !== undefined && third !== undefined && fourth !== undefined && fifth !== undefined);
  const envelope = envelopeOf(blobs, first);
  assert.equal(envelope['assistant_text'], 'I will read the file.');
  assert.deepEqual(toolCallsOf(blobs, envelope).map((call) => [call['call_id'], call['tool_name'], call['arguments']]), [['call_1', 'read_file', '{"path":"README.md","offset":12345678901234567890}']]);
  assert.deepEqual(first['finish_reason'], { reason: 'tool_calls', raw: null });
  assert.equal(first['provider_response_id'], 'scripted-1');
  assert.equal(first['provider_id'], 'mock');
  // 0.5M × 10 + 0.25M × 30 = 12.5 cents → 13.
  assert.deepEqual([outcomes[0]?.cost_cents, first['cost_cents']], [13, 13]);
  assert.equal(blobs.text(hashAt(first, 'raw_output_ref')), '{"text":"I will read the file.","tool_calls":[{"id":"call_1","name":"read_file","arguments":{"path":"README.md","offset":12345678901234567890}}],"usage":{"prompt":500000,"completion":250000}}');
  assert.deepEqual([envelopeOf(blobs, second)['assistant_text'], second['provider_response_id'], second['finish_reason']], ['The README says hello.', 'final', { reason: 'stop', raw: null }]);
  // 0.5M uncached × 10 + 0.4M cached × 1 + 0.1M × 30 = 5 + 0.4 + 3 → 9.
  assert.equal(outcomes[1]?.cost_cents, 9);
  assert.deepEqual(outcomes[1]?.usage, { prompt_tokens: 900_000, completion_tokens: 100_000 });
  assert.deepEqual(errorOf(blobs, third), { code: 'RATE_LIMITED', message: 'scripted rate limit', retryable: true, http_status: 429 });
  assert.equal(errorOf(blobs, fourth)['code'], 'TIMEOUT');
  assert.equal(errorOf(blobs, fifth)['code'], 'SCRIPT_EXHAUSTED');
});

test('the same script and intents give the same payloads and the same blobs, run after run', async () => {
  const runOnce = async (): Promise<{ payloads: unknown[]; blobs: Array<[string, string]> }> => {
    const blobs = new MemoryBlobs();
    const message = blobs.putJson({ role: 'user', content: 'Summarise the README.' });
    const fixed: AdapterIntent[] = [1, 2, 3].map((index) => ({ ...llmIntent({ provider: 'mock', model: 'mock-model', message_refs: [message] }), intent_hash: hashAt({ h: `sha256:${String(index).repeat(64)}` }, 'h') }));
    const outcomes = await runAll(scripted(DEMO), blobs, fixed);
    return { payloads: outcomes.map(receiptOf), blobs: [...blobs.objects].map(([hash, bytes]) => [hash, Buffer.from(bytes).toString('hex')]) };
  };
  const first = await runOnce();
  const second = await runOnce();
  assert.deepEqual(second.payloads, first.payloads);
  assert.deepEqual(second.blobs.sort(), first.blobs.sort());
});

test('an intent executed again gets the reply it got the first time; the next intent gets the next reply', async () => {
  const blobs = new MemoryBlobs();
  const adapter = scripted(DEMO);
  const [one, two] = intents(blobs, 2);
  assert.ok(one !== undefined && two !== undefined);
  const first = await adapter.execute(one, llmContext(blobs));
  const again = await adapter.execute(one, llmContext(blobs));
  const next = await adapter.execute(two, llmContext(blobs));
  assert.deepEqual(receiptOf(again), receiptOf(first));
  assert.equal(envelopeOf(blobs, receiptOf(next))['assistant_text'], 'The README says hello.');
});

test('"match" picks replies by correlation_id, model and the last message', async () => {
  const path = script('match.json', JSON.stringify({
    replies: [
      { match: { correlation_id: 'turn-2' }, text: 'second turn' },
      { match: { last_message_contains: 'weather' }, text: 'sunny' },
      { match: { model: 'other-model' }, text: 'other' },
      { text: 'anything' },
    ],
  }));
  const adapter = scripted(path);
  const blobs = new MemoryBlobs();
  const weather = blobs.putJson({ role: 'user', content: 'How is the weather?' });
  const hello = blobs.putJson({ role: 'user', content: 'hello' });
  const answer = async (params: Record<string, unknown>): Promise<unknown> => envelopeOf(blobs, receiptOf(await adapter.execute(llmIntent(params), llmContext(blobs))))['assistant_text'];
  assert.equal(await answer({ provider: 'mock', model: 'mock-model', message_refs: [hello] }), 'anything');
  assert.equal(await answer({ provider: 'mock', model: 'mock-model', message_refs: [weather] }), 'sunny');
  assert.equal(await answer({ provider: 'mock', model: 'mock-model', message_refs: [hello], correlation_id: 'turn-2' }), 'second turn');
  assert.equal(await answer({ provider: 'mock', model: 'other-model', message_refs: [hello] }), 'other');
  const exhausted = await adapter.execute(llmIntent({ provider: 'mock', model: 'mock-model', message_refs: [hello] }), llmContext(blobs));
  assert.match(String(errorOf(blobs, receiptOf(exhausted))['message']), /no unused reply that matches model "mock-model" \(4 of 4 replies used\)/);
});

test('a delayed reply whose signal is aborted is a timeout', async () => {
  const adapter = scripted(script('slow.jsonl', '{"text": "slow", "delay_ms": 600000}\n'));
  const blobs = new MemoryBlobs();
  const [intent] = intents(blobs, 1);
  assert.ok(intent !== undefined);
  const controller = new AbortController();
  const running = adapter.execute(intent, llmContext(blobs, { signal: controller.signal }));
  controller.abort();
  const outcome = await running;
  assert.equal(outcome.status, 'timeout');
  assert.equal(receiptOf(outcome)['raw_output_ref'], null);
});

test('a bad script is refused when the adapter is built, naming the file and line', () => {
  const refused = (text: string, name: string, pattern: RegExp): void => {
    assert.throws(() => scripted(script(name, text)), (error: unknown) => error instanceof AdapterError && error.code === 'BAD_OPTION' && pattern.test(error.message));
  };
  refused('{"text": "ok"}\n{"txt": "typo"}\n', 'typo.jsonl', /typo\.jsonl:2: unknown field "txt"/);
  refused('{"text": "ok", "error": {"message": "x"}}\n', 'mixed.jsonl', /mixed\.jsonl:1: a reply is a success, an error or a timeout/);
  refused('{"text": \n', 'broken.jsonl', /broken\.jsonl:1: not valid JSON/);
  refused('{"error": {"code": "lower", "message": "x"}}', 'code.jsonl', /not UPPER_SNAKE/);
  refused('{"tool_calls": [{"name": "x"}]}', 'noid.jsonl', /needs an id and a name/);
  refused('{"replies": 3}', 'list.json', /a list of replies/);
  assert.throws(() => scripted(join(folder, 'missing.jsonl')), (error: unknown) => error instanceof AdapterError && /cannot be read/.test(error.message));
});
