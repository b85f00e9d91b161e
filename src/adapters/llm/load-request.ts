// An intent's params and the blobs they name → one provider-neutral request.
import type { AdapterBlobs } from '../adapter.ts';
import type { LlmParams } from './llm-params.ts';
import { llmFailure } from './llm-reply.ts';
import type { LlmWarning } from './llm-reply.ts';
import type { LlmRequest } from './llm-request.ts';
import { readMessages } from './message-blobs.ts';
import { readProviderOptions, readResponseFormat } from './option-blobs.ts';
import { failed } from './read-blob.ts';
import type { Reading } from './read-blob.ts';
import { readTools } from './tool-blobs.ts';

/**
 * Reads the messages, tools, provider options (the section of `optionsFamily`; none for the
 * scripted provider) and response format. runtime.tool_choice wins over a tool blob's.
 */
export function loadRequest(params: LlmParams, optionsFamily: string | null, blobs: AdapterBlobs, warnings: LlmWarning[]): Reading<LlmRequest> {
  if (params.messageRefs.length === 0) return failed(llmFailure('BAD_MESSAGE', 'message_refs is empty; an llm.generate intent names at least one message blob'));
  const messages = readMessages(params.messageRefs, blobs, warnings);
  if (!messages.ok) return messages;
  const tools = params.toolRefs === null ? { ok: true as const, value: { tools: [], toolChoice: null } } : readTools(params.toolRefs, blobs);
  if (!tools.ok) return tools;
  let providerOptions: Readonly<Record<string, unknown>> | null = null;
  if (params.providerOptionsRef !== null && optionsFamily !== null) {
    const options = readProviderOptions(params.providerOptionsRef, optionsFamily, blobs);
    if (!options.ok) return options;
    providerOptions = options.value;
  }
  let responseFormat = null;
  if (params.responseFormatRef !== null) {
    const format = readResponseFormat(params.responseFormatRef, blobs);
    if (!format.ok) return format;
    responseFormat = format.value;
  }
  return {
    ok: true,
    value: {
      model: params.model, messages: messages.value, tools: tools.value.tools, toolChoice: params.toolChoice ?? tools.value.toolChoice,
      temperature: params.temperature, topP: params.topP, maxTokens: params.maxTokens, reasoningEffort: params.reasoningEffort,
      stopSequences: params.stopSequences, metadata: params.metadata, providerOptions, responseFormat,
    },
  };
}
