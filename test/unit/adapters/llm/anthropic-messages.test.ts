// Goal: the anthropic provider drives the real Anthropic SDK over HTTP: the key only in the
// Authorization header, system text at the top level, tool results as user tool_result blocks
// (is_error kept), max_tokens defaulted, tool_use input kept exact (a 20-digit integer
// survives), cache tokens counted and priced, 429/529/400 errors and an aborted slow reply
// settled as receipts that fit the schema, and no key anywhere in what was written.
// Method: the loopback fake server answers /v1/messages from each test's queued replies.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { LlmAdapter } from '../../../../src/adapters/index.ts';
import type { AdapterOutcome } from '../../../../src/adapters/index.ts';
import { FakeLlmServer } from '../../../support/fake-llm-server.ts';
import { assertKeyNowhere, envelopeOf, errorOf, hashAt, llmContext, llmIntent, MemoryBlobs, receiptOf, TEST_KEY, TEST_KEY_SECRET, toolCallsOf } from './llm-harness.ts';

let server: FakeLlmServer;
let adapter: LlmAdapter;
before(async () => {
  server = await FakeLlmServer.start();
  adapter = new LlmAdapter({
    providers: {
      anthropic: {
        kind: 'anthropic', baseUrl: server.anthropicBaseUrl, apiKeySecret: TEST_KEY_SECRET,
        prices: { 'claude-fake': { inputCentsPerMillionTokens: 300, outputCentsPerMillionTokens: 1500, cacheReadCentsPerMillionTokens: 30, cacheWriteCentsPerMillionTokens: 375 } },
      },
    },
  });
});
after(async () => {
  await server.close();
});

async function generate(blobs: MemoryBlobs, messages: unknown[], runtime: Record<string, unknown> = {}, signal?: AbortSignal): Promise<AdapterOutcome> {
  const refs = messages.map((message) => blobs.putJson(message));
  return adapter.execute(llmIntent({ provider: 'anthropic', model: 'claude-fake', message_refs: refs, runtime }), llmContext(blobs, signal === undefined ? {} : { signal }));
}

test('a text reply with thinking: envelope, usage with cache tokens, cost, and what the SDK sent', async () => {
  const blobs = new MemoryBlobs();
  server.reply({ kind: 'text', text: 'Bonjour.', reasoning: 'French greeting.', usage: { prompt: 1_000_000, completion: 200_000, cacheRead: 2_000_000, cacheWrite: 400_000 }, id: 'msg_1' });
  const outcome = await generate(blobs, [{ role: 'system', content: 'You speak French.' }, 'Say hello.'], { temperature: '0.5', metadata: { user_id: 'u-1', team: 'x' } });
  assert.equal(outcome.status, 'ok');
  const receipt = receiptOf(outcome);
  const envelope = envelopeOf(blobs, receipt);
  assert.equal(envelope['assistant_text'], 'Bonjour.');
  assert.equal(blobs.text(hashAt(envelope, 'reasoning_ref')), 'French greeting.');
  assert.equal(receipt['provider_response_id'], 'msg_1');
  assert.deepEqual(receipt['finish_reason'], { reason: 'stop', raw: 'end_turn' });
  assert.deepEqual(receipt['token_usage'], { prompt: 3_400_000, completion: 200_000, total: 3_600_000 });
  assert.deepEqual(receipt['usage_details'], { reasoning_tokens: null, cache_read_tokens: 2_000_000, cache_write_tokens: 400_000 });
  // 1M × 300 + 2M × 30 + 0.4M × 375 + 0.2M × 1500 = 300 + 60 + 150 + 300.
  assert.equal(outcome.cost_cents, 810);
  assert.deepEqual(outcome.usage, { prompt_tokens: 3_400_000, completion_tokens: 200_000 });
  assert.equal(blobs.text(hashAt(receipt, 'raw_output_ref')), server.responses.at(-1));
  const sent = server.requests.at(-1);
  assert.equal(sent?.path, '/v1/messages');
  // @anthropic-ai/sdk 1.x sends an API key as a bearer token (0.x used x-api-key).
  assert.equal(sent?.headers.authorization, `Bearer ${TEST_KEY}`);
  assert.ok(!sent?.bodyText.includes(TEST_KEY));
  assert.deepEqual(sent?.body, {
    model: 'claude-fake', max_tokens: 4096, system: 'You speak French.', temperature: 0.5, metadata: { user_id: 'u-1' },
    messages: [{ role: 'user', content: [{ type: 'text', text: 'Say hello.' }] }],
  });
  assert.deepEqual(JSON.parse(blobs.text(hashAt(receipt, 'warnings_ref'))).map((warning: { code: string }) => warning.code), ['METADATA_NOT_SENT']);
  assertKeyNowhere(blobs, [outcome]);
});

test('tool_use input is kept exactly, even an integer beyond 2^53; tool results go back as user tool_result blocks', async () => {
  const blobs = new MemoryBlobs();
  server.reply({ kind: 'tool_calls', text: 'Checking.', calls: [{ id: 'toolu_01', name: 'read_file', arguments: '{"path":"a.txt","offset_bytes":12345678901234567890,"ratio":0.25}' }], usage: { prompt: 9, completion: 3 } });
  const tools = blobs.putJson({ tools: [{ name: 'read_file', description: 'Read', input_schema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] } }], tool_choice: 'any' });
  const outcome = await generate(blobs, [{ role: 'user', content: 'Read a.txt' }], { tool_refs: [tools], max_tokens: 100 });
  const receipt = receiptOf(outcome);
  assert.deepEqual(receipt['finish_reason'], { reason: 'tool_calls', raw: 'tool_use' });
  const calls = toolCallsOf(blobs, envelopeOf(blobs, receipt));
  assert.deepEqual(calls.map((call) => [call['call_id'], call['tool_name'], call['arguments']]), [['toolu_01', 'read_file', '{"path":"a.txt","offset_bytes":12345678901234567890,"ratio":0.25}']]);
  const sent = server.requests.at(-1)?.body;
  assert.equal(sent?.['max_tokens'], 100);
  assert.deepEqual(sent?.['tools'], [{ name: 'read_file', description: 'Read', input_schema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] } }]);
  assert.deepEqual(sent?.['tool_choice'], { type: 'any' });

  server.reply({ kind: 'text', text: 'It says hi.' });
  const followUp = await generate(blobs, [
    { role: 'user', content: 'Read a.txt' },
    { role: 'assistant', content: 'Checking.', tool_calls: [{ id: 'toolu_01', name: 'read_file', arguments: '{"path":"a.txt"}' }] },
    { type: 'function_call_output', call_id: 'toolu_01', output: 'permission denied', is_error: true },
    { role: 'user', content: 'Try again?' },
  ]);
  assert.equal(followUp.status, 'ok');
  assert.deepEqual(server.requests.at(-1)?.body?.['messages'], [
    { role: 'user', content: [{ type: 'text', text: 'Read a.txt' }] },
    { role: 'assistant', content: [{ type: 'text', text: 'Checking.' }, { type: 'tool_use', id: 'toolu_01', name: 'read_file', input: { path: 'a.txt' } }] },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01', content: 'permission denied', is_error: true }, { type: 'text', text: 'Try again?' }] },
  ]);
  assertKeyNowhere(blobs, [outcome, followUp]);
});

test('429, 529 and 400 are error receipts with the provider error type and request id', async () => {
  const blobs = new MemoryBlobs();
  server.reply({ kind: 'http_error', status: 429, message: 'Number of requests exceeded', type: 'rate_limit_error', headers: { 'retry-after': '7', 'anthropic-ratelimit-requests-remaining': '0', 'request-id': 'req_a1' } });
  const limited = await generate(blobs, ['hi']);
  const limitedReceipt = receiptOf(limited);
  assert.deepEqual(errorOf(blobs, limitedReceipt), {
    code: 'RATE_LIMITED', message: 'the provider answered HTTP 429 {"type":"error","error":{"type":"rate_limit_error","message":"Number of requests exceeded"}}',
    retryable: true, http_status: 429, retry_after_ms: 7000, provider_error_type: 'rate_limit_error', request_id: 'req_a1',
  });
  assert.deepEqual(JSON.parse(blobs.text(hashAt(limitedReceipt, 'rate_limit_ref'))), { 'anthropic-ratelimit-requests-remaining': '0', 'retry-after': '7' });
  server.reply({ kind: 'http_error', status: 529, message: 'Overloaded', type: 'overloaded_error' });
  const overloaded = await generate(blobs, ['hi']);
  assert.deepEqual([overloaded.status, errorOf(blobs, receiptOf(overloaded))['code'], errorOf(blobs, receiptOf(overloaded))['retryable']], ['error', 'PROVIDER_ERROR', true]);
  server.reply({ kind: 'http_error', status: 400, message: 'messages: roles must alternate', type: 'invalid_request_error' });
  const invalid = await generate(blobs, ['hi']);
  assert.deepEqual([errorOf(blobs, receiptOf(invalid))['code'], errorOf(blobs, receiptOf(invalid))['retryable']], ['BAD_REQUEST', false]);
  assertKeyNowhere(blobs, [limited, overloaded, invalid]);
});

test('an aborted slow reply is a timeout receipt', async () => {
  const blobs = new MemoryBlobs();
  server.reply({ kind: 'text', text: 'late', delayMs: 60_000 });
  const controller = new AbortController();
  const arrived = server.nextRequest();
  const running = generate(blobs, ['hi'], {}, controller.signal);
  await arrived;
  controller.abort();
  const outcome = await running;
  assert.equal(outcome.status, 'timeout');
  assert.equal(errorOf(blobs, receiptOf(outcome))['code'], 'TIMEOUT');
});

test('anthropic without a key, and tool arguments that are not an object, are refused before any request', async () => {
  const blobs = new MemoryBlobs();
  const before = server.requests.length;
  const keyless = new LlmAdapter({ providers: { anthropic: { kind: 'anthropic', baseUrl: server.anthropicBaseUrl } } });
  const message = blobs.putJson({ role: 'user', content: 'hi' });
  const noKey = await keyless.execute(llmIntent({ provider: 'anthropic', model: 'claude-fake', message_refs: [message] }), llmContext(blobs));
  assert.equal(errorOf(blobs, receiptOf(noKey))['code'], 'NO_API_KEY');
  const badArgs = await generate(blobs, [{ role: 'assistant', tool_calls: [{ id: 't1', name: 'x', arguments: '[1,2]' }] }]);
  assert.equal(errorOf(blobs, receiptOf(badArgs))['code'], 'UNSUPPORTED');
  assert.equal(server.requests.length, before);
});
