// What module authors import. Everything here is bundled into modules and runs inside the
// sandbox: no node:*, no host objects. The test harness lives apart, in ./testing.ts.
export { decodeCbor } from './cbor-decode.ts';
export { encodeCbor } from './cbor-encode.ts';
export type { PureContext, WorkflowContext } from './context.ts';
export { definePure } from './define-pure.ts';
export { defineWorkflow } from './define-workflow.ts';
export { effect } from './effects.ts';
export type { BlobGetParams, BlobPutParams, EffectIntent, EffectOptions, HttpRequestParams, TimerSetParams } from './effects.ts';
export { SdkError } from './errors.ts';
export type { SdkErrorCode } from './errors.ts';
export { ModuleFailure } from './module-failure.ts';
export { decodeReceipt, isReceipt, RECEIPT_ENVELOPE_SCHEMA } from './receipts.ts';
export type { BlobGetReceipt, BlobPutReceipt, EffectReceiptEnvelope, HttpRequestReceipt, Receipt, ReceiptPayloads, TimerSetReceipt } from './receipts.ts';
export { sha256Hash } from './sha256.ts';
export { Tagged } from './values.ts';
export { utf8Decode, utf8Encode } from './utf8.ts';
export type { AirRecord, AirValue, Variant } from './values.ts';
export type { EmittedEvent, PureSpec, StepOutcome, WorkflowEvent, WorkflowSpec } from './workflow-types.ts';
