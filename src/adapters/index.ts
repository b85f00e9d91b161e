export { ReceiptSigner } from './receipt-signer.ts';
export type { Adapter, AdapterBlobs, AdapterContext, AdapterIntent, AdapterOutcome, AdapterSecrets, AdapterUsage } from './adapter.ts';
export { AdapterError } from './errors.ts';
export type { AdapterErrorCode } from './errors.ts';
export { BLOB_ADAPTER_ID_DEFAULT, BLOB_GET_EFFECT, BLOB_PUT_EFFECT, BlobAdapter, blobEdgeNode } from './blob-adapter.ts';
export type { BlobAdapterOptions } from './blob-adapter.ts';
export { HTTP_ADAPTER_ID_DEFAULT, HTTP_REQUEST_EFFECT, HttpAdapter } from './http-adapter.ts';
export type { HttpAdapterOptions } from './http-adapter.ts';
export { IDEMPOTENCY_KEY_HEADER } from './http-headers.ts';
export { HTTP_ERROR_HEADER, HTTP_ERROR_MESSAGE_HEADER, HTTP_STATUS_NO_RESPONSE } from './http-receipt.ts';
export type { HttpErrorCode } from './http-receipt.ts';
export { BLOB_GET_BYTES_MAX, HTTP_REDIRECT_HOPS_MAX, HTTP_RESPONSE_BYTES_MAX, HTTP_TIMEOUT_MS_DEFAULT } from './limits.ts';
export { ANTHROPIC_BASE_URL_DEFAULT, LLM_ADAPTER_ID_DEFAULT, LLM_GENERATE_EFFECT, LlmAdapter, OPENAI_BASE_URL_DEFAULT } from './llm/index.ts';
export type {
  AnthropicOptions, LlmAdapterOptions, LlmFailureCode, LlmProviderOptions, MaxTokensField, ModelPrice, OpenAiChatOptions, OpenAiResponsesOptions, PriceTable, ScriptedOptions,
} from './llm/index.ts';
export { KERNEL_ADAPTER_ID } from './kernel-adapter-id.ts';
export { INTROSPECT_EFFECTS, IntrospectAdapter } from './introspect-adapter.ts';
export type { IntrospectedCell, ReadMeta, WorldIntrospection } from './introspect-adapter.ts';
export { WORKSPACE_EFFECTS, WorkspaceAdapter, WorkspaceTrees } from './workspace/index.ts';
export type { WorkspaceHistory, WorkspaceRegistry, WorkspaceVersion } from './workspace/index.ts';
export { HOST_ADAPTER_ID_DEFAULT, HOST_EFFECTS, HostAdapter } from './host/index.ts';
export type { HostAdapterOptions } from './host/index.ts';
