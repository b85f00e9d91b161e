// What a provider is to the adapter: it turns one provider-neutral request into a reply or a
// failure, and says what raw output it received.
import { InvariantError, assert } from '../../cbor/index.ts';
import type { Hash } from '../../cbor/index.ts';
import type { CostTable } from './cost.ts';
import type { LlmFailure, LlmReply, LlmWarning } from './llm-reply.ts';
import type { LlmRequest } from './llm-request.ts';
import type { Reading } from './read-blob.ts';
import type { RawExchange, RecordingFetch } from './recording-fetch.ts';
import { rateLimitHeaders } from './response-headers.ts';
import { sdkFailure } from './sdk-failure.ts';
import type { SdkErrorKind } from './sdk-failure.ts';

/** The provider APIs the adapter speaks. */
type LlmProviderKind = 'openai-chat' | 'openai-responses' | 'anthropic' | 'scripted';

/** What one execution gives a provider besides the request. */
export interface ProviderCall {
  /** The resolved API key, or null when none is configured; never stored anywhere. */
  readonly apiKey: string | null;
  readonly signal: AbortSignal;
  readonly intentHash: Hash;
  /** The intent's correlation_id (the scripted provider can match on it). */
  readonly correlationId: string | null;
  /** Where the provider adds what it changed or dropped on the way. */
  readonly warnings: LlmWarning[];
}

/** A reply or failure, with the raw output it came from (null when nothing arrived). */
export interface ProviderResult {
  readonly raw: Uint8Array | null;
  readonly rateLimits: Readonly<Record<string, string>> | null;
  readonly outcome: { readonly ok: true; readonly reply: LlmReply } | { readonly ok: false; readonly failure: LlmFailure };
}

/** A configured provider. */
export interface LlmProvider {
  readonly kind: LlmProviderKind;
  /** The provider_options section it reads ("openai", "anthropic"), or null for none. */
  readonly optionsFamily: string | null;
  /** The secret that holds its API key when the intent names none; null for none. */
  readonly apiKeySecret: string | null;
  /** True when a request without an API key cannot work (and must not fall back to ambient credentials). */
  readonly apiKeyRequired: boolean;
  readonly costs: CostTable;
  generate(request: LlmRequest, call: ProviderCall): Promise<ProviderResult>;
}

/** How one SDK call is made and read. */
interface SdkCall<T> {
  readonly recorder: RecordingFetch;
  readonly signal: AbortSignal;
  readonly send: () => Promise<T>;
  /** Describes an error the SDK threw, in SDK-neutral terms. */
  readonly describeError: (error: unknown) => SdkErrorKind;
  /** Reads the reply from what the SDK returned and the raw response the fetch recorded. */
  readonly read: (response: T, raw: RawExchange) => Reading<LlmReply>;
}

/** Makes one SDK call and settles it as a reply or a failure; only our own bugs throw. */
export async function callSdk<T>(call: SdkCall<T>): Promise<ProviderResult> {
  let response: T;
  try {
    response = await call.send();
  } catch (error) {
    if (error instanceof InvariantError) throw error;
    return resultOf(call.recorder, { ok: false, failure: sdkFailure(call.describeError(error), call.recorder, call.signal) });
  }
  const raw = call.recorder.raw;
  assert(raw !== null, 'an SDK call that returned went through the recording fetch');
  const reading = call.read(response, raw);
  return resultOf(call.recorder, reading.ok ? { ok: true, reply: reading.value } : { ok: false, failure: reading.failure });
}

function resultOf(recorder: RecordingFetch, outcome: ProviderResult['outcome']): ProviderResult {
  const raw = recorder.raw;
  return { raw: raw === null ? null : raw.bytes, rateLimits: raw === null ? null : rateLimitHeaders(raw.headers), outcome };
}
