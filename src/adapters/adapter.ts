// What an effect adapter is (DESIGN §7): it executes one journaled intent outside the kernel
// and answers with the receipt's fields; the executor canonicalises the payload against the
// effect's receipt schema, signs it with the adapter's key and hands it to the world.
// Adapters are at-least-once: the same intent may be executed again after a crash, and gets
// the same idempotency key each time.
import type { CborValue, Hash } from '../cbor/index.ts';

/** One open intent, as the kernel journaled it. */
export interface AdapterIntent {
  readonly intent_hash: Hash;
  /** The effect's def name, e.g. `sys/http.request@1`. */
  readonly effect_kind: string;
  /** The canonical typed value of the params (checked against the effect's params schema). */
  readonly params: CborValue;
  /** Stable across retries of this intent: pass it on to services that de-duplicate. */
  readonly idempotency_key: Uint8Array;
}

/** Content-addressed blobs (the world's CAS): request and response bodies, messages, outputs. */
export interface AdapterBlobs {
  put(bytes: Uint8Array): Hash;
  /** The bytes of a blob; throws when it is missing or corrupt. */
  get(hash: Hash): Uint8Array;
}

/** Secret values by name, resolved only at execution and never journaled or logged. */
export interface AdapterSecrets {
  /** The value of a secret the intent's grant allows; throws with a clear message when it is unknown or not allowed. */
  resolve(name: string): string;
}

/** What the executor gives an adapter for one execution. */
export interface AdapterContext {
  readonly blobs: AdapterBlobs;
  readonly secrets: AdapterSecrets;
  /** Aborted when the intent's deadline passes or it is cancelled: stop and let the executor settle it as a timeout. */
  readonly signal: AbortSignal;
  /** Wall-clock nanoseconds since the Unix epoch (timings in receipts); tests pass a fake. */
  now(): bigint;
}

/** Token counts an adapter reports (the signed `usage` of a receipt). */
export interface AdapterUsage {
  readonly prompt_tokens: number;
  readonly completion_tokens: number;
}

/** The receipt fields an adapter decides; the executor adds intent_hash, adapter_id and the signature. */
export interface AdapterOutcome {
  readonly status: 'ok' | 'error' | 'timeout';
  /** A value of the effect's receipt schema (canonicalised with valueFromCbor by the executor). */
  readonly payload: CborValue;
  readonly cost_cents?: number;
  readonly usage?: AdapterUsage;
}

/** An executor of one or more effect kinds. */
export interface Adapter {
  /** The adapter_id its receipts carry and its signing key is named after. */
  readonly id: string;
  /** Effect def names it executes, e.g. ['sys/blob.put@1', 'sys/blob.get@1']. */
  readonly kinds: readonly string[];
  /**
   * True for an adapter whose only effect is on the world's own store, through
   * `context.blobs`: what it stages is written with its intent's record or after it, never
   * before. Nothing of it can outlive a crash that takes its intent, so the executor may start
   * it once the intent is admitted, before the record is written or synced. Any adapter that
   * reaches outside (the network, files, a process, a clock) must leave it unset: it starts only
   * once its intent is durable.
   */
  readonly inStore?: boolean;
  execute(intent: AdapterIntent, context: AdapterContext): Promise<AdapterOutcome>;
}
