// The llm.generate adapter and its configuration.
export { LLM_ADAPTER_ID_DEFAULT, LLM_GENERATE_EFFECT, LlmAdapter } from './llm-adapter.ts';
export { ANTHROPIC_BASE_URL_DEFAULT, OPENAI_BASE_URL_DEFAULT } from './llm-options.ts';
export type { AnthropicOptions, LlmAdapterOptions, LlmProviderOptions, OpenAiChatOptions, OpenAiResponsesOptions, ScriptedOptions } from './llm-options.ts';
export type { ModelPrice, PriceTable } from './cost.ts';
export type { LlmFailureCode } from './llm-reply.ts';
export type { MaxTokensField } from './openai-chat-body.ts';
