// What the adapter asks a provider for, once the intent's params and blobs are read: one
// provider-neutral request that each provider translates into its own API's body.

/** A tool call the model made earlier in the conversation, or in its reply. `arguments` is JSON text, kept as given. */
export interface LlmToolCall {
  readonly id: string;
  readonly name: string;
  readonly arguments: string;
}

/** One piece of a message. */
export type LlmPart =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'tool_call'; readonly call: LlmToolCall }
  | { readonly kind: 'tool_result'; readonly call_id: string; readonly output: string; readonly is_error: boolean };

/** Roles a message blob may name (anything else reads as user, as upstream). */
export type LlmRole = 'system' | 'developer' | 'user' | 'assistant' | 'tool';

/** One message of the conversation. */
export interface LlmMessage {
  readonly role: LlmRole;
  readonly parts: readonly LlmPart[];
}

/** A tool the model may call; `parameters` is a JSON Schema object. */
export interface LlmToolDefinition {
  readonly name: string;
  readonly description: string;
  readonly parameters: Readonly<Record<string, unknown>>;
}

/** How the model may use the tools (sys/LlmToolChoice@1). */
export type LlmToolChoice =
  | { readonly mode: 'auto' }
  | { readonly mode: 'none' }
  | { readonly mode: 'required' }
  | { readonly mode: 'tool'; readonly name: string };

/** A structured-output request, read from the response_format_ref blob. */
export type LlmResponseFormat =
  | { readonly type: 'text' }
  | { readonly type: 'json_object' }
  | { readonly type: 'json_schema'; readonly name: string; readonly schema: Readonly<Record<string, unknown>>; readonly strict: boolean | null };

/** The whole request, provider-neutral. Absent settings are null. */
export interface LlmRequest {
  readonly model: string;
  readonly messages: readonly LlmMessage[];
  readonly tools: readonly LlmToolDefinition[];
  readonly toolChoice: LlmToolChoice | null;
  readonly temperature: number | null;
  readonly topP: number | null;
  readonly maxTokens: number | null;
  readonly reasoningEffort: string | null;
  readonly stopSequences: readonly string[] | null;
  readonly metadata: ReadonlyArray<readonly [string, string]> | null;
  /** The provider_options_ref blob's section for this provider's API, merged under the body. */
  readonly providerOptions: Readonly<Record<string, unknown>> | null;
  readonly responseFormat: LlmResponseFormat | null;
}
