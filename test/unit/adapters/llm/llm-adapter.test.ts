// Goal: whatever is wrong with an intent (an unknown provider, a literal key, no key, a
// missing or unreadable blob, a bad tool blob, an already-aborted signal), the LLM adapter
// settles it with a receipt that fits sys/LlmGenerateReceipt@1 and names the problem with a
// stable code; and its options are checked when it is built.
// Method: a scripted adapter (no network) and an anthropic one pointed at a port nothing
// listens on (every case here must fail before a request is made).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdapterError, LlmAdapter } from '../../../../src/adapters/index.ts';
import type { LlmAdapterOptions } from '../../../../src/adapters/index.ts';
import { hashBytes } from '../../../../src/cbor/index.ts';
import { errorOf, llmContext, llmIntent, MemoryBlobs, receiptOf, TEST_KEY_SECRET } from './llm-harness.ts';

const scriptPath = join(mkdtempSync(join(tmpdir(), 'aos-llm-adapter-')), 'one.jsonl');
writeFileSync(scriptPath, '{"text": "ok"}\n');
const adapter = new LlmAdapter({
  id: 'llm.unit',
  providers: { mock: { kind: 'scripted', scriptPath }, claude: { kind: 'anthropic', baseUrl: 'http://127.0.0.1:9', apiKeySecret: TEST_KEY_SECRET } },
});

async function failure(params: Record<string, unknown>, blobs = new MemoryBlobs(), signal?: AbortSignal): Promise<Record<string, unknown>> {
  const outcome = await adapter.execute(llmIntent(params), llmContext(blobs, signal === undefined ? {} : { signal }));
  assert.notEqual(outcome.status, 'ok');
  const receipt = receiptOf(outcome);
  assert.deepEqual(receipt['token_usage'], { prompt: 0, completion: 0, total: 0 });
  return { status: outcome.status, provider_id: receipt['provider_id'], ...errorOf(blobs, receipt) };
}

test('the adapter names itself and its effect', () => {
  assert.equal(adapter.id, 'llm.unit');
  assert.deepEqual(adapter.kinds, ['sys/llm.generate@1']);
});

test('an unknown provider, a literal key and a missing message blob are error receipts', async () => {
  const blobs = new MemoryBlobs();
  const message = blobs.putJson({ role: 'user', content: 'hi' });
  const unknown = await failure({ provider: 'gpt', model: 'm', message_refs: [message] }, blobs);
  assert.deepEqual([unknown['code'], unknown['provider_id']], ['UNKNOWN_PROVIDER', 'gpt']);
  assert.match(String(unknown['message']), /provider "gpt" is not configured in adapter llm\.unit; it has "mock", "claude"/);
  const literal = await failure({ provider: 'claude', model: 'm', message_refs: [message], api_key: { literal: 'sk-literal-key-in-journal' } }, blobs);
  assert.equal(literal['code'], 'LITERAL_API_KEY');
  assert.ok(![...blobs.objects.values()].some((bytes) => Buffer.from(bytes).includes('sk-literal-key-in-journal')));
  const missing = hashBytes(new TextEncoder().encode('never stored'));
  const absent = await failure({ provider: 'claude', model: 'm', message_refs: [missing] }, blobs);
  assert.equal(absent['code'], 'BLOB_MISSING');
  assert.match(String(absent['message']), new RegExp(`message \\(message_refs\\[0\\]\\) blob ${missing}`));
  const none = await failure({ provider: 'claude', model: 'm', message_refs: [] }, blobs);
  assert.equal(none['code'], 'BAD_MESSAGE');
});

test('unreadable message and tool blobs are BAD_MESSAGE and BAD_TOOL', async () => {
  const blobs = new MemoryBlobs();
  const binary = blobs.put(Uint8Array.from([0xff, 0xfe, 0x00]));
  assert.equal((await failure({ provider: 'claude', model: 'm', message_refs: [binary] }, blobs))['code'], 'BAD_MESSAGE');
  const noId = blobs.putJson({ role: 'assistant', tool_calls: [{ name: 'x', arguments: '{}' }] });
  const idless = await failure({ provider: 'claude', model: 'm', message_refs: [noId] }, blobs);
  assert.match(String(idless['message']), /the tool call at \$\.tool_calls\[0\] has no id/);
  const message = blobs.putJson({ role: 'user', content: 'hi' });
  const duplicate = blobs.putJson([{ name: 'a' }, { name: 'a' }]);
  const tools = await failure({ provider: 'claude', model: 'm', message_refs: [message], runtime: { tool_refs: [duplicate] } }, blobs);
  assert.deepEqual([tools['code'], /"a" is given twice/.test(String(tools['message']))], ['BAD_TOOL', true]);
  const badOptions = blobs.putJson({ anthropic: [1] });
  const options = await failure({ provider: 'claude', model: 'm', message_refs: [message], runtime: { provider_options_ref: badOptions } }, blobs);
  assert.equal(options['code'], 'BAD_OPTIONS');
});

test('an intent whose signal is already aborted is a timeout receipt', async () => {
  const blobs = new MemoryBlobs();
  const message = blobs.putJson({ role: 'user', content: 'hi' });
  const controller = new AbortController();
  controller.abort();
  const outcome = await failure({ provider: 'claude', model: 'm', message_refs: [message] }, blobs, controller.signal);
  assert.deepEqual([outcome['status'], outcome['code']], ['timeout', 'TIMEOUT']);
});

test('bad options are refused when the adapter is built', () => {
  const refused = (options: LlmAdapterOptions, pattern: RegExp): void => {
    assert.throws(() => new LlmAdapter(options), (error: unknown) => error instanceof AdapterError && error.code === 'BAD_OPTION' && pattern.test(error.message));
  };
  refused({ providers: {} }, /at least one provider/);
  refused({ id: '', providers: { mock: { kind: 'scripted', scriptPath } } }, /non-empty id/);
  refused({ providers: { x: { kind: 'openai-chat', baseUrl: 'ftp://host/v1' } } }, /provider "x": baseUrl "ftp:\/\/host\/v1" is not http or https/);
  refused({ providers: { x: { kind: 'openai-chat', baseUrl: 'https://user:pw@host/v1' } } }, /carries credentials/);
  refused({ providers: { x: { kind: 'anthropic', apiKeySecret: '' } } }, /apiKeySecret is empty/);
  refused({ providers: { x: { kind: 'openai-responses', prices: { m: { inputCentsPerMillionTokens: -1, outputCentsPerMillionTokens: 1 } } } } }, /prices\["m"\]\.inputCentsPerMillionTokens is -1/);
  refused({ providers: { x: { kind: 'openai-responses', prices: { m: { inputCentsPerMillionTokens: 1, outputCentsPerMillionTokens: 0.0000001 } } } } }, /at most 6 decimal places/);
  const untyped: unknown = { providers: { x: { kind: 'gemini' } } };
  refused(untyped as LlmAdapterOptions, /kind "gemini" is not openai-chat/);
});
