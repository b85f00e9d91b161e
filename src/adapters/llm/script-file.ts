// The scripted provider's script file: the replies it gives, in order. Deterministic, for tests
// and the offline demo.
//
// Format: UTF-8 text. A file whose name ends in ".jsonl" holds one reply object per line
// (blank lines are skipped); any other file holds JSON: a list of reply objects, or
// {"replies": [...]}. A reply object has these fields, all optional, and no others:
//   "text": "…"                              the assistant text
//   "tool_calls": [{"id", "name", "arguments"}]  arguments: JSON text (kept exactly) or any
//                                            JSON value (written compactly); default {}
//   "reasoning": "…"                         reasoning text (reasoning_ref)
//   "usage": {"prompt", "completion", "total"?, "reasoning"?, "cache_read"?, "cache_write"?}
//                                            token counts; without usage, 0 and no cost
//   "finish_reason": "stop" | "length" | "tool_calls" | "content_filter" | "other"
//                                            default tool_calls when there are tool calls, else stop
//   "id": "…"                                provider_response_id; default "scripted-<n>" (n counts replies from 1)
//   "error": {"message", "code"?, "http_status"?, "retryable"?}
//                                            settle as an error: code (UPPER_SNAKE, default
//                                            SCRIPTED_ERROR) and message go into the error document
//   "timeout": true                          settle as a timeout
//   "delay_ms": n                            wait first (at most LLM_SCRIPT_DELAY_MS_MAX); an abort
//                                            while waiting is a timeout
//   "match": {"model"?, "correlation_id"?, "last_message_contains"?}
//                                            use this reply only for a request that fits
// A reply is a success, an error or a timeout: "error" and "timeout" exclude each other and
// the success fields. How replies are picked is in scripted-provider.ts.
import { readFileSync } from 'node:fs';
import { AdapterError } from '../errors.ts';
import { arrayAt, countAt, isJsonObject, objectAt, parseJson, textAt } from './json-read.ts';
import type { JsonObject } from './json-read.ts';
import { jsonText } from './json-text.ts';
import { LLM_SCRIPT_BYTES_MAX, LLM_SCRIPT_DELAY_MS_MAX } from './limits.ts';
import type { LlmFailure, LlmFinish, LlmReply, LlmReplyToolCall, LlmTokenUsage } from './llm-reply.ts';

/** Which requests a reply is for; null fields match anything. */
interface ScriptMatch {
  readonly model: string | null;
  readonly correlationId: string | null;
  readonly lastMessageContains: string | null;
}

/** One reply of a script. */
export interface ScriptReply {
  /** Where it is written, for messages: "file:line" or "file replies[i]". */
  readonly where: string;
  readonly match: ScriptMatch;
  readonly delayMs: number;
  /** The reply object as compact JSON: the raw output its receipts name. */
  readonly raw: string;
  readonly answer: { readonly kind: 'reply'; readonly reply: LlmReply } | { readonly kind: 'error'; readonly failure: LlmFailure } | { readonly kind: 'timeout' };
}

const FIELDS: readonly string[] = ['text', 'tool_calls', 'reasoning', 'usage', 'finish_reason', 'id', 'error', 'timeout', 'delay_ms', 'match'];
const SUCCESS_FIELDS: readonly string[] = ['text', 'tool_calls', 'reasoning', 'usage', 'finish_reason', 'id'];
const FINISH_REASONS: ReadonlyArray<LlmFinish['reason']> = ['stop', 'length', 'tool_calls', 'content_filter', 'other'];
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Reads and checks a script file; any problem is a BAD_OPTION naming the file and line. */
export function readScriptFile(path: string): ScriptReply[] {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new AdapterError('BAD_OPTION', `the script file ${path} cannot be read: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  if (bytes.byteLength > LLM_SCRIPT_BYTES_MAX) throw new AdapterError('BAD_OPTION', `the script file ${path} has ${bytes.byteLength} bytes, more than ${LLM_SCRIPT_BYTES_MAX} (LLM_SCRIPT_BYTES_MAX)`);
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch (error) {
    throw new AdapterError('BAD_OPTION', `the script file ${path} is not UTF-8 text`, { cause: error });
  }
  return parseScript(text, path);
}

/** Parses script text; `name` decides the format (".jsonl": JSON lines) and names it in errors. */
function parseScript(text: string, name: string): ScriptReply[] {
  const entries: Array<{ value: unknown; where: string }> = [];
  if (name.endsWith('.jsonl')) {
    for (const [index, line] of text.split('\n').entries()) {
      if (line.trim() === '') continue;
      entries.push({ value: parseOrThrow(line, `${name}:${index + 1}`), where: `${name}:${index + 1}` });
    }
  } else {
    const document = parseOrThrow(text, name);
    const list = Array.isArray(document) ? document : isJsonObject(document) ? arrayAt(document, 'replies') : null;
    if (list === null) throw new AdapterError('BAD_OPTION', `${name}: a JSON script is a list of replies or {"replies": [...]}`);
    list.forEach((value, index) => entries.push({ value, where: `${name} replies[${index}]` }));
  }
  return entries.map(({ value, where }, index) => readReply(value, where, index + 1));
}

function parseOrThrow(text: string, where: string): unknown {
  const parsed = parseJson(text);
  if (!parsed.ok) throw new AdapterError('BAD_OPTION', `${where}: ${parsed.reason}`);
  return parsed.value;
}

function bad(where: string, what: string): AdapterError {
  return new AdapterError('BAD_OPTION', `${where}: ${what} (the script format is described in src/adapters/llm/script-file.ts)`);
}

function readReply(value: unknown, where: string, number: number): ScriptReply {
  if (!isJsonObject(value)) throw bad(where, 'a reply is a JSON object');
  const unknown = Object.keys(value).find((key) => !FIELDS.includes(key));
  if (unknown !== undefined) throw bad(where, `unknown field "${unknown}"; the fields are ${FIELDS.join(', ')}`);
  const success = SUCCESS_FIELDS.some((key) => value[key] !== undefined);
  const error = objectAt(value, 'error');
  const timeout = value['timeout'] === true;
  if ([success, error !== null, timeout].filter(Boolean).length > 1) throw bad(where, 'a reply is a success, an error or a timeout, not more than one');
  const delayMs = value['delay_ms'] === undefined ? 0 : countAt(value, 'delay_ms');
  if (delayMs === null || delayMs > LLM_SCRIPT_DELAY_MS_MAX) throw bad(where, `delay_ms is a whole number of milliseconds up to ${LLM_SCRIPT_DELAY_MS_MAX}`);
  const raw = jsonText(value);
  if (!raw.ok) throw bad(where, raw.reason);
  const answer = timeout ? { kind: 'timeout' as const } : error !== null ? { kind: 'error' as const, failure: readError(error, where) } : { kind: 'reply' as const, reply: readSuccess(value, where, number) };
  return { where, match: readMatch(value, where), delayMs, raw: raw.text, answer };
}

function readMatch(value: JsonObject, where: string): ScriptMatch {
  if (value['match'] === undefined) return { model: null, correlationId: null, lastMessageContains: null };
  const match = objectAt(value, 'match');
  if (match === null) throw bad(where, '"match" is an object');
  const extra = Object.keys(match).find((key) => !['model', 'correlation_id', 'last_message_contains'].includes(key));
  if (extra !== undefined) throw bad(where, `unknown match field "${extra}"`);
  return { model: textAt(match, 'model'), correlationId: textAt(match, 'correlation_id'), lastMessageContains: textAt(match, 'last_message_contains') };
}

function readSuccess(value: JsonObject, where: string, number: number): LlmReply {
  const toolCalls = (arrayAt(value, 'tool_calls') ?? []).map((item, index) => readToolCall(item, `${where} tool_calls[${index}]`));
  const finish = textAt(value, 'finish_reason');
  const reason = FINISH_REASONS.find((known) => known === finish);
  if (finish !== null && reason === undefined) throw bad(where, `finish_reason is one of ${FINISH_REASONS.join(', ')}`);
  const usage = objectAt(value, 'usage');
  return {
    text: textAt(value, 'text'), toolCalls, reasoning: textAt(value, 'reasoning'),
    usage: usage === null ? null : readUsage(usage, where),
    finish: reason === undefined ? { reason: toolCalls.length > 0 ? 'tool_calls' : 'stop', raw: null } : { reason, raw: finish },
    responseId: textAt(value, 'id') ?? `scripted-${number}`,
  };
}

function readToolCall(item: unknown, where: string): LlmReplyToolCall {
  if (!isJsonObject(item)) throw bad(where, 'a tool call is {"id", "name", "arguments"}');
  const id = textAt(item, 'id');
  const name = textAt(item, 'name');
  if (id === null || id === '' || name === null || name === '') throw bad(where, 'a tool call needs an id and a name');
  const given = item['arguments'];
  const written = typeof given === 'string' ? { ok: true as const, text: given } : jsonText(given ?? {});
  if (!written.ok) throw bad(where, `arguments: ${written.reason}`);
  return { call_id: id, name, arguments: written.text, provider_call_id: null };
}

function readUsage(usage: JsonObject, where: string): LlmTokenUsage {
  const prompt = countAt(usage, 'prompt');
  const completion = countAt(usage, 'completion');
  if (prompt === null || completion === null) throw bad(where, 'usage needs whole "prompt" and "completion" counts');
  return {
    prompt, completion, total: countAt(usage, 'total'), reasoning: countAt(usage, 'reasoning'),
    cacheRead: countAt(usage, 'cache_read'), cacheWrite: countAt(usage, 'cache_write'),
  };
}

function readError(error: JsonObject, where: string): LlmFailure {
  const message = textAt(error, 'message');
  if (message === null) throw bad(where, 'an error needs a "message"');
  const code = textAt(error, 'code') ?? 'SCRIPTED_ERROR';
  if (!/^[A-Z][A-Z0-9_]*$/.test(code)) throw bad(where, `the error code "${code}" is not UPPER_SNAKE`);
  return {
    status: 'error', code, message, retryable: error['retryable'] === true, httpStatus: countAt(error, 'http_status'),
    retryAfterMs: null, providerErrorType: null, requestId: null,
  };
}
