// How an LLM adapter is configured: named providers, each of one kind. The intent's
// `provider` param picks one by name, so a world can say "ollama" or "mock" and the node maps
// that name to an openai-chat server or a script. Options are checked when the adapter is
// built; a bad one is an AdapterError BAD_OPTION that names it.
import { AdapterError } from '../errors.ts';
import { AnthropicProvider } from './anthropic-messages.ts';
import { CostTable } from './cost.ts';
import type { PriceTable } from './cost.ts';
import type { MaxTokensField } from './openai-chat-body.ts';
import { OpenAiChatProvider } from './openai-chat.ts';
import { OpenAiResponsesProvider } from './openai-responses.ts';
import type { LlmProvider } from './provider.ts';
import { readScriptFile } from './script-file.ts';
import { ScriptedProvider } from './scripted-provider.ts';

/** OpenAI's API root, the default base URL of both OpenAI providers. */
export const OPENAI_BASE_URL_DEFAULT = 'https://api.openai.com/v1';
/** Anthropic's API root (the SDK appends /v1/messages). */
export const ANTHROPIC_BASE_URL_DEFAULT = 'https://api.anthropic.com';

interface HttpProviderOptions {
  /** API root: for OpenAI-style servers up to and including /v1 (e.g. http://127.0.0.1:11434/v1 for Ollama). */
  readonly baseUrl?: string;
  /**
   * The secret (a defsecret name such as "llm/openai_api@1") that holds the API key, used when
   * the intent's api_key names none. Resolved through the executor at each execution.
   */
  readonly apiKeySecret?: string;
  /** Prices in cents per million tokens by model name; a model without a price gets no cost_cents. */
  readonly prices?: PriceTable;
}

/** Chat Completions: OpenAI, or any server that copies its API. */
export interface OpenAiChatOptions extends HttpProviderOptions {
  readonly kind: 'openai-chat';
  /** Ask for a server-sent-event stream (usage included); default false. */
  readonly stream?: boolean;
  /** The body field of the token limit; default max_tokens, which every compatible server reads. */
  readonly maxTokensField?: MaxTokensField;
}

/** OpenAI's Responses API. */
export interface OpenAiResponsesOptions extends HttpProviderOptions {
  readonly kind: 'openai-responses';
}

/** Anthropic's Messages API; it needs a key. */
export interface AnthropicOptions extends HttpProviderOptions {
  readonly kind: 'anthropic';
}

/** Replies from a script file (format in script-file.ts). */
export interface ScriptedOptions {
  readonly kind: 'scripted';
  readonly scriptPath: string;
  readonly prices?: PriceTable;
}

/** One provider's options. */
export type LlmProviderOptions = OpenAiChatOptions | OpenAiResponsesOptions | AnthropicOptions | ScriptedOptions;

/** How an LLM adapter is built. */
export interface LlmAdapterOptions {
  /** The adapter_id its receipts carry; default LLM_ADAPTER_ID_DEFAULT. */
  readonly id?: string;
  /** Providers by the name intents give in `provider`. */
  readonly providers: Readonly<Record<string, LlmProviderOptions>>;
}

/** Builds and checks every provider. */
export function buildProviders(options: LlmAdapterOptions): ReadonlyMap<string, LlmProvider> {
  const providers = new Map<string, LlmProvider>();
  for (const [name, provider] of Object.entries(options.providers)) {
    if (name === '') throw new AdapterError('BAD_OPTION', 'a provider name is empty; intents name providers in their `provider` param');
    providers.set(name, buildProvider(name, provider));
  }
  if (providers.size === 0) throw new AdapterError('BAD_OPTION', 'an LLM adapter needs at least one provider');
  return providers;
}

function buildProvider(name: string, options: LlmProviderOptions): LlmProvider {
  const where = `provider "${name}"`;
  const costs = new CostTable(options.prices ?? {}, where);
  switch (options.kind) {
    case 'openai-chat': {
      const maxTokensField = options.maxTokensField ?? 'max_tokens';
      if (maxTokensField !== 'max_tokens' && maxTokensField !== 'max_completion_tokens') {
        throw new AdapterError('BAD_OPTION', `${where}: maxTokensField is "${String(maxTokensField)}"; give max_tokens or max_completion_tokens`);
      }
      return new OpenAiChatProvider({ ...http(options, OPENAI_BASE_URL_DEFAULT, where), costs, stream: options.stream === true, maxTokensField });
    }
    case 'openai-responses': return new OpenAiResponsesProvider({ ...http(options, OPENAI_BASE_URL_DEFAULT, where), costs });
    case 'anthropic': return new AnthropicProvider({ ...http(options, ANTHROPIC_BASE_URL_DEFAULT, where), costs });
    case 'scripted': return new ScriptedProvider(readScriptFile(options.scriptPath), costs, options.scriptPath);
    default: {
      // Options often come from a config file, so a kind outside the union is a user's mistake, not ours.
      const given: { readonly kind?: unknown } = options;
      throw new AdapterError('BAD_OPTION', `${where}: kind "${String(given.kind)}" is not openai-chat, openai-responses, anthropic or scripted`);
    }
  }
}

function http(options: HttpProviderOptions, baseUrlDefault: string, where: string): { baseUrl: string; apiKeySecret: string | null } {
  const baseUrl = options.baseUrl ?? baseUrlDefault;
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch (error) {
    throw new AdapterError('BAD_OPTION', `${where}: baseUrl "${baseUrl}" is not a URL`, { cause: error });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new AdapterError('BAD_OPTION', `${where}: baseUrl "${baseUrl}" is not http or https`);
  if (url.username !== '' || url.password !== '') throw new AdapterError('BAD_OPTION', `${where}: baseUrl carries credentials; name a secret in apiKeySecret instead`);
  if (options.apiKeySecret === '') throw new AdapterError('BAD_OPTION', `${where}: apiKeySecret is empty; give a secret name or leave it out`);
  return { baseUrl: baseUrl.replace(/\/+$/, ''), apiKeySecret: options.apiKeySecret ?? null };
}
