// The openai-responses provider: OpenAI's Responses API. The reply is read from the exact
// response bytes: output_text parts (and refusals) make the assistant text, function_call
// items the tool calls (call_id kept, the item id as provider_call_id), reasoning summaries
// the reasoning text. A response whose status is failed or cancelled settles as an error.
import type { CostTable } from './cost.ts';
import { arrayAt, countAt, isJsonObject, objectAt, readJsonResponse, textAt } from './json-read.ts';
import type { JsonObject } from './json-read.ts';
import { llmFailure } from './llm-reply.ts';
import type { LlmFinish, LlmReply, LlmReplyToolCall, LlmTokenUsage, LlmWarning } from './llm-reply.ts';
import type { LlmRequest } from './llm-request.ts';
import { createOpenAiClient, describeOpenAiError } from './openai-client.ts';
import { responsesBody } from './openai-responses-body.ts';
import { callSdk } from './provider.ts';
import type { LlmProvider, ProviderCall, ProviderResult } from './provider.ts';
import { failed } from './read-blob.ts';
import type { Reading } from './read-blob.ts';
import { RecordingFetch } from './recording-fetch.ts';

/** How an openai-responses provider is set up (checked by the adapter's options). */
interface OpenAiResponsesSetup {
  readonly baseUrl: string;
  readonly apiKeySecret: string | null;
  readonly costs: CostTable;
}

/** The Responses API over HTTP through the openai SDK. */
export class OpenAiResponsesProvider implements LlmProvider {
  readonly kind = 'openai-responses';
  readonly optionsFamily = 'openai';
  readonly apiKeyRequired = false;
  readonly apiKeySecret: string | null;
  readonly costs: CostTable;

  constructor(private readonly setup: OpenAiResponsesSetup) {
    this.apiKeySecret = setup.apiKeySecret;
    this.costs = setup.costs;
  }

  generate(request: LlmRequest, call: ProviderCall): Promise<ProviderResult> {
    const recorder = new RecordingFetch();
    const client = createOpenAiClient(this.setup.baseUrl, call.apiKey, recorder);
    const body = responsesBody(request, call.warnings);
    return callSdk({
      recorder, signal: call.signal, describeError: describeOpenAiError,
      send: () => client.responses.create(body, { signal: call.signal }),
      read: (_response, raw) => readJsonResponse(raw.bytes, 'response', (value) => readResponse(value, call.warnings)),
    });
  }
}

/** A Responses API response (parsed JSON) → a reply, or the failure it reports. */
function readResponse(response: unknown, warnings: LlmWarning[]): Reading<LlmReply> {
  const malformed = (reason: string): Reading<LlmReply> => failed(llmFailure('MALFORMED_RESPONSE', `the response ${reason}`));
  if (!isJsonObject(response)) return malformed('is not a JSON object');
  const status = textAt(response, 'status');
  if (status !== 'completed' && status !== 'incomplete') {
    const error = objectAt(response, 'error');
    const detail = error === null ? '' : `: ${textAt(error, 'code') ?? ''} ${textAt(error, 'message') ?? ''}`.trimEnd();
    return failed(llmFailure('PROVIDER_FAILED', `the response has status ${JSON.stringify(status)}${detail}`));
  }
  const texts: string[] = [];
  const reasoning: string[] = [];
  const toolCalls: LlmReplyToolCall[] = [];
  for (const [index, item] of (arrayAt(response, 'output') ?? []).entries()) {
    if (!isJsonObject(item)) return malformed(`has an output item that is not an object (output[${index}])`);
    const type = textAt(item, 'type');
    if (type === 'message') texts.push(...partTexts(item, 'content', ['output_text', 'refusal'], (part) => textAt(part, 'text') ?? textAt(part, 'refusal')));
    else if (type === 'reasoning') reasoning.push(...partTexts(item, 'summary', ['summary_text'], (part) => textAt(part, 'text')));
    else if (type === 'function_call') {
      const call = readFunctionCall(item);
      if (call === null) return malformed(`has a function_call without call_id, name or arguments (output[${index}])`);
      toolCalls.push(call);
    } else warnings.push({ code: 'OUTPUT_ITEM_IGNORED', message: `output[${index}] is a ${JSON.stringify(type)} item, which the adapter does not read` });
  }
  const usage = readUsage(objectAt(response, 'usage'));
  if (usage === null) warnings.push({ code: 'USAGE_MISSING', message: 'the provider reported no token usage; token_usage is 0 and no cost is charged' });
  return {
    ok: true,
    value: {
      text: texts.length === 0 ? null : texts.join(''), toolCalls, reasoning: reasoning.length === 0 ? null : reasoning.join('\n\n'),
      usage, finish: finishOf(status, objectAt(response, 'incomplete_details'), toolCalls.length > 0), responseId: textAt(response, 'id'),
    },
  };
}

function partTexts(item: JsonObject, field: string, types: readonly string[], text: (part: JsonObject) => string | null): string[] {
  return (arrayAt(item, field) ?? []).flatMap((part) => {
    if (!isJsonObject(part) || !types.includes(textAt(part, 'type') ?? '')) return [];
    const found = text(part);
    return found === null ? [] : [found];
  });
}

function readFunctionCall(item: JsonObject): LlmReplyToolCall | null {
  const callId = textAt(item, 'call_id');
  const name = textAt(item, 'name');
  const args = textAt(item, 'arguments');
  if (callId === null || callId === '' || name === null || args === null) return null;
  const itemId = textAt(item, 'id');
  return { call_id: callId, name, arguments: args, provider_call_id: itemId === null || itemId === callId ? null : itemId };
}

function readUsage(usage: JsonObject | null): LlmTokenUsage | null {
  if (usage === null) return null;
  const prompt = countAt(usage, 'input_tokens');
  const completion = countAt(usage, 'output_tokens');
  if (prompt === null || completion === null) return null;
  const inputDetails = objectAt(usage, 'input_tokens_details');
  const outputDetails = objectAt(usage, 'output_tokens_details');
  return {
    prompt, completion, total: countAt(usage, 'total_tokens'),
    reasoning: outputDetails === null ? null : countAt(outputDetails, 'reasoning_tokens'),
    cacheRead: inputDetails === null ? null : countAt(inputDetails, 'cached_tokens'),
    cacheWrite: null,
  };
}

function finishOf(status: 'completed' | 'incomplete', details: JsonObject | null, calledTools: boolean): LlmFinish {
  if (status === 'completed') return { reason: calledTools ? 'tool_calls' : 'stop', raw: status };
  const reason = details === null ? null : textAt(details, 'reason');
  if (reason === 'max_output_tokens') return { reason: 'length', raw: reason };
  if (reason === 'content_filter') return { reason: 'content_filter', raw: reason };
  return { reason: 'other', raw: reason ?? status };
}
