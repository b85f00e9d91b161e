// The sys/llm.generate@1 adapter: one generation through a configured provider (OpenAI Chat
// Completions or any server that copies it, the OpenAI Responses API, Anthropic Messages, or a
// script), messages and tools read from the CAS, outputs written to it.
//
// Outcomes (payloads are always sys/LlmGenerateReceipt@1 values; blob shapes in llm-receipt.ts):
// - ok: the provider answered 2xx with a reply the adapter could read; usage and cost_cents
//   (from the provider's price table, rounded up to whole cents) when known.
// - timeout: the executor's signal fired (the intent's deadline, or a cancel) or the SDK's own
//   deadline passed, before the reply was complete.
// - error: anything else: unreadable params or blobs, an unknown provider, no key, an HTTP
//   error status (429, 5xx, 4xx), a network failure, a malformed or oversized answer. The
//   output_ref names an error document with a stable code (LlmFailureCode).
// CAS write failures are not receipts: they propagate, and the executor retries the intent.
import { assert } from '../../cbor/index.ts';
import type { Adapter, AdapterContext, AdapterIntent, AdapterOutcome } from '../adapter.ts';
import { AdapterError } from '../errors.ts';
import { resolveApiKey } from './api-key.ts';
import { buildProviders } from './llm-options.ts';
import type { LlmAdapterOptions } from './llm-options.ts';
import { readLlmParams } from './llm-params.ts';
import { failureOutcome, okOutcome, ReceiptBlobs } from './llm-receipt.ts';
import type { ReceiptContext } from './llm-receipt.ts';
import { llmFailure, llmTimeout } from './llm-reply.ts';
import type { LlmFailure, LlmWarning } from './llm-reply.ts';
import { loadRequest } from './load-request.ts';
import type { LlmProvider } from './provider.ts';
import { SecretGuard } from './secret-guard.ts';

/** The effect this adapter executes. */
export const LLM_GENERATE_EFFECT = 'sys/llm.generate@1';
/** The adapter_id of an LLM adapter built without one (upstream's default route name). */
export const LLM_ADAPTER_ID_DEFAULT = 'llm.default';

/** Executes sys/llm.generate@1 through its configured providers. */
export class LlmAdapter implements Adapter {
  readonly id: string;
  readonly kinds: readonly string[] = [LLM_GENERATE_EFFECT];
  private readonly providers: ReadonlyMap<string, LlmProvider>;

  constructor(options: LlmAdapterOptions) {
    this.id = options.id ?? LLM_ADAPTER_ID_DEFAULT;
    if (this.id === '') throw new AdapterError('BAD_OPTION', 'an LLM adapter needs a non-empty id (the adapter_id of its receipts)');
    this.providers = buildProviders(options);
  }

  async execute(intent: AdapterIntent, context: AdapterContext): Promise<AdapterOutcome> {
    assert(intent.effect_kind === LLM_GENERATE_EFFECT, `the executor routes only ${LLM_GENERATE_EFFECT} to the LLM adapter, not ${intent.effect_kind}`);
    const warnings: LlmWarning[] = [];
    const noKey = new ReceiptBlobs(context.blobs, new SecretGuard(null));
    const params = readLlmParams(intent);
    if (!params.ok) return settle(params.failure, '', warnings, noKey);
    const providerId = params.value.provider;
    const provider = this.providers.get(providerId);
    if (provider === undefined) {
      const known = [...this.providers.keys()].map((name) => `"${name}"`).join(', ');
      return settle(llmFailure('UNKNOWN_PROVIDER', `provider "${providerId}" is not configured in adapter ${this.id}; it has ${known}`), providerId, warnings, noKey);
    }
    const key = resolveApiKey(params.value.apiKey, provider, providerId, context.secrets);
    if (!key.ok) return settle(key.failure, providerId, warnings, noKey);
    const writer = new ReceiptBlobs(context.blobs, new SecretGuard(key.value));
    if (context.signal.aborted) return settle(llmTimeout('the intent\'s deadline passed or it was cancelled before the request was sent'), providerId, warnings, writer);
    const request = loadRequest(params.value, provider.optionsFamily, context.blobs, warnings);
    if (!request.ok) return settle(request.failure, providerId, warnings, writer);
    const result = await provider.generate(request.value, {
      apiKey: key.value, signal: context.signal, intentHash: intent.intent_hash, correlationId: params.value.correlationId, warnings,
    });
    const receipt: ReceiptContext = { providerId, raw: result.raw, rateLimits: result.rateLimits, warnings };
    if (!result.outcome.ok) return failureOutcome(result.outcome.failure, receipt, writer);
    const usage = result.outcome.reply.usage;
    const costCents = usage === null ? null : provider.costs.costCents(params.value.model, usage);
    return okOutcome(result.outcome.reply, receipt, costCents, writer);
  }
}

function settle(failure: LlmFailure, providerId: string, warnings: readonly LlmWarning[], writer: ReceiptBlobs): AdapterOutcome {
  return failureOutcome(failure, { providerId, raw: null, rateLimits: null, warnings }, writer);
}
