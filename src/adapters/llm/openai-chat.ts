// The openai-chat provider: the Chat Completions API of OpenAI or of any server that copies it
// (vLLM, llama.cpp, Ollama, LM Studio), by base URL. With `stream`, the reply is requested as
// server-sent events (usage included) and assembled by the SDK; the raw output is then the
// SSE text as it arrived. Without, the reply is read from the exact response bytes.
import type { CostTable } from './cost.ts';
import { arrayAt, countAt, isJsonObject, objectAt, readJsonResponse, textAt } from './json-read.ts';
import type { JsonObject } from './json-read.ts';
import { jsonText } from './json-text.ts';
import { llmFailure } from './llm-reply.ts';
import type { LlmFinish, LlmReply, LlmReplyToolCall, LlmTokenUsage, LlmWarning } from './llm-reply.ts';
import type { LlmRequest } from './llm-request.ts';
import { chatBody } from './openai-chat-body.ts';
import type { MaxTokensField } from './openai-chat-body.ts';
import { createOpenAiClient, describeOpenAiError } from './openai-client.ts';
import { callSdk } from './provider.ts';
import type { LlmProvider, ProviderCall, ProviderResult } from './provider.ts';
import { failed } from './read-blob.ts';
import type { Reading } from './read-blob.ts';
import { RecordingFetch } from './recording-fetch.ts';

/** How an openai-chat provider is set up (checked by the adapter's options). */
interface OpenAiChatSetup {
  readonly baseUrl: string;
  readonly apiKeySecret: string | null;
  readonly costs: CostTable;
  readonly stream: boolean;
  readonly maxTokensField: MaxTokensField;
}

/** Chat Completions over HTTP through the openai SDK. */
export class OpenAiChatProvider implements LlmProvider {
  readonly kind = 'openai-chat';
  readonly optionsFamily = 'openai';
  readonly apiKeyRequired = false;
  readonly apiKeySecret: string | null;
  readonly costs: CostTable;

  constructor(private readonly setup: OpenAiChatSetup) {
    this.apiKeySecret = setup.apiKeySecret;
    this.costs = setup.costs;
  }

  generate(request: LlmRequest, call: ProviderCall): Promise<ProviderResult> {
    const recorder = new RecordingFetch();
    const client = createOpenAiClient(this.setup.baseUrl, call.apiKey, recorder);
    const body = chatBody(request, this.setup.maxTokensField, call.warnings);
    const common = { recorder, signal: call.signal, describeError: describeOpenAiError };
    if (this.setup.stream) {
      return callSdk({
        ...common,
        send: () => client.chat.completions.stream({ ...body, stream_options: { include_usage: true } }, { signal: call.signal }).finalChatCompletion(),
        read: (completion) => readChatCompletion(completion, call.warnings),
      });
    }
    return callSdk({
      ...common,
      send: () => client.chat.completions.create(body, { signal: call.signal }),
      read: (_completion, raw) => readJsonResponse(raw.bytes, 'chat completion', (value) => readChatCompletion(value, call.warnings)),
    });
  }
}

/** A chat completion (parsed JSON, or the SDK's assembled stream) → a reply. */
function readChatCompletion(completion: unknown, warnings: LlmWarning[]): Reading<LlmReply> {
  const malformed = (reason: string): Reading<LlmReply> => failed(llmFailure('MALFORMED_RESPONSE', `the chat completion ${reason}`));
  if (!isJsonObject(completion)) return malformed('is not a JSON object');
  const choice = (arrayAt(completion, 'choices') ?? [])[0];
  if (!isJsonObject(choice)) return malformed('has no choices');
  const message = objectAt(choice, 'message');
  if (message === null) return malformed('has no message in choices[0]');
  const toolCalls: LlmReplyToolCall[] = [];
  for (const [index, item] of (arrayAt(message, 'tool_calls') ?? []).entries()) {
    const call = isJsonObject(item) ? readToolCall(item) : null;
    if (call === null) return malformed(`has a tool call without id, name or arguments (message.tool_calls[${index}])`);
    toolCalls.push(call);
  }
  const usage = readUsage(objectAt(completion, 'usage'));
  if (usage === null) warnings.push({ code: 'USAGE_MISSING', message: 'the provider reported no token usage; token_usage is 0 and no cost is charged' });
  return {
    ok: true,
    value: {
      text: textAt(message, 'content') ?? textAt(message, 'refusal'),
      toolCalls,
      // vLLM, llama.cpp and DeepSeek return reasoning beside the content.
      reasoning: textAt(message, 'reasoning_content') ?? textAt(message, 'reasoning'),
      usage, finish: finishOf(textAt(choice, 'finish_reason')), responseId: textAt(completion, 'id'),
    },
  };
}

function readToolCall(item: JsonObject): LlmReplyToolCall | null {
  const id = textAt(item, 'id');
  const fn = objectAt(item, 'function');
  const name = fn === null ? null : textAt(fn, 'name');
  const given = fn === null ? undefined : fn['arguments'];
  if (id === null || id === '' || name === null || given === undefined) return null;
  // The API sends arguments as text, kept byte for byte; a server that sends an object gets it written compactly.
  const written = typeof given === 'string' ? { ok: true as const, text: given } : jsonText(given);
  return written.ok ? { call_id: id, name, arguments: written.text, provider_call_id: null } : null;
}

function readUsage(usage: JsonObject | null): LlmTokenUsage | null {
  if (usage === null) return null;
  const prompt = countAt(usage, 'prompt_tokens');
  const completion = countAt(usage, 'completion_tokens');
  if (prompt === null || completion === null) return null;
  const promptDetails = objectAt(usage, 'prompt_tokens_details');
  const completionDetails = objectAt(usage, 'completion_tokens_details');
  return {
    prompt, completion, total: countAt(usage, 'total_tokens'),
    reasoning: completionDetails === null ? null : countAt(completionDetails, 'reasoning_tokens'),
    cacheRead: promptDetails === null ? null : countAt(promptDetails, 'cached_tokens'),
    cacheWrite: null,
  };
}

function finishOf(raw: string | null): LlmFinish {
  switch (raw) {
    case 'stop': return { reason: 'stop', raw };
    case 'length': return { reason: 'length', raw };
    case 'tool_calls':
    case 'function_call': return { reason: 'tool_calls', raw };
    case 'content_filter': return { reason: 'content_filter', raw };
    default: return { reason: 'other', raw };
  }
}
