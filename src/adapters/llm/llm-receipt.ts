// The blobs and the sys/LlmGenerateReceipt@1 payload of every outcome.
//
// Blobs (UTF-8 JSON, compact, keys in a fixed order, absent options left out, as upstream's
// serde writes them, so equal replies give equal hashes):
//   output_ref       sys/LlmOutputEnvelope@1 as JSON: {"assistant_text"?, "tool_calls_ref"?, "reasoning_ref"?}
//   tool_calls_ref   sys/LlmToolCallList@1 as JSON: [{"call_id", "tool_name", "arguments_ref", "provider_call_id"?}]
//   arguments_ref    the call's arguments: JSON text exactly as the provider sent it
//   reasoning_ref    the reasoning or thinking text (plain UTF-8)
//   raw_output_ref   the provider's response body, byte for byte (JSON, or the SSE text of a stream)
//   warnings_ref     [{"code", "message"}]: what the adapter changed or dropped on the way
//   rate_limit_ref   {header: value}: the response's rate-limit headers
// Failures (error or timeout): the schema has no failure field and the executor checks every
// payload against it, so a failure is a receipt of the same schema whose output_ref names an
// error document {"error": {"code", "message", "retryable", "http_status"?, "retry_after_ms"?,
// "provider_error_type"?, "request_id"?}}, finish_reason {reason: "error"|"timeout", raw: code},
// token_usage zero, and raw_output_ref the provider's error body when there was one.
// (Upstream stores the bare message text; the JSON document keeps the code machine-readable.)
import { assert, encodeCanonical } from '../../cbor/index.ts';
import type { CborObject, Hash } from '../../cbor/index.ts';
import type { AdapterBlobs, AdapterOutcome } from '../adapter.ts';
import { LLM_ERROR_MESSAGE_CHARS_MAX } from './limits.ts';
import type { LlmFailure, LlmReply, LlmTokenUsage, LlmWarning } from './llm-reply.ts';
import type { SecretGuard } from './secret-guard.ts';

const ENCODER = new TextEncoder();

/** Everything besides the reply that goes into a receipt. */
export interface ReceiptContext {
  /** The provider name the intent asked for (the receipt's provider_id). */
  readonly providerId: string;
  readonly raw: Uint8Array | null;
  readonly rateLimits: Readonly<Record<string, string>> | null;
  readonly warnings: readonly LlmWarning[];
}

/** Writes the adapter's blobs, each through the secret guard. */
export class ReceiptBlobs {
  constructor(private readonly blobs: AdapterBlobs, readonly guard: SecretGuard) {}

  /** Stores bytes (with any copy of the key redacted) and returns their hash. */
  put(bytes: Uint8Array): Hash {
    return this.blobs.put(this.guard.bytes(bytes));
  }

  /** Stores UTF-8 text. */
  putText(text: string): Hash {
    return this.put(ENCODER.encode(text));
  }

  /** JSON text of data the adapter built (strings, numbers, booleans, arrays, objects). */
  putJson(value: unknown): Hash {
    return this.putText(JSON.stringify(value));
  }
}

/** The outcome of a reply: status ok, with usage and cost when known. */
export function okOutcome(reply: LlmReply, context: ReceiptContext, costCents: number | null, writer: ReceiptBlobs): AdapterOutcome {
  const calls = reply.toolCalls.map((call) => ({
    call_id: call.call_id, tool_name: call.name, arguments_ref: writer.putText(call.arguments),
    ...(call.provider_call_id === null ? {} : { provider_call_id: call.provider_call_id }),
  }));
  const toolCallsRef = calls.length === 0 ? null : writer.putJson(calls);
  const reasoningRef = reply.reasoning === null || reply.reasoning === '' ? null : writer.putText(reply.reasoning);
  const envelope = {
    ...(reply.text === null || reply.text === '' ? {} : { assistant_text: reply.text }),
    ...(toolCallsRef === null ? {} : { tool_calls_ref: toolCallsRef }),
    ...(reasoningRef === null ? {} : { reasoning_ref: reasoningRef }),
  };
  const usage = reply.usage;
  const payload = basePayload(writer.putJson(envelope), context, writer, {
    provider_response_id: reply.responseId === null ? null : writer.guard.text(reply.responseId),
    finish_reason: { reason: reply.finish.reason, raw: reply.finish.raw === null ? null : writer.guard.text(reply.finish.raw) },
    token_usage: usage === null ? { prompt: 0, completion: 0, total: null } : { prompt: usage.prompt, completion: usage.completion, total: usage.total ?? usage.prompt + usage.completion },
    usage_details: usageDetails(usage),
    cost_cents: costCents,
  });
  return {
    status: 'ok', payload,
    ...(costCents === null ? {} : { cost_cents: costCents }),
    ...(usage === null ? {} : { usage: { prompt_tokens: usage.prompt, completion_tokens: usage.completion } }),
  };
}

/** The outcome of a failure: status error or timeout, an error document as the output. */
export function failureOutcome(failure: LlmFailure, context: ReceiptContext, writer: ReceiptBlobs): AdapterOutcome {
  const message = writer.guard.text(failure.message);
  const error = {
    code: failure.code,
    message: message.length > LLM_ERROR_MESSAGE_CHARS_MAX ? `${message.slice(0, LLM_ERROR_MESSAGE_CHARS_MAX)}…` : message,
    retryable: failure.retryable,
    ...(failure.httpStatus === null ? {} : { http_status: failure.httpStatus }),
    ...(failure.retryAfterMs === null ? {} : { retry_after_ms: failure.retryAfterMs }),
    ...(failure.providerErrorType === null ? {} : { provider_error_type: failure.providerErrorType }),
    ...(failure.requestId === null ? {} : { request_id: failure.requestId }),
  };
  const payload = basePayload(writer.putJson({ error }), context, writer, {
    provider_response_id: null,
    finish_reason: { reason: failure.status, raw: failure.code },
    token_usage: { prompt: 0, completion: 0, total: 0 },
    usage_details: null,
    cost_cents: null,
  });
  return { status: failure.status, payload };
}

/** The payload fields that differ between a reply and a failure. */
interface ReplyFields {
  readonly provider_response_id: string | null;
  readonly finish_reason: CborObject;
  readonly token_usage: CborObject;
  readonly usage_details: CborObject | null;
  readonly cost_cents: number | null;
}

function basePayload(outputRef: Hash, context: ReceiptContext, writer: ReceiptBlobs, fields: ReplyFields): CborObject {
  const payload: CborObject = {
    output_ref: outputRef,
    raw_output_ref: context.raw === null ? null : writer.put(context.raw),
    provider_response_id: fields.provider_response_id,
    finish_reason: fields.finish_reason,
    token_usage: fields.token_usage,
    usage_details: fields.usage_details,
    warnings_ref: context.warnings.length === 0 ? null : writer.putJson(context.warnings.map((warning) => ({ code: warning.code, message: writer.guard.text(warning.message) }))),
    rate_limit_ref: context.rateLimits === null ? null : writer.putJson(context.rateLimits),
    cost_cents: fields.cost_cents,
    provider_id: writer.guard.text(context.providerId),
  };
  assert(!writer.guard.appearsIn(encodeCanonical(payload)), 'the receipt payload holds no secret: every provider string passed the guard');
  return payload;
}

function usageDetails(usage: LlmTokenUsage | null): CborObject | null {
  if (usage === null || (usage.reasoning === null && usage.cacheRead === null && usage.cacheWrite === null)) return null;
  return { reasoning_tokens: usage.reasoning, cache_read_tokens: usage.cacheRead, cache_write_tokens: usage.cacheWrite };
}
