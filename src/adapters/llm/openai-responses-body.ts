// A provider-neutral request → a Responses API body. Messages become input items in order:
// text as {role, content} messages, tool calls as function_call items, tool results as
// function_call_output items. Stop sequences and a tool result's is_error have no field in
// this API and are dropped with a warning. Function tools are sent with strict: false, so a
// schema the strict mode would reject still works, as on the other providers.
import type OpenAI from 'openai';
import type { LlmWarning } from './llm-reply.ts';
import type { LlmMessage, LlmRequest, LlmResponseFormat, LlmToolChoice } from './llm-request.ts';
import { mergeUnder } from './merge-options.ts';

type ResponsesBody = OpenAI.Responses.ResponseCreateParamsNonStreaming;
type InputItem = OpenAI.Responses.ResponseInputItem;

/** The Responses API body of a request, provider options merged underneath. */
export function responsesBody(request: LlmRequest, warnings: LlmWarning[]): ResponsesBody {
  const hasTools = request.tools.length > 0;
  if (request.stopSequences !== null) warnings.push({ code: 'STOP_NOT_SENT', message: 'runtime.stop_sequences is not sent: the Responses API has no stop sequences' });
  if (request.toolChoice !== null && !hasTools) warnings.push({ code: 'TOOL_CHOICE_NOT_SENT', message: 'runtime.tool_choice was not sent: the request has no tools' });
  const body: ResponsesBody = {
    model: request.model,
    input: inputItems(request.messages, warnings),
    ...(hasTools ? { tools: request.tools.map((tool) => ({ type: 'function' as const, name: tool.name, description: tool.description, parameters: { ...tool.parameters }, strict: false })) } : {}),
    ...(hasTools && request.toolChoice !== null ? { tool_choice: toolChoice(request.toolChoice) } : {}),
    ...(request.temperature === null ? {} : { temperature: request.temperature }),
    ...(request.topP === null ? {} : { top_p: request.topP }),
    ...(request.maxTokens === null ? {} : { max_output_tokens: request.maxTokens }),
    ...(request.metadata === null ? {} : { metadata: Object.fromEntries(request.metadata) }),
    ...(request.responseFormat === null ? {} : { text: { format: textFormat(request.responseFormat) } }),
  };
  // reasoning.effort is open text in AIR and a closed union in the SDK: new levels pass through.
  const open: Record<string, unknown> = request.reasoningEffort === null ? {} : { reasoning: { effort: request.reasoningEffort } };
  return mergeUnder(request.providerOptions, { ...open, ...body }, warnings);
}

function inputItems(messages: readonly LlmMessage[], warnings: LlmWarning[]): InputItem[] {
  const items: InputItem[] = [];
  for (const message of messages) {
    const texts: string[] = [];
    const flush = (): void => {
      if (texts.length === 0) return;
      items.push(textMessage(message.role, texts.splice(0)));
    };
    for (const part of message.parts) {
      if (part.kind === 'text') {
        texts.push(part.text);
        continue;
      }
      flush();
      if (part.kind === 'tool_call') {
        items.push({ type: 'function_call', call_id: part.call.id, name: part.call.name, arguments: part.call.arguments });
      } else {
        if (part.is_error) warnings.push({ code: 'IS_ERROR_DROPPED', message: `the result of tool call ${part.call_id} is marked is_error, which the Responses API cannot express` });
        items.push({ type: 'function_call_output', call_id: part.call_id, output: part.output });
      }
    }
    flush();
  }
  return items;
}

function textMessage(role: LlmMessage['role'], texts: readonly string[]): InputItem {
  const target = role === 'tool' ? 'user' : role;
  if (texts.length === 1) return { type: 'message', role: target, content: texts[0] ?? '' };
  if (target === 'assistant') return { type: 'message', role: target, content: texts.join('\n\n') };
  return { type: 'message', role: target, content: texts.map((text) => ({ type: 'input_text' as const, text })) };
}

function toolChoice(choice: LlmToolChoice): NonNullable<ResponsesBody['tool_choice']> {
  return choice.mode === 'tool' ? { type: 'function', name: choice.name } : choice.mode;
}

function textFormat(format: LlmResponseFormat): OpenAI.Responses.ResponseFormatTextConfig {
  if (format.type !== 'json_schema') return { type: format.type };
  return { type: 'json_schema', name: format.name, schema: { ...format.schema }, ...(format.strict === null ? {} : { strict: format.strict }) };
}
