// The one file that imports @anthropic-ai/sdk: builds a client for one execution and
// describes its errors. Options that shape security or time are explicit: the key is always
// given (left out, the SDK would look for credentials in the environment and in profile
// files), no base URL from the environment, no retries (the executor owns them), no logging,
// no OpenTelemetry spans.
import Anthropic, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from '@anthropic-ai/sdk';
import { LLM_REQUEST_TIMEOUT_MS } from './limits.ts';
import type { RecordingFetch } from './recording-fetch.ts';
import type { SdkErrorKind } from './sdk-failure.ts';

/** A client for one execution: its one response goes through `recorder`. */
export function createAnthropicClient(baseUrl: string, apiKey: string, recorder: RecordingFetch): Anthropic {
  return new Anthropic({
    apiKey,
    webhookKey: null,
    baseURL: baseUrl,
    fetch: recorder.fetch,
    maxRetries: 0,
    timeout: LLM_REQUEST_TIMEOUT_MS,
    logLevel: 'off',
    openTelemetry: false,
  });
}

/** An error the Anthropic SDK threw, in SDK-neutral terms. */
export function describeAnthropicError(error: unknown): SdkErrorKind {
  if (error instanceof APIUserAbortError) return { kind: 'abort' };
  if (error instanceof APIConnectionTimeoutError) return { kind: 'timeout' };
  if (error instanceof APIConnectionError) return { kind: 'connection', cause: error.cause ?? error };
  if (error instanceof APIError && error.status !== undefined) {
    return { kind: 'status', status: error.status, headers: error.headers ?? null, message: error.message, providerErrorType: error.type ?? null };
  }
  return { kind: 'other', message: error instanceof Error ? error.message : String(error) };
}
