// Message blobs → provider-neutral messages. The shapes are upstream's (aos-effect-adapters
// llm.rs), so blobs written by upstream workflows and by ours read the same:
//   - a JSON object is one message, a JSON array a list of them (not nested further);
//   - a JSON string is one user message holding that string; any other UTF-8 text (a JSON
//     number or boolean too) is one user message holding the blob's text;
//   - {role, content}: content is a string, one part, or a list of parts; parts are strings,
//     {type: text|input_text|output_text, text}, tool calls or tool results (below);
//     `tool_calls: [...]` on a message adds its tool calls; a role other than system,
//     developer, user, assistant or tool reads as user;
//   - {type: "function_call"|"tool_call", id|call_id, name, arguments} (or an OpenAI
//     {id, function: {name, arguments}}, or an Anthropic tool_use {id, name, input}) is an
//     assistant tool call; arguments are JSON text, kept exactly, or JSON, written compactly;
//   - {type: "function_call_output"|"tool_result", call_id|tool_call_id|tool_use_id,
//     output|content, is_error?} is a tool result; {role: "tool", tool_call_id, content} too.
// Unlike upstream, `is_error` is kept, a tool call without an id is refused (its result could
// never be matched), and dropped parts are reported as warnings instead of vanishing.
import type { Hash } from '../../cbor/index.ts';
import type { AdapterBlobs } from '../adapter.ts';
import { arrayAt, isJsonObject, objectAt, readBlob, textAt } from './json-read.ts';
import type { JsonObject } from './json-read.ts';
import { jsonText } from './json-text.ts';
import { LLM_MESSAGES_MAX } from './limits.ts';
import { llmFailure } from './llm-reply.ts';
import type { LlmWarning } from './llm-reply.ts';
import type { LlmMessage, LlmPart, LlmRole, LlmToolCall } from './llm-request.ts';
import { failed, fetchBlob } from './read-blob.ts';
import type { Reading } from './read-blob.ts';

/** Why a message object cannot be read (the caller adds which blob). */
type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

const ROLES: readonly LlmRole[] = ['system', 'developer', 'user', 'assistant', 'tool'];

/** Reads every message blob in order; dropped parts become warnings. */
export function readMessages(refs: readonly Hash[], blobs: AdapterBlobs, warnings: LlmWarning[]): Reading<LlmMessage[]> {
  const messages: LlmMessage[] = [];
  for (const [position, ref] of refs.entries()) {
    const bytes = fetchBlob(blobs, ref, `message (message_refs[${position}])`);
    if (!bytes.ok) return bytes;
    const reading = readBlob(bytes.value);
    if (reading.kind === 'binary') return failed(llmFailure('BAD_MESSAGE', `message blob ${ref} (message_refs[${position}]) is not UTF-8 text; a message blob is JSON or plain text`));
    if (reading.kind === 'text' || !(Array.isArray(reading.value) || isJsonObject(reading.value))) {
      const text = reading.kind === 'json' && typeof reading.value === 'string' ? reading.value : reading.text;
      messages.push({ role: 'user', parts: [{ kind: 'text', text }] });
    } else {
      const items: readonly unknown[] = Array.isArray(reading.value) ? reading.value : [reading.value];
      for (const [index, item] of items.entries()) {
        const where = Array.isArray(reading.value) ? `$[${index}]` : '$';
        const message = isJsonObject(item) ? parseMessage(item, where, warnings, ref) : { ok: false as const, reason: `${where} is not a JSON object` };
        if (!message.ok) return failed(llmFailure('BAD_MESSAGE', `message blob ${ref} (message_refs[${position}]): ${message.reason}`));
        messages.push(message.value);
      }
    }
    if (messages.length > LLM_MESSAGES_MAX) return failed(llmFailure('BAD_MESSAGE', `the message blobs hold more than ${LLM_MESSAGES_MAX} messages (LLM_MESSAGES_MAX); compact the conversation`));
  }
  return { ok: true, value: messages };
}

function parseMessage(object: JsonObject, where: string, warnings: LlmWarning[], ref: Hash): Parsed<LlmMessage> {
  const type = textAt(object, 'type');
  if (type === 'function_call_output' || type === 'tool_result') {
    const result = parseToolResult(object, where);
    return result.ok ? { ok: true, value: { role: 'tool', parts: [result.value] } } : result;
  }
  if (type === 'function_call' || type === 'tool_call') {
    const call = parseToolCall(object, where);
    return call.ok ? { ok: true, value: { role: 'assistant', parts: [{ kind: 'tool_call', call: call.value }] } } : call;
  }
  const roleText = (textAt(object, 'role') ?? 'user').toLowerCase();
  const role = ROLES.find((known) => known === roleText) ?? 'user';
  const parts: LlmPart[] = [];
  const content = parseContent(object['content'], `${where}.content`, parts, warnings, ref);
  if (!content.ok) return content;
  for (const [index, item] of (arrayAt(object, 'tool_calls') ?? []).entries()) {
    const call = isJsonObject(item) ? parseToolCall(item, `${where}.tool_calls[${index}]`) : { ok: false as const, reason: `${where}.tool_calls[${index}] is not an object` };
    if (!call.ok) return call;
    parts.push({ kind: 'tool_call', call: call.value });
  }
  const toolCallId = textAt(object, 'tool_call_id') ?? textAt(object, 'call_id');
  if (role === 'tool' && toolCallId !== null && parts.every((part) => part.kind === 'text')) {
    const output = parts.map((part) => (part.kind === 'text' ? part.text : '')).join('');
    return { ok: true, value: { role, parts: [{ kind: 'tool_result', call_id: toolCallId, output, is_error: object['is_error'] === true }] } };
  }
  return { ok: true, value: { role, parts } };
}

function parseContent(content: unknown, where: string, parts: LlmPart[], warnings: LlmWarning[], ref: Hash): Parsed<null> {
  if (content === undefined || content === null) return { ok: true, value: null };
  if (typeof content === 'string') {
    parts.push({ kind: 'text', text: content });
    return { ok: true, value: null };
  }
  const items: readonly unknown[] | null = Array.isArray(content) ? content : isJsonObject(content) ? [content] : null;
  if (items === null) return { ok: false, reason: `${where} is neither text nor a list of parts` };
  for (const [index, item] of items.entries()) {
    const part = parsePart(item, `${where}[${index}]`);
    if (!part.ok) return part;
    if (part.value === null) warnings.push({ code: 'PART_DROPPED', message: `message blob ${ref}: ${where}[${index}] is no part the adapter reads (text, tool call or tool result); it was not sent` });
    else parts.push(part.value);
  }
  return { ok: true, value: null };
}

function parsePart(item: unknown, where: string): Parsed<LlmPart | null> {
  if (typeof item === 'string') return { ok: true, value: { kind: 'text', text: item } };
  if (!isJsonObject(item)) return { ok: true, value: null };
  const type = (textAt(item, 'type') ?? 'text').toLowerCase();
  if (type === 'function_call' || type === 'tool_call' || type === 'tool_use') {
    const call = parseToolCall(item, where);
    return call.ok ? { ok: true, value: { kind: 'tool_call', call: call.value } } : call;
  }
  if (type === 'function_call_output' || type === 'tool_result') return parseToolResult(item, where);
  const text = textAt(item, 'text');
  return { ok: true, value: text === null ? null : { kind: 'text', text } };
}

/** A tool call in any of the accepted shapes; arguments stay the exact text when given as text. */
function parseToolCall(object: JsonObject, where: string): Parsed<LlmToolCall> {
  const wrapper = objectAt(object, 'function');
  const source = wrapper ?? object;
  const id = textAt(object, 'id') ?? textAt(object, 'call_id');
  const name = textAt(source, 'name');
  if (id === null || id === '') return { ok: false, reason: `the tool call at ${where} has no id (or call_id); its result could not be matched to it` };
  if (name === null || name === '') return { ok: false, reason: `the tool call at ${where} has no name` };
  const given = source['arguments'] ?? source['arguments_json'] ?? source['input'];
  if (typeof given === 'string') return { ok: true, value: { id, name, arguments: given } };
  const written = jsonText(given ?? {});
  if (!written.ok) return { ok: false, reason: `the arguments of the tool call at ${where} are not JSON: ${written.reason}` };
  return { ok: true, value: { id, name, arguments: written.text } };
}

function parseToolResult(object: JsonObject, where: string): Parsed<LlmPart> {
  const callId = textAt(object, 'call_id') ?? textAt(object, 'tool_call_id') ?? textAt(object, 'tool_use_id');
  if (callId === null || callId === '') return { ok: false, reason: `the tool result at ${where} has no call_id (or tool_call_id)` };
  const given = object['output'] ?? object['content'] ?? '';
  const output = typeof given === 'string' ? { ok: true as const, text: given } : jsonText(given);
  if (!output.ok) return { ok: false, reason: `the output of the tool result at ${where} is not JSON: ${output.reason}` };
  return { ok: true, value: { kind: 'tool_result', call_id: callId, output: output.text, is_error: object['is_error'] === true } };
}
