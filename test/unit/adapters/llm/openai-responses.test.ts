// Goal: the openai-responses provider drives the real openai SDK's Responses API over HTTP:
// text and reasoning, function calls (call_id kept, item id as provider_call_id), usage with
// cached and reasoning tokens and the cost they give, HTTP errors, a failed response, an
// aborted slow reply; every receipt fits the schema and no byte written holds the key.
// Method: the loopback fake server answers /v1/responses from each test's queued replies.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { LlmAdapter } from '../../../../src/adapters/index.ts';
import type { AdapterOutcome } from '../../../../src/adapters/index.ts';
import { FakeLlmServer } from '../../../support/fake-llm-server.ts';
import { assertKeyNowhere, envelopeOf, errorOf, hashAt, llmContext, llmIntent, MemoryBlobs, receiptOf, TEST_KEY, toolCallsOf } from './llm-harness.ts';

let server: FakeLlmServer;
let adapter: LlmAdapter;
before(async () => {
  server = await FakeLlmServer.start();
  adapter = new LlmAdapter({
    id: 'llm.test',
    providers: { 'openai-responses': { kind: 'openai-responses', baseUrl: server.openAiBaseUrl, prices: { 'gpt-fake': { inputCentsPerMillionTokens: 0.5, outputCentsPerMillionTokens: 1.5 } } } },
  });
});
after(async () => {
  await server.close();
});

/** The params name the key by secret ref (alias@version), as a workflow would. */
async function generate(blobs: MemoryBlobs, runtime: Record<string, unknown> = {}, signal?: AbortSignal): Promise<AdapterOutcome> {
  const messages = [blobs.putJson([{ role: 'developer', content: 'Answer tersely.' }, { role: 'user', content: [{ type: 'input_text', text: 'What is 2+2?' }] }])];
  const params = { provider: 'openai-responses', model: 'gpt-fake', message_refs: messages, runtime, api_key: { secret: { alias: 'llm/openai_api', version: 1 } } };
  return adapter.execute(llmIntent(params), llmContext(blobs, { secrets: { 'llm/openai_api@1': TEST_KEY }, ...(signal === undefined ? {} : { signal }) }));
}

test('text with reasoning: envelope, reasoning blob, usage details, cost, and the request body', async () => {
  const blobs = new MemoryBlobs();
  server.reply({ kind: 'text', text: '4', reasoning: 'Two plus two.', usage: { prompt: 2_000_000, completion: 1_000_000, cacheRead: 1_000_000, reasoning: 400_000 }, id: 'resp_1' });
  const outcome = await generate(blobs, { max_tokens: 256, temperature: '0.2', reasoning_effort: 'low', metadata: { run: 'r-1' } });
  assert.equal(outcome.status, 'ok');
  const receipt = receiptOf(outcome);
  const envelope = envelopeOf(blobs, receipt);
  assert.equal(envelope['assistant_text'], '4');
  assert.equal(blobs.text(hashAt(envelope, 'reasoning_ref')), 'Two plus two.');
  assert.equal(receipt['provider_response_id'], 'resp_1');
  assert.deepEqual(receipt['finish_reason'], { reason: 'stop', raw: 'completed' });
  assert.deepEqual(receipt['usage_details'], { reasoning_tokens: 400_000, cache_read_tokens: 1_000_000, cache_write_tokens: null });
  // 2M × 0.5 + 1M × 1.5 = 2.5 cents, rounded up to 3.
  assert.equal(outcome.cost_cents, 3);
  assert.equal(blobs.text(hashAt(receipt, 'raw_output_ref')), server.responses.at(-1));
  const sent = server.requests.at(-1);
  assert.equal(sent?.path, '/v1/responses');
  assert.equal(sent?.headers.authorization, `Bearer ${TEST_KEY}`);
  assert.deepEqual(sent?.body, {
    model: 'gpt-fake',
    input: [{ type: 'message', role: 'developer', content: 'Answer tersely.' }, { type: 'message', role: 'user', content: 'What is 2+2?' }],
    temperature: 0.2, max_output_tokens: 256, metadata: { run: 'r-1' }, reasoning: { effort: 'low' },
  });
  assertKeyNowhere(blobs, [outcome]);
});

test('function calls keep call_id and arguments; the item id becomes provider_call_id; a follow-up sends items', async () => {
  const blobs = new MemoryBlobs();
  server.reply({ kind: 'tool_calls', calls: [{ id: 'call_r1', name: 'shell', arguments: '{"argv":["ls","-la"]}' }], usage: { prompt: 5, completion: 6 } });
  const tools = blobs.putJson([{ name: 'shell', description: 'Run a command', parameters: { type: 'object', properties: { argv: { type: 'array' } } } }]);
  const outcome = await generate(blobs, { tool_refs: [tools], tool_choice: 'Required' });
  const receipt = receiptOf(outcome);
  assert.deepEqual(receipt['finish_reason'], { reason: 'tool_calls', raw: 'completed' });
  const calls = toolCallsOf(blobs, envelopeOf(blobs, receipt));
  assert.deepEqual(calls, [{ call_id: 'call_r1', tool_name: 'shell', arguments_ref: calls[0]?.['arguments_ref'], provider_call_id: 'fc_fake_0', arguments: '{"argv":["ls","-la"]}' }]);
  const sent = server.requests.at(-1)?.body;
  assert.deepEqual(sent?.['tools'], [{ type: 'function', name: 'shell', description: 'Run a command', parameters: { type: 'object', properties: { argv: { type: 'array' } } }, strict: false }]);
  assert.equal(sent?.['tool_choice'], 'required');

  server.reply({ kind: 'text', text: 'listed' });
  const followUp = [
    blobs.putJson({ role: 'user', content: 'list files' }),
    blobs.putJson({ type: 'function_call', call_id: 'call_r1', name: 'shell', arguments: '{"argv":["ls","-la"]}' }),
    blobs.putJson({ type: 'function_call_output', call_id: 'call_r1', output: { exit_code: 0, stdout: 'a\nb' } }),
  ];
  const second = await adapter.execute(llmIntent({ provider: 'openai-responses', model: 'gpt-fake', message_refs: followUp }), llmContext(blobs));
  assert.equal(second.status, 'ok');
  assert.deepEqual(server.requests.at(-1)?.body?.['input'], [
    { type: 'message', role: 'user', content: 'list files' },
    { type: 'function_call', call_id: 'call_r1', name: 'shell', arguments: '{"argv":["ls","-la"]}' },
    { type: 'function_call_output', call_id: 'call_r1', output: '{"exit_code":0,"stdout":"a\\nb"}' },
  ]);
  assertKeyNowhere(blobs, [outcome, second]);
});

test('a failed response, a 503 and a 429 are error receipts; stop sequences are dropped with a warning', async () => {
  const blobs = new MemoryBlobs();
  server.reply({ kind: 'raw', status: 200, body: JSON.stringify({ id: 'resp_f', status: 'failed', error: { code: 'server_error', message: 'model crashed' }, output: [] }) });
  const failed = await generate(blobs, { stop_sequences: ['END'] });
  assert.equal(failed.status, 'error');
  const failedReceipt = receiptOf(failed);
  assert.equal(errorOf(blobs, failedReceipt)['code'], 'PROVIDER_FAILED');
  assert.match(String(errorOf(blobs, failedReceipt)['message']), /failed.*server_error model crashed/);
  assert.deepEqual(JSON.parse(blobs.text(hashAt(failedReceipt, 'warnings_ref'))).map((warning: { code: string }) => warning.code), ['STOP_NOT_SENT']);

  server.reply({ kind: 'http_error', status: 503, message: 'overloaded' });
  const unavailable = await generate(blobs);
  assert.deepEqual([unavailable.status, errorOf(blobs, receiptOf(unavailable))['code']], ['error', 'PROVIDER_ERROR']);
  server.reply({ kind: 'http_error', status: 429, message: 'slow down', headers: { 'retry-after-ms': '1500' } });
  const limited = await generate(blobs);
  const error = errorOf(blobs, receiptOf(limited));
  assert.deepEqual([error['code'], error['retry_after_ms']], ['RATE_LIMITED', 1500]);
  assertKeyNowhere(blobs, [failed, unavailable, limited]);
});

test('an aborted slow reply is a timeout receipt', async () => {
  const blobs = new MemoryBlobs();
  server.reply({ kind: 'text', text: 'late', delayMs: 60_000 });
  const controller = new AbortController();
  const arrived = server.nextRequest();
  const running = generate(blobs, {}, controller.signal);
  await arrived;
  controller.abort();
  const outcome = await running;
  assert.equal(outcome.status, 'timeout');
  assert.equal(errorOf(blobs, receiptOf(outcome))['code'], 'TIMEOUT');
});

test('an unresolvable secret settles as SECRET_UNAVAILABLE before any request is sent', async () => {
  const blobs = new MemoryBlobs();
  const before = server.requests.length;
  const message = blobs.putJson({ role: 'user', content: 'hi' });
  const intent = llmIntent({ provider: 'openai-responses', model: 'gpt-fake', message_refs: [message], api_key: { secret: { alias: 'llm/other', version: 2 } } });
  const outcome = await adapter.execute(intent, llmContext(blobs));
  assert.equal(outcome.status, 'error');
  const error = errorOf(blobs, receiptOf(outcome));
  assert.equal(error['code'], 'SECRET_UNAVAILABLE');
  assert.match(String(error['message']), /"llm\/other@2"/);
  assert.equal(server.requests.length, before);
});
