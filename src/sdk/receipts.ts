// Receipts come back to a workflow as events of schema sys/EffectReceiptEnvelope@1 whose
// `receipt_payload` is the canonical CBOR of the effect's receipt schema.
import { decodeCbor } from './cbor-decode.ts';
import { SdkError } from './errors.ts';
import type { WorkflowEvent } from './workflow-types.ts';
import type { AirValue } from './values.ts';

/** Schema of the event that carries a receipt back to the emitting workflow. */
export const RECEIPT_ENVELOPE_SCHEMA = 'sys/EffectReceiptEnvelope@1';

/** sys/EffectReceiptEnvelope@1 as a module sees it. */
export interface EffectReceiptEnvelope {
  readonly origin_module_id: string;
  readonly origin_instance_key: Uint8Array | null;
  readonly intent_id: string;
  readonly effect_kind: string;
  readonly params_hash: string | null;
  readonly issuer_ref: string | null;
  readonly receipt_payload: Uint8Array;
  readonly status: string;
  readonly emitted_at_seq: number | bigint;
  readonly adapter_id: string;
  readonly cost_cents: number | bigint | null;
  readonly signature: Uint8Array;
}

/** sys/HttpRequestReceipt@1. */
export interface HttpRequestReceipt {
  readonly status: number | bigint;
  readonly headers: Readonly<Record<string, string>>;
  readonly body_ref: string | null;
  readonly timings: { readonly start_ns: number | bigint; readonly end_ns: number | bigint };
  readonly adapter_id: string;
}
/** sys/TimerSetReceipt@1. */
export interface TimerSetReceipt { readonly delivered_at_ns: number | bigint; readonly key: string | null }
/** sys/BlobPutReceipt@1. */
export interface BlobPutReceipt { readonly blob_ref: string; readonly edge_ref: string; readonly size: number | bigint }
/** sys/BlobGetReceipt@1. */
export interface BlobGetReceipt { readonly blob_ref: string; readonly size: number | bigint; readonly bytes: Uint8Array }

/** Receipt payload types of the built-in effect kinds the SDK has helpers for. */
export interface ReceiptPayloads {
  'http.request': HttpRequestReceipt;
  'timer.set': TimerSetReceipt;
  'blob.put': BlobPutReceipt;
  'blob.get': BlobGetReceipt;
}

/** A decoded receipt; switch on `kind` to get its typed payload. */
export type Receipt =
  | { [Kind in keyof ReceiptPayloads]: { readonly kind: Kind; readonly envelope: EffectReceiptEnvelope; readonly payload: ReceiptPayloads[Kind] } }[keyof ReceiptPayloads]
  | { readonly kind: 'other'; readonly envelope: EffectReceiptEnvelope; readonly payload: AirValue };

const KNOWN_KINDS: ReadonlySet<string> = new Set(['http.request', 'timer.set', 'blob.put', 'blob.get']);

/** True when the event is a receipt coming back to this workflow. */
export function isReceipt(event: WorkflowEvent<unknown>): boolean {
  return event.schema === RECEIPT_ENVELOPE_SCHEMA;
}

/** Decodes a receipt event: the envelope and its payload, typed by effect kind. */
export function decodeReceipt(event: WorkflowEvent<unknown>): Receipt {
  if (!isReceipt(event)) {
    throw new SdkError('NOT_A_RECEIPT', `event of schema "${event.schema}" is not a receipt; receipts arrive as ${RECEIPT_ENVELOPE_SCHEMA}`);
  }
  const envelope = event.value as EffectReceiptEnvelope;
  if (typeof envelope !== 'object' || envelope === null || !(envelope.receipt_payload instanceof Uint8Array) || typeof envelope.effect_kind !== 'string') {
    throw new SdkError('NOT_A_RECEIPT', `${RECEIPT_ENVELOPE_SCHEMA} event lacks effect_kind or receipt_payload bytes`);
  }
  const payload = decodeCbor(envelope.receipt_payload);
  const kind = KNOWN_KINDS.has(envelope.effect_kind) ? envelope.effect_kind : 'other';
  return { kind, envelope, payload } as Receipt;
}
