// A provider-neutral request → a Messages API body. The API's rules shape the conversion:
// system and developer messages become the top-level `system` text (joined in order); tool
// results travel as user tool_result blocks (is_error kept), placed first in their message;
// consecutive messages of one role are merged so roles alternate; empty text blocks are
// dropped (the API refuses them); tool input must be a JSON object; max_tokens defaults to
// ANTHROPIC_MAX_TOKENS_DEFAULT. reasoning_effort and a json_schema response format go into
// output_config; metadata keeps only user_id, the one key the API takes.
import type Anthropic from '@anthropic-ai/sdk';
import { ANTHROPIC_MAX_TOKENS_DEFAULT } from './limits.ts';
import { llmFailure } from './llm-reply.ts';
import type { LlmWarning } from './llm-reply.ts';
import type { LlmMessage, LlmRequest, LlmToolChoice, LlmToolDefinition } from './llm-request.ts';
import { mergeUnder } from './merge-options.ts';
import { failed } from './read-blob.ts';
import type { Reading } from './read-blob.ts';

type MessagesBody = Anthropic.MessageCreateParamsNonStreaming;
type Block = Anthropic.ContentBlockParam;

/** The Messages API body of a request, provider options merged underneath; tool input that is not a JSON object is refused. */
export function anthropicBody(request: LlmRequest, warnings: LlmWarning[]): Reading<MessagesBody> {
  const system: string[] = [];
  const turns: Array<{ role: 'user' | 'assistant'; content: Block[] }> = [];
  for (const message of request.messages) {
    if (message.role === 'system' || message.role === 'developer') {
      system.push(...message.parts.flatMap((part) => (part.kind === 'text' ? [part.text] : [])));
      continue;
    }
    const blocks = contentBlocks(message);
    if (!blocks.ok) return blocks;
    const role = message.role === 'assistant' ? 'assistant' : 'user';
    const last = turns[turns.length - 1];
    if (blocks.value.length === 0) continue;
    if (last !== undefined && last.role === role) last.content.push(...blocks.value);
    else turns.push({ role, content: [...blocks.value] });
  }
  for (const turn of turns) turn.content.sort((left, right) => resultsFirst(left) - resultsFirst(right));
  const hasTools = request.tools.length > 0;
  if (request.toolChoice !== null && !hasTools) warnings.push({ code: 'TOOL_CHOICE_NOT_SENT', message: 'runtime.tool_choice was not sent: the request has no tools' });
  const body: MessagesBody = {
    model: request.model,
    max_tokens: request.maxTokens ?? ANTHROPIC_MAX_TOKENS_DEFAULT,
    messages: turns,
    ...(system.length === 0 ? {} : { system: system.join('\n\n') }),
    ...(hasTools ? { tools: request.tools.map(tool) } : {}),
    ...(hasTools && request.toolChoice !== null ? { tool_choice: toolChoice(request.toolChoice) } : {}),
    ...(request.temperature === null ? {} : { temperature: request.temperature }),
    ...(request.topP === null ? {} : { top_p: request.topP }),
    ...(request.stopSequences === null ? {} : { stop_sequences: [...request.stopSequences] }),
    ...metadata(request, warnings),
  };
  return { ok: true, value: mergeUnder(request.providerOptions, { ...outputConfig(request, warnings), ...body }, warnings) };
}

function contentBlocks(message: LlmMessage): Reading<Block[]> {
  const blocks: Block[] = [];
  for (const part of message.parts) {
    if (part.kind === 'text') {
      if (part.text !== '') blocks.push({ type: 'text', text: part.text });
    } else if (part.kind === 'tool_result') {
      blocks.push({ type: 'tool_result', tool_use_id: part.call_id, content: part.output, ...(part.is_error ? { is_error: true } : {}) });
    } else {
      const input = toolInput(part.call.arguments);
      if (input === null) return failed(llmFailure('UNSUPPORTED', `the arguments of tool call ${part.call.id} (${part.call.name}) are not a JSON object; Anthropic takes tool input as an object`));
      blocks.push({ type: 'tool_use', id: part.call.id, name: part.call.name, input });
    }
  }
  return { ok: true, value: blocks };
}

/** Tool-call arguments as the object Anthropic takes, or null when they are not one. */
function toolInput(text: string): Record<string, unknown> | null {
  let value: unknown;
  try {
    value = JSON.parse(text === '' ? '{}' : text);
  } catch (error) {
    if (error instanceof SyntaxError) return null;
    throw error;
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? { ...value } : null;
}

function resultsFirst(block: Block): number {
  return block.type === 'tool_result' ? 0 : 1;
}

function tool(definition: LlmToolDefinition): Anthropic.Tool {
  return { name: definition.name, description: definition.description, input_schema: { ...definition.parameters, type: 'object' } };
}

function toolChoice(choice: LlmToolChoice): Anthropic.ToolChoice {
  switch (choice.mode) {
    case 'auto': return { type: 'auto' };
    case 'none': return { type: 'none' };
    case 'required': return { type: 'any' };
    case 'tool': return { type: 'tool', name: choice.name };
  }
}

function metadata(request: LlmRequest, warnings: LlmWarning[]): Pick<MessagesBody, 'metadata'> {
  if (request.metadata === null) return {};
  const dropped = request.metadata.filter(([key]) => key !== 'user_id').map(([key]) => key);
  if (dropped.length > 0) warnings.push({ code: 'METADATA_NOT_SENT', message: `runtime.metadata keys ${dropped.join(', ')} were not sent: Anthropic takes only user_id` });
  const userId = request.metadata.find(([key]) => key === 'user_id');
  return userId === undefined ? {} : { metadata: { user_id: userId[1] } };
}

/** output_config: effort (open text in AIR, a closed union in the SDK) and a json_schema format. */
function outputConfig(request: LlmRequest, warnings: LlmWarning[]): Record<string, unknown> {
  const format = request.responseFormat;
  if (format !== null && format.type === 'json_object') warnings.push({ code: 'FORMAT_NOT_SENT', message: 'response format json_object was not sent: Anthropic takes only a json_schema format' });
  const config: Record<string, unknown> = {
    ...(request.reasoningEffort === null ? {} : { effort: request.reasoningEffort }),
    ...(format !== null && format.type === 'json_schema' ? { format: { type: 'json_schema', schema: { ...format.schema } } } : {}),
  };
  return Object.keys(config).length === 0 ? {} : { output_config: config };
}
