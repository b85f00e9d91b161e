// A provider-neutral request → a Chat Completions body (OpenAI, and the servers that copy its
// API: vLLM, llama.cpp, Ollama, LM Studio). Choices made for those servers:
// - developer messages are sent as system messages (not every server knows "developer");
// - metadata is not sent (OpenAI stores it only with store: true, and other servers refuse
//   unknown fields): a warning says so;
// - a tool result's is_error has no field in this API and is dropped with a warning;
// - max_tokens goes out under the field the provider config names.
import type OpenAI from 'openai';
import type { LlmWarning } from './llm-reply.ts';
import type { LlmMessage, LlmPart, LlmRequest, LlmResponseFormat, LlmToolChoice } from './llm-request.ts';
import { mergeUnder } from './merge-options.ts';

// Without `stream`: the same body goes out streamed or not.
type ChatBody = Omit<OpenAI.Chat.ChatCompletionCreateParamsNonStreaming, 'stream'>;
type ChatMessage = OpenAI.Chat.ChatCompletionMessageParam;
type TextPart = OpenAI.Chat.ChatCompletionContentPartText;

/** Which body field carries the token limit: OpenAI's reasoning models take only max_completion_tokens; older servers only max_tokens. */
export type MaxTokensField = 'max_tokens' | 'max_completion_tokens';

/** The Chat Completions body of a request, provider options merged underneath. */
export function chatBody(request: LlmRequest, maxTokensField: MaxTokensField, warnings: LlmWarning[]): ChatBody {
  const hasTools = request.tools.length > 0;
  if (request.metadata !== null) warnings.push({ code: 'METADATA_NOT_SENT', message: 'runtime.metadata is not sent to a Chat Completions API (OpenAI keeps it only for stored completions)' });
  if (request.toolChoice !== null && !hasTools) warnings.push({ code: 'TOOL_CHOICE_NOT_SENT', message: 'runtime.tool_choice was not sent: the request has no tools' });
  const body: ChatBody = {
    model: request.model,
    messages: chatMessages(request.messages, warnings),
    ...(hasTools ? { tools: request.tools.map((tool) => ({ type: 'function' as const, function: { name: tool.name, description: tool.description, parameters: { ...tool.parameters } } })) } : {}),
    ...(hasTools && request.toolChoice !== null ? { tool_choice: toolChoice(request.toolChoice) } : {}),
    ...(request.temperature === null ? {} : { temperature: request.temperature }),
    ...(request.topP === null ? {} : { top_p: request.topP }),
    ...(request.maxTokens === null ? {} : maxTokensField === 'max_tokens' ? { max_tokens: request.maxTokens } : { max_completion_tokens: request.maxTokens }),
    ...(request.stopSequences === null ? {} : { stop: [...request.stopSequences] }),
    ...(request.responseFormat === null ? {} : { response_format: responseFormat(request.responseFormat) }),
  };
  // reasoning_effort is open text in AIR and a closed union in the SDK: servers define their own levels.
  const open: Record<string, unknown> = request.reasoningEffort === null ? {} : { reasoning_effort: request.reasoningEffort };
  return mergeUnder(request.providerOptions, { ...open, ...body }, warnings);
}

function chatMessages(messages: readonly LlmMessage[], warnings: LlmWarning[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (const message of messages) {
    for (const part of message.parts) {
      if (part.kind !== 'tool_result') continue;
      if (part.is_error) warnings.push({ code: 'IS_ERROR_DROPPED', message: `the result of tool call ${part.call_id} is marked is_error, which Chat Completions cannot express` });
      out.push({ role: 'tool', tool_call_id: part.call_id, content: part.output });
    }
    const texts = message.parts.filter((part): part is Extract<LlmPart, { kind: 'text' }> => part.kind === 'text').map((part): TextPart => ({ type: 'text', text: part.text }));
    const calls = message.parts.flatMap((part) => (part.kind === 'tool_call' ? [part.call] : []));
    const content = texts.length === 1 ? texts[0]?.text ?? '' : texts;
    if (message.role === 'assistant') {
      if (texts.length === 0 && calls.length === 0) continue;
      out.push({
        role: 'assistant', content: texts.length === 0 ? null : content,
        ...(calls.length === 0 ? {} : { tool_calls: calls.map((call) => ({ id: call.id, type: 'function' as const, function: { name: call.name, arguments: call.arguments } })) }),
      });
    } else if (texts.length > 0) {
      out.push(message.role === 'system' || message.role === 'developer' ? { role: 'system', content } : { role: 'user', content });
    }
  }
  return out;
}

function toolChoice(choice: LlmToolChoice): OpenAI.Chat.ChatCompletionToolChoiceOption {
  return choice.mode === 'tool' ? { type: 'function', function: { name: choice.name } } : choice.mode;
}

function responseFormat(format: LlmResponseFormat): NonNullable<ChatBody['response_format']> {
  if (format.type !== 'json_schema') return { type: format.type };
  return { type: 'json_schema', json_schema: { name: format.name, schema: { ...format.schema }, ...(format.strict === null ? {} : { strict: format.strict }) } };
}
