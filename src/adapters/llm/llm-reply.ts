// What a provider answered, provider-neutral: a reply the receipt is built from, or a failure
// that settles the intent as an error or timeout receipt.

/** A tool call in the model's reply, exactly as the provider sent it. */
export interface LlmReplyToolCall {
  /** The id the conversation refers to the call by (the tool result names it). */
  readonly call_id: string;
  readonly name: string;
  /** The arguments as JSON text, byte for byte as the provider sent them where it sends text (OpenAI). */
  readonly arguments: string;
  /** The provider's own id of the call when it differs from call_id (the Responses API's item id). */
  readonly provider_call_id: string | null;
}

/** Token counts; null where the provider did not say. `prompt` includes cached prompt tokens. */
export interface LlmTokenUsage {
  readonly prompt: number;
  readonly completion: number;
  readonly total: number | null;
  readonly reasoning: number | null;
  readonly cacheRead: number | null;
  readonly cacheWrite: number | null;
}

/** Something the adapter changed or dropped on the way; stored in the receipt's warnings blob. */
export interface LlmWarning {
  readonly code: string;
  readonly message: string;
}

/**
 * Normalised finish reasons (upstream's set): stop, length, tool_calls, content_filter, other;
 * `raw` is the provider's own word.
 */
export interface LlmFinish {
  readonly reason: 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'other';
  readonly raw: string | null;
}

/** A successful reply. */
export interface LlmReply {
  readonly text: string | null;
  readonly toolCalls: readonly LlmReplyToolCall[];
  readonly reasoning: string | null;
  /** Null when the provider reported no usage (some OpenAI-compatible servers). */
  readonly usage: LlmTokenUsage | null;
  readonly finish: LlmFinish;
  readonly responseId: string | null;
}

/** Why an intent settled without a reply; the `code` field of the error document. */
export type LlmFailureCode =
  | 'INVALID_PARAMS'      // the params do not fit sys/LlmGenerateParams@1 (a kernel bug)
  | 'UNKNOWN_PROVIDER'    // params.provider names no provider of this adapter
  | 'LITERAL_API_KEY'     // params.api_key is a literal: keys come only from secrets
  | 'NO_API_KEY'          // the provider needs a key and neither the params nor the config name a secret
  | 'SECRET_UNAVAILABLE'  // the secret could not be resolved (unknown, or not allowed for this grant)
  | 'BLOB_MISSING'        // a message, tool, options or format blob is not in the CAS
  | 'BAD_MESSAGE'         // a message blob has no shape the adapter reads
  | 'BAD_TOOL'            // a tool blob has no shape the adapter reads
  | 'BAD_OPTIONS'         // the provider options or response format blob is not what it must be
  | 'UNSUPPORTED'         // the provider's API cannot express something the request asks for
  | 'RATE_LIMITED'        // HTTP 429
  | 'AUTH_FAILED'         // HTTP 401 or 403
  | 'BAD_REQUEST'         // any other HTTP 4xx
  | 'PROVIDER_ERROR'      // HTTP 5xx (or any other non-2xx status)
  | 'PROVIDER_FAILED'     // a 2xx answer that reports the generation failed
  | 'NETWORK_FAILED'      // DNS, refused, reset, TLS (the HTTP adapter's code too)
  | 'MALFORMED_RESPONSE'  // a 2xx answer the adapter cannot read
  | 'RESPONSE_TOO_LARGE'  // the body passed LLM_RESPONSE_BYTES_MAX
  | 'SCRIPT_EXHAUSTED'    // the scripted provider has no unused reply that matches
  | 'SCRIPTED_ERROR'      // the script asked for an error (its own code, when given, replaces this)
  | 'TIMEOUT';            // the deadline passed or the intent was cancelled (status timeout)

/** A failure; `retryable` says whether the same request may succeed later (429, 5xx, network, timeout). */
export interface LlmFailure {
  readonly status: 'error' | 'timeout';
  readonly code: string;
  readonly message: string;
  readonly retryable: boolean;
  readonly httpStatus: number | null;
  /** From a retry-after or retry-after-ms header, when the provider sent one. */
  readonly retryAfterMs: number | null;
  /** The provider's error type or code from its error body (e.g. "rate_limit_error"). */
  readonly providerErrorType: string | null;
  /** The provider's request id header, for support tickets. */
  readonly requestId: string | null;
}

/** A failure with nothing provider-specific to say. */
export function llmFailure(code: Exclude<LlmFailureCode, 'TIMEOUT'>, message: string, retryable = false): LlmFailure {
  return { status: 'error', code, message, retryable, httpStatus: null, retryAfterMs: null, providerErrorType: null, requestId: null };
}

/** A timeout failure. */
export function llmTimeout(message: string): LlmFailure {
  return { status: 'timeout', code: 'TIMEOUT', message, retryable: true, httpStatus: null, retryAfterMs: null, providerErrorType: null, requestId: null };
}
