// The one file that imports the openai SDK (v6; v7 needs Node 22): builds a client for one
// execution and describes its errors. Every option that shapes security or time is explicit:
// no ambient credentials, organisation, project or base URL from the environment (the SDK
// reads OPENAI_* variables for any option left undefined), no retries (a retried request
// would be invisible in the receipt; the executor owns retries), no logging.
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { LLM_REQUEST_TIMEOUT_MS } from './limits.ts';
import type { RecordingFetch } from './recording-fetch.ts';
import type { SdkErrorKind } from './sdk-failure.ts';

/**
 * The SDK refuses to build a client without a key; for a server that takes none (a local
 * llama.cpp or Ollama), it gets this and the Authorization header is dropped.
 */
const KEYLESS_PLACEHOLDER = 'keyless';

/** A client for one execution: its one response goes through `recorder`. */
export function createOpenAiClient(baseUrl: string, apiKey: string | null, recorder: RecordingFetch): OpenAI {
  return new OpenAI({
    apiKey: apiKey ?? KEYLESS_PLACEHOLDER,
    adminAPIKey: null,
    organization: null,
    project: null,
    webhookSecret: null,
    baseURL: baseUrl,
    fetch: recorder.fetch,
    maxRetries: 0,
    timeout: LLM_REQUEST_TIMEOUT_MS,
    logLevel: 'off',
    ...(apiKey === null ? { defaultHeaders: { Authorization: null } } : {}),
  });
}

/** An error the openai SDK threw, in SDK-neutral terms. */
export function describeOpenAiError(error: unknown): SdkErrorKind {
  if (error instanceof APIUserAbortError) return { kind: 'abort' };
  if (error instanceof APIConnectionTimeoutError) return { kind: 'timeout' };
  if (error instanceof APIConnectionError) return { kind: 'connection', cause: error.cause ?? error };
  if (error instanceof APIError && error.status !== undefined) {
    return { kind: 'status', status: error.status, headers: error.headers ?? null, message: error.message, providerErrorType: error.code ?? error.type ?? null };
  }
  return { kind: 'other', message: error instanceof Error ? error.message : String(error) };
}
