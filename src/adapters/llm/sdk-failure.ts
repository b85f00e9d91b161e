// Provider errors → failures. Each SDK's wrapper file (openai-client.ts, anthropic-client.ts)
// describes its own error classes as an SdkErrorKind; this file decides the outcome, the same
// way for every provider:
//   the body passed the size cap         → error RESPONSE_TOO_LARGE
//   the executor's signal fired          → timeout (whatever the SDK made of the abort)
//   the SDK's own request deadline       → timeout
//   network failure (DNS, refused, TLS)  → error NETWORK_FAILED, retryable
//   HTTP 429                             → error RATE_LIMITED, retryable (retry_after_ms when sent)
//   HTTP 401, 403                        → error AUTH_FAILED
//   HTTP 408, 409, 5xx (529 included)    → error PROVIDER_ERROR, retryable
//   any other HTTP 4xx                   → error BAD_REQUEST
//   anything else the SDK threw          → error MALFORMED_RESPONSE (a 2xx it could not read)
import type { LlmFailure } from './llm-reply.ts';
import { llmFailure, llmTimeout } from './llm-reply.ts';
import { LLM_RESPONSE_BYTES_MAX } from './limits.ts';
import type { RecordingFetch } from './recording-fetch.ts';
import { retryAfterMs, requestId } from './response-headers.ts';
import { networkFailure } from '../network-failure.ts';

/** An SDK error, described without the SDK's classes. */
export type SdkErrorKind =
  | { readonly kind: 'abort' }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'connection'; readonly cause: unknown }
  | { readonly kind: 'status'; readonly status: number; readonly headers: Headers | null; readonly message: string; readonly providerErrorType: string | null }
  | { readonly kind: 'other'; readonly message: string };

/** The failure for an error a provider call threw. */
export function sdkFailure(error: SdkErrorKind, recorder: RecordingFetch, signal: AbortSignal): LlmFailure {
  if (recorder.overflow !== null) {
    return llmFailure('RESPONSE_TOO_LARGE', `the provider answered ${recorder.overflow.status} with a body over ${LLM_RESPONSE_BYTES_MAX} bytes (LLM_RESPONSE_BYTES_MAX); the read stopped after ${recorder.overflow.bytesReceived} bytes`);
  }
  if (signal.aborted || error.kind === 'abort') return llmTimeout('the intent\'s deadline passed or it was cancelled before the provider answered');
  switch (error.kind) {
    case 'timeout': return llmTimeout('the provider did not answer within the request deadline');
    case 'connection': return llmFailure('NETWORK_FAILED', `the provider could not be reached: ${networkFailure(error.cause)}`, true);
    case 'status': return statusFailure(error);
    case 'other': return llmFailure('MALFORMED_RESPONSE', `the provider's answer could not be read: ${error.message}`);
  }
}

function statusFailure(error: Extract<SdkErrorKind, { kind: 'status' }>): LlmFailure {
  const { status } = error;
  const [code, retryable] = status === 429 ? ['RATE_LIMITED', true] as const
    : status === 401 || status === 403 ? ['AUTH_FAILED', false] as const
      : status === 408 || status === 409 || status >= 500 ? ['PROVIDER_ERROR', true] as const
        : status >= 400 ? ['BAD_REQUEST', false] as const
          : ['PROVIDER_ERROR', false] as const;
  return {
    ...llmFailure(code, `the provider answered HTTP ${error.message}`, retryable),
    httpStatus: status,
    retryAfterMs: error.headers === null ? null : retryAfterMs(error.headers),
    providerErrorType: error.providerErrorType,
    requestId: error.headers === null ? null : requestId(error.headers),
  };
}
