// The anthropic provider: the Messages API. The reply is read from the exact response bytes:
// text blocks make the assistant text, tool_use blocks the tool calls, thinking blocks the
// reasoning. Anthropic sends tool input as a JSON object, not text, so its arguments blob is
// that object written compactly with its key order and exact integers (read with
// parseJsonExact from the raw bytes, so ids beyond 2^53 survive). `prompt` counts every prompt
// token: input_tokens plus the cache reads and writes, which Anthropic reports apart.
import { assert } from '../../cbor/index.ts';
import { createAnthropicClient, describeAnthropicError } from './anthropic-client.ts';
import { anthropicBody } from './anthropic-body.ts';
import type { CostTable } from './cost.ts';
import { arrayAt, countAt, isJsonObject, objectAt, readJsonResponse, textAt } from './json-read.ts';
import type { JsonObject } from './json-read.ts';
import { jsonText } from './json-text.ts';
import { llmFailure } from './llm-reply.ts';
import type { LlmFinish, LlmReply, LlmReplyToolCall, LlmTokenUsage, LlmWarning } from './llm-reply.ts';
import type { LlmRequest } from './llm-request.ts';
import { callSdk } from './provider.ts';
import type { LlmProvider, ProviderCall, ProviderResult } from './provider.ts';
import { failed } from './read-blob.ts';
import type { Reading } from './read-blob.ts';
import { RecordingFetch } from './recording-fetch.ts';

/** How an anthropic provider is set up (checked by the adapter's options). */
interface AnthropicSetup {
  readonly baseUrl: string;
  readonly apiKeySecret: string | null;
  readonly costs: CostTable;
}

/** The Messages API over HTTP through the Anthropic SDK. */
export class AnthropicProvider implements LlmProvider {
  readonly kind = 'anthropic';
  readonly optionsFamily = 'anthropic';
  readonly apiKeyRequired = true;
  readonly apiKeySecret: string | null;
  readonly costs: CostTable;

  constructor(private readonly setup: AnthropicSetup) {
    this.apiKeySecret = setup.apiKeySecret;
    this.costs = setup.costs;
  }

  async generate(request: LlmRequest, call: ProviderCall): Promise<ProviderResult> {
    assert(call.apiKey !== null, 'the adapter refuses an anthropic request without a key before calling the provider');
    const body = anthropicBody(request, call.warnings);
    if (!body.ok) return { raw: null, rateLimits: null, outcome: body };
    const recorder = new RecordingFetch();
    const client = createAnthropicClient(this.setup.baseUrl, call.apiKey, recorder);
    return callSdk({
      recorder, signal: call.signal, describeError: describeAnthropicError,
      send: () => client.messages.create(body.value, { signal: call.signal }),
      read: (_message, raw) => readJsonResponse(raw.bytes, 'message', (value) => readMessage(value, call.warnings)),
    });
  }
}

/** A Messages API response (parsed JSON, exact integers) → a reply. */
function readMessage(message: unknown, warnings: LlmWarning[]): Reading<LlmReply> {
  const malformed = (reason: string): Reading<LlmReply> => failed(llmFailure('MALFORMED_RESPONSE', `the message ${reason}`));
  if (!isJsonObject(message)) return malformed('is not a JSON object');
  const content = arrayAt(message, 'content');
  if (content === null) return malformed('has no content list');
  const texts: string[] = [];
  const thinking: string[] = [];
  const toolCalls: LlmReplyToolCall[] = [];
  for (const [index, block] of content.entries()) {
    if (!isJsonObject(block)) return malformed(`has a content block that is not an object (content[${index}])`);
    const type = textAt(block, 'type');
    if (type === 'text') texts.push(textAt(block, 'text') ?? '');
    else if (type === 'thinking') thinking.push(textAt(block, 'thinking') ?? '');
    else if (type === 'tool_use') {
      const call = readToolUse(block);
      if (call === null) return malformed(`has a tool_use block without id, name or object input (content[${index}])`);
      toolCalls.push(call);
    } else if (type !== 'redacted_thinking') {
      warnings.push({ code: 'CONTENT_BLOCK_IGNORED', message: `content[${index}] is a ${JSON.stringify(type)} block, which the adapter does not read` });
    }
  }
  const usage = readUsage(objectAt(message, 'usage'));
  if (usage === null) warnings.push({ code: 'USAGE_MISSING', message: 'the provider reported no token usage; token_usage is 0 and no cost is charged' });
  return {
    ok: true,
    value: {
      text: texts.length === 0 ? null : texts.join(''), toolCalls, reasoning: thinking.length === 0 ? null : thinking.join('\n\n'),
      usage, finish: finishOf(textAt(message, 'stop_reason')), responseId: textAt(message, 'id'),
    },
  };
}

function readToolUse(block: JsonObject): LlmReplyToolCall | null {
  const id = textAt(block, 'id');
  const name = textAt(block, 'name');
  const input = block['input'];
  if (id === null || id === '' || name === null || !isJsonObject(input)) return null;
  const written = jsonText(input);
  return written.ok ? { call_id: id, name, arguments: written.text, provider_call_id: null } : null;
}

function readUsage(usage: JsonObject | null): LlmTokenUsage | null {
  if (usage === null) return null;
  const input = countAt(usage, 'input_tokens');
  const completion = countAt(usage, 'output_tokens');
  if (input === null || completion === null) return null;
  const cacheRead = countAt(usage, 'cache_read_input_tokens');
  const cacheWrite = countAt(usage, 'cache_creation_input_tokens');
  const prompt = input + (cacheRead ?? 0) + (cacheWrite ?? 0);
  const outputDetails = objectAt(usage, 'output_tokens_details');
  return {
    prompt, completion, total: prompt + completion,
    reasoning: outputDetails === null ? null : countAt(outputDetails, 'thinking_tokens'),
    cacheRead, cacheWrite,
  };
}

function finishOf(raw: string | null): LlmFinish {
  switch (raw) {
    case 'end_turn':
    case 'stop_sequence': return { reason: 'stop', raw };
    case 'max_tokens':
    case 'model_context_window_exceeded': return { reason: 'length', raw };
    case 'tool_use': return { reason: 'tool_calls', raw };
    case 'refusal': return { reason: 'content_filter', raw };
    default: return { reason: 'other', raw };
  }
}
