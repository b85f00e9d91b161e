// Effect intents a workflow emits, and helpers for the built-in effect kinds. Params are
// typed after their sys/* schemas; the kernel canonicalises them against the effect's
// params schema, checks the cap grant and the policy, and journals the intent.
import type { AirValue } from './values.ts';

/** Routing and dedupe options of an emitted effect (fields as in the upstream ABI). */
export interface EffectOptions {
  /** The module's cap slot whose grant authorises this effect; the kernel uses "default" without one. */
  readonly cap_slot?: string;
  /** Echoed back on the receipt, so the workflow can match receipts to what it asked for. */
  readonly issuer_ref?: string;
  /** Caller-chosen dedupe key; mixed into the intent's idempotency key. */
  readonly idempotency_key?: Uint8Array;
}

/** One effect a step asks the kernel to run. */
export interface EffectIntent extends EffectOptions {
  readonly kind: string;
  readonly params: AirValue;
}

/** sys/HttpRequestParams@1. `headers` is a text→text map. */
export interface HttpRequestParams {
  readonly method: string;
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body_ref?: string | null;
}

/** sys/TimerSetParams@1; `deliver_at_ns` is logical time. */
export interface TimerSetParams {
  readonly deliver_at_ns: number | bigint;
  readonly key?: string | null;
}

/** sys/BlobPutParams@1. */
export interface BlobPutParams {
  readonly bytes: Uint8Array;
  readonly blob_ref?: string | null;
  readonly refs?: readonly string[] | null;
}

/** sys/BlobGetParams@1. */
export interface BlobGetParams {
  readonly blob_ref: string;
}

function intent(kind: string, params: AirValue, options: EffectOptions): EffectIntent {
  return { kind, params, ...options };
}

/** Builders for effect intents; each fills the optional fields of its params schema explicitly. */
export const effect = Object.freeze({
  /** `http.request`: the receipt carries status, headers and a body_ref. */
  http(params: HttpRequestParams, options: EffectOptions = {}): EffectIntent {
    return intent('http.request', {
      method: params.method,
      url: params.url,
      headers: params.headers ?? {},
      body_ref: params.body_ref ?? null,
    }, options);
  },
  /** `timer.set`: fires at logical time `deliver_at_ns`. */
  timer(params: TimerSetParams, options: EffectOptions = {}): EffectIntent {
    return intent('timer.set', { deliver_at_ns: params.deliver_at_ns, key: params.key ?? null }, options);
  },
  /** `blob.put`: stores bytes in CAS; the receipt names the blob. */
  blobPut(params: BlobPutParams, options: EffectOptions = {}): EffectIntent {
    return intent('blob.put', { bytes: params.bytes, blob_ref: params.blob_ref ?? null, refs: params.refs ?? null }, options);
  },
  /** `blob.get`: the receipt carries the blob's bytes. */
  blobGet(params: BlobGetParams, options: EffectOptions = {}): EffectIntent {
    return intent('blob.get', { blob_ref: params.blob_ref }, options);
  },
  /** Any other effect kind, with params already in their AIR form. */
  custom(kind: string, params: AirValue, options: EffectOptions = {}): EffectIntent {
    return intent(kind, params, options);
  },
});
