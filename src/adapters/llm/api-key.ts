// Where an execution's API key comes from. Keys come only from secrets, resolved through the
// executor at execution time: the intent's api_key secret ref (by its defsecret name,
// alias@version) first, else the provider's configured apiKeySecret. A literal api_key is
// refused, because it would already sit in the journal. The key goes to the SDK client built
// for this one execution and to the secret guard, and nowhere else.
import { InvariantError } from '../../cbor/index.ts';
import type { AdapterSecrets } from '../adapter.ts';
import type { ApiKeySource } from './llm-params.ts';
import { llmFailure } from './llm-reply.ts';
import type { LlmProvider } from './provider.ts';
import type { Reading } from './read-blob.ts';

/** The key for this execution, null when the provider runs without one, or the failure. */
export function resolveApiKey(source: ApiKeySource, provider: LlmProvider, providerName: string, secrets: AdapterSecrets): Reading<string | null> {
  if (provider.kind === 'scripted') return { ok: true, value: null };
  if (source !== null && source.kind === 'literal') {
    return { ok: false, failure: llmFailure('LITERAL_API_KEY', 'params.api_key is a literal, which puts the key in the journal; store it as a secret and pass a secret ref ({"$tag": "secret", "$value": {"alias", "version"}})') };
  }
  const name = source === null ? provider.apiKeySecret : source.name;
  if (name === null) {
    if (!provider.apiKeyRequired) return { ok: true, value: null };
    return { ok: false, failure: llmFailure('NO_API_KEY', `provider "${providerName}" needs an API key: pass api_key as a secret ref, or set apiKeySecret in the provider's options`) };
  }
  let value: string;
  try {
    value = secrets.resolve(name);
  } catch (error) {
    if (error instanceof InvariantError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, failure: llmFailure('SECRET_UNAVAILABLE', `the API key secret "${name}" could not be resolved: ${reason}`) };
  }
  if (value === '') return { ok: false, failure: llmFailure('SECRET_UNAVAILABLE', `the API key secret "${name}" is empty`) };
  return { ok: true, value };
}
