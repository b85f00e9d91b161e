// Goal: the openai-chat provider drives the real openai SDK over HTTP and turns every answer
// (text, tool calls, a stream, HTTP errors, a malformed body, a slow reply that is aborted, a
// refused connection) into a receipt that fits sys/LlmGenerateReceipt@1, keeps tool call ids
// and arguments exactly, reports usage and cost, and never writes the API key anywhere.
// Method: a loopback fake server speaks /v1/chat/completions; each test queues its replies,
// runs the adapter, checks the receipt and the blobs, and reads back what the SDK sent.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { LlmAdapter } from '../../../../src/adapters/index.ts';
import type { AdapterOutcome, OpenAiChatOptions } from '../../../../src/adapters/index.ts';
import { hashBytes } from '../../../../src/cbor/index.ts';
import { FakeLlmServer } from '../../../support/fake-llm-server.ts';
import { assertKeyNowhere, envelopeOf, errorOf, hashAt, llmContext, llmIntent, MemoryBlobs, receiptOf, TEST_KEY, TEST_KEY_SECRET, toolCallsOf } from './llm-harness.ts';

let server: FakeLlmServer;
before(async () => {
  server = await FakeLlmServer.start();
});
after(async () => {
  await server.close();
});

const PRICES = { 'fake-gpt': { inputCentsPerMillionTokens: 250, outputCentsPerMillionTokens: 1000, cacheReadCentsPerMillionTokens: 125 } };

function adapter(options: Partial<OpenAiChatOptions> = {}): LlmAdapter {
  return new LlmAdapter({ providers: { local: { kind: 'openai-chat', baseUrl: server.openAiBaseUrl, apiKeySecret: TEST_KEY_SECRET, prices: PRICES, ...options } } });
}

async function generate(llm: LlmAdapter, blobs: MemoryBlobs, extra: Record<string, unknown> = {}, signal?: AbortSignal): Promise<AdapterOutcome> {
  const message = blobs.putJson({ role: 'user', content: 'Say hello.' });
  const params = { provider: 'local', model: 'fake-gpt', message_refs: [message], runtime: { max_tokens: 64 }, ...extra };
  return llm.execute(llmIntent(params), llmContext(blobs, signal === undefined ? {} : { signal }));
}

test('a text reply: assistant text, exact raw bytes, usage and cost; the key went only into the Authorization header', async () => {
  const blobs = new MemoryBlobs();
  server.reply({ kind: 'text', text: 'Hello there.', usage: { prompt: 1_200_000, completion: 300_000, cacheRead: 200_000 }, id: 'chatcmpl-1' });
  const outcome = await generate(adapter(), blobs);
  const receipt = receiptOf(outcome);
  assert.equal(outcome.status, 'ok');
  assert.deepEqual(envelopeOf(blobs, receipt), { assistant_text: 'Hello there.' });
  assert.equal(blobs.text(hashAt(receipt, 'raw_output_ref')), server.responses.at(-1));
  assert.equal(receipt['provider_response_id'], 'chatcmpl-1');
  assert.deepEqual(receipt['finish_reason'], { reason: 'stop', raw: 'stop' });
  assert.deepEqual(receipt['token_usage'], { prompt: 1_200_000, completion: 300_000, total: 1_500_000 });
  assert.deepEqual(receipt['usage_details'], { reasoning_tokens: 0, cache_read_tokens: 200_000, cache_write_tokens: null });
  // 1.0M uncached × 250 + 0.2M cached × 125 + 0.3M × 1000 = 250 + 25 + 300 cents.
  assert.equal(receipt['cost_cents'], 575);
  assert.equal(outcome.cost_cents, 575);
  assert.deepEqual(outcome.usage, { prompt_tokens: 1_200_000, completion_tokens: 300_000 });
  assert.equal(receipt['provider_id'], 'local');
  const sent = server.requests.at(-1);
  assert.ok(sent !== undefined);
  assert.equal(sent.path, '/v1/chat/completions');
  assert.equal(sent.headers.authorization, `Bearer ${TEST_KEY}`);
  assert.ok(!sent.bodyText.includes(TEST_KEY));
  assert.equal(sent.body?.['model'], 'fake-gpt');
  assert.equal(sent.body?.['max_tokens'], 64);
  assert.deepEqual(sent.body?.['messages'], [{ role: 'user', content: 'Say hello.' }]);
  assertKeyNowhere(blobs, [outcome]);
});

test('a tool-call reply keeps call ids and argument bytes exactly; tools and tool_choice are sent', async () => {
  const blobs = new MemoryBlobs();
  const args = '{"path": "notes/a.txt",  "limit":12345678901234567890, "opts":{ }}';
  server.reply({ kind: 'tool_calls', calls: [{ id: 'call_abc', name: 'read_file', arguments: args }, { id: 'call_def', name: 'list_dir', arguments: '{}' }], usage: { prompt: 10, completion: 5 } });
  const tools = blobs.putJson({ tools: [{ name: 'read_file', description: 'Read a file', parameters: { type: 'object', properties: { path: { type: 'string' } } } }, { type: 'function', function: { name: 'list_dir' } }] });
  const outcome = await generate(adapter(), blobs, { runtime: { max_tokens: 64, tool_refs: [tools], tool_choice: { Tool: { name: 'read_file' } } } });
  const receipt = receiptOf(outcome);
  assert.equal(outcome.status, 'ok');
  const envelope = envelopeOf(blobs, receipt);
  assert.equal(envelope['assistant_text'], undefined);
  const calls = toolCallsOf(blobs, envelope);
  assert.deepEqual(calls.map((call) => [call['call_id'], call['tool_name'], call['arguments']]), [['call_abc', 'read_file', args], ['call_def', 'list_dir', '{}']]);
  assert.deepEqual(receipt['finish_reason'], { reason: 'tool_calls', raw: 'tool_calls' });
  const sent = server.requests.at(-1)?.body;
  assert.deepEqual(sent?.['tools'], [
    { type: 'function', function: { name: 'read_file', description: 'Read a file', parameters: { type: 'object', properties: { path: { type: 'string' } } } } },
    { type: 'function', function: { name: 'list_dir', description: '', parameters: { type: 'object', properties: {} } } },
  ]);
  assert.deepEqual(sent?.['tool_choice'], { type: 'function', function: { name: 'read_file' } });
  assertKeyNowhere(blobs, [outcome]);
});

test('a follow-up turn sends the assistant tool calls and the tool results in Chat Completions shape', async () => {
  const blobs = new MemoryBlobs();
  server.reply({ kind: 'text', text: 'Done.' });
  const messages = [
    blobs.putJson([{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Read a.txt' }]),
    blobs.putJson({ role: 'assistant', tool_calls: [{ id: 'call_1', name: 'read_file', arguments: '{"path":"a.txt"}' }] }),
    blobs.putJson({ type: 'function_call_output', call_id: 'call_1', output: 'hello', is_error: false }),
  ];
  const outcome = await adapter().execute(llmIntent({ provider: 'local', model: 'fake-gpt', message_refs: messages }), llmContext(blobs));
  assert.equal(outcome.status, 'ok');
  assert.deepEqual(server.requests.at(-1)?.body?.['messages'], [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'Read a.txt' },
    { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'read_file', arguments: '{"path":"a.txt"}' } }] },
    { role: 'tool', tool_call_id: 'call_1', content: 'hello' },
  ]);
  const receipt = receiptOf(outcome);
  assert.equal(receipt['usage_details'], null);
  assert.equal(receipt['cost_cents'], null, 'no usage reported, so no cost');
  assert.deepEqual(JSON.parse(blobs.text(hashAt(receipt, 'warnings_ref'))), [{ code: 'USAGE_MISSING', message: 'the provider reported no token usage; token_usage is 0 and no cost is charged' }]);
});

test('a streamed reply (stream: true) is assembled from SSE: text, tool calls and usage; the raw output is the SSE text', async () => {
  const blobs = new MemoryBlobs();
  server.reply({ kind: 'tool_calls', text: 'Let me look.', calls: [{ id: 'call_s1', name: 'grep', arguments: '{"pattern": "TODO"}' }], usage: { prompt: 40, completion: 12 }, id: 'chatcmpl-s' });
  const outcome = await generate(adapter({ stream: true }), blobs);
  const receipt = receiptOf(outcome);
  assert.equal(outcome.status, 'ok');
  const envelope = envelopeOf(blobs, receipt);
  assert.equal(envelope['assistant_text'], 'Let me look.');
  assert.deepEqual(toolCallsOf(blobs, envelope).map((call) => [call['call_id'], call['arguments']]), [['call_s1', '{"pattern": "TODO"}']]);
  assert.deepEqual(receipt['token_usage'], { prompt: 40, completion: 12, total: 52 });
  assert.equal(receipt['provider_response_id'], 'chatcmpl-s');
  const raw = blobs.text(hashAt(receipt, 'raw_output_ref'));
  assert.equal(raw, server.responses.at(-1));
  assert.ok(raw.startsWith('data: {') && raw.endsWith('data: [DONE]\n\n'));
  const sent = server.requests.at(-1)?.body;
  assert.equal(sent?.['stream'], true);
  assert.deepEqual(sent?.['stream_options'], { include_usage: true });
  assertKeyNowhere(blobs, [outcome]);
});

test('a streamed request answered 429 is an error receipt too', async () => {
  const blobs = new MemoryBlobs();
  server.reply({ kind: 'http_error', status: 429, message: 'Too many streams', headers: { 'retry-after': '1' } });
  const outcome = await generate(adapter({ stream: true }), blobs);
  assert.equal(outcome.status, 'error');
  const error = errorOf(blobs, receiptOf(outcome));
  assert.deepEqual([error['code'], error['retry_after_ms']], ['RATE_LIMITED', 1000]);
  assertKeyNowhere(blobs, [outcome]);
});

test('HTTP 500 and 429 settle as error receipts with codes, retry hints and rate-limit headers', async () => {
  const blobs = new MemoryBlobs();
  server.reply({ kind: 'http_error', status: 500, message: 'The server had an error' });
  const failed = await generate(adapter(), blobs);
  assert.equal(failed.status, 'error');
  const failedReceipt = receiptOf(failed);
  const serverError = errorOf(blobs, failedReceipt);
  assert.equal(serverError['code'], 'PROVIDER_ERROR');
  assert.equal(serverError['retryable'], true);
  assert.equal(serverError['http_status'], 500);
  assert.match(String(serverError['message']), /500 The server had an error/);
  assert.deepEqual(failedReceipt['finish_reason'], { reason: 'error', raw: 'PROVIDER_ERROR' });
  assert.deepEqual(failedReceipt['token_usage'], { prompt: 0, completion: 0, total: 0 });
  assert.equal(blobs.text(hashAt(failedReceipt, 'raw_output_ref')), server.responses.at(-1));

  server.reply({ kind: 'http_error', status: 429, message: 'Rate limit reached', type: 'rate_limit_exceeded', headers: { 'retry-after': '2', 'x-ratelimit-remaining-requests': '0', 'x-request-id': 'req_42' } });
  const limited = await generate(adapter(), blobs);
  assert.equal(limited.status, 'error');
  const limitedReceipt = receiptOf(limited);
  assert.deepEqual(errorOf(blobs, limitedReceipt), {
    code: 'RATE_LIMITED', message: 'the provider answered HTTP 429 Rate limit reached', retryable: true, http_status: 429,
    retry_after_ms: 2000, provider_error_type: 'rate_limit_exceeded', request_id: 'req_42',
  });
  assert.deepEqual(JSON.parse(blobs.text(hashAt(limitedReceipt, 'rate_limit_ref'))), { 'retry-after': '2', 'x-ratelimit-remaining-requests': '0' });
  assert.equal(limited.cost_cents, undefined);
  assertKeyNowhere(blobs, [failed, limited]);
});

test('a slow reply whose signal is aborted settles as a timeout', async () => {
  const blobs = new MemoryBlobs();
  server.reply({ kind: 'text', text: 'too late', delayMs: 60_000 });
  const controller = new AbortController();
  const arrived = server.nextRequest();
  const running = generate(adapter(), blobs, {}, controller.signal);
  await arrived;
  controller.abort();
  const outcome = await running;
  assert.equal(outcome.status, 'timeout');
  const receipt = receiptOf(outcome);
  assert.equal(errorOf(blobs, receipt)['code'], 'TIMEOUT');
  assert.deepEqual(receipt['finish_reason'], { reason: 'timeout', raw: 'TIMEOUT' });
  assert.equal(receipt['raw_output_ref'], null);
});

test('a key the provider echoes back in an error body is redacted from every blob', async () => {
  const blobs = new MemoryBlobs();
  server.reply({ kind: 'http_error', status: 401, message: `Incorrect API key provided: ${TEST_KEY}.`, type: 'invalid_api_key' });
  const outcome = await generate(adapter(), blobs);
  const receipt = receiptOf(outcome);
  const error = errorOf(blobs, receipt);
  assert.equal(error['code'], 'AUTH_FAILED');
  assert.match(String(error['message']), /Incorrect API key provided: \[redacted\]\./);
  assert.match(blobs.text(hashAt(receipt, 'raw_output_ref')), /\[redacted\]/);
  assert.ok(server.responses.at(-1)?.includes(TEST_KEY), 'the server did send the key');
  assertKeyNowhere(blobs, [outcome]);
});

test('a malformed 2xx body and a refused connection are error receipts', async () => {
  const blobs = new MemoryBlobs();
  server.reply({ kind: 'raw', status: 200, body: '{"id": "x", "choices": []}' });
  const empty = await generate(adapter(), blobs);
  assert.equal(empty.status, 'error');
  assert.equal(errorOf(blobs, receiptOf(empty))['code'], 'MALFORMED_RESPONSE');
  server.reply({ kind: 'raw', status: 200, body: 'not json at all', contentType: 'text/plain' });
  const text = await generate(adapter(), blobs);
  assert.equal(errorOf(blobs, receiptOf(text))['code'], 'MALFORMED_RESPONSE');

  const closed = await FakeLlmServer.start();
  const baseUrl = closed.openAiBaseUrl;
  await closed.close();
  const refused = await generate(adapter({ baseUrl }), blobs);
  assert.equal(refused.status, 'error');
  const error = errorOf(blobs, receiptOf(refused));
  assert.equal(error['code'], 'NETWORK_FAILED');
  assert.equal(error['retryable'], true);
  assertKeyNowhere(blobs, [empty, text, refused]);
});

test('without a key secret the request goes out with no Authorization header (local servers)', async () => {
  const blobs = new MemoryBlobs();
  server.reply({ kind: 'text', text: 'local' });
  const keyless = new LlmAdapter({ providers: { local: { kind: 'openai-chat', baseUrl: server.openAiBaseUrl, maxTokensField: 'max_completion_tokens' } } });
  const outcome = await generate(keyless, blobs);
  assert.equal(outcome.status, 'ok');
  const sent = server.requests.at(-1);
  assert.equal(sent?.headers.authorization, undefined);
  assert.equal(sent?.body?.['max_completion_tokens'], 64);
  assert.equal(sent?.body?.['max_tokens'], undefined);
});

test('the same answer gives the same blobs and payload hashes', async () => {
  const run = async (): Promise<string> => {
    const blobs = new MemoryBlobs();
    server.reply({ kind: 'tool_calls', calls: [{ id: 'call_x', name: 'stat', arguments: '{"path":"."}' }], usage: { prompt: 3, completion: 4 }, id: 'same' });
    const outcome = await generate(adapter(), blobs);
    return hashBytes(new TextEncoder().encode(JSON.stringify(receiptOf(outcome))));
  };
  assert.equal(await run(), await run());
});
