// What adapter tests share: a CAS in memory, an execution context with a fake clock, intents
// built from params, and the check that a receipt payload is a value of its receipt schema.
import assert from 'node:assert/strict';
import type { AdapterBlobs, AdapterContext, AdapterIntent, AdapterOutcome } from '../../src/adapters/index.ts';
import { builtinCatalog, valueFromCbor } from '../../src/air/index.ts';
import { hashBytes, hashValue, isCborObject } from '../../src/cbor/index.ts';
import type { CborObject, CborValue, Hash } from '../../src/cbor/index.ts';

/** A CAS in a Map keyed by hashBytes; get throws for a missing blob, as the real stores do. */
export class MemoryBlobs implements AdapterBlobs {
  readonly objects = new Map<Hash, Uint8Array>();
  put(bytes: Uint8Array): Hash {
    const hash = hashBytes(bytes);
    this.objects.set(hash, bytes.slice());
    return hash;
  }
  get(hash: Hash): Uint8Array {
    const bytes = this.objects.get(hash);
    if (bytes === undefined) throw new Error(`${hash} is not in the memory CAS`);
    return bytes.slice();
  }
}

/** A context whose clock advances 1 µs per reading; secrets are refused (no adapter here reads them). */
export function testContext(blobs: AdapterBlobs, signal: AbortSignal = new AbortController().signal): AdapterContext {
  let nowNs = 1_700_000_000_000_000_000n;
  return {
    blobs,
    signal,
    secrets: { resolve: (name) => assert.fail(`no secret may be read here (asked for ${name})`) },
    now: () => (nowNs += 1_000n),
  };
}

/** The stable idempotency key every test intent carries: 32 bytes 0x00..0x1f. */
export const TEST_IDEMPOTENCY_KEY: Uint8Array = Uint8Array.from({ length: 32 }, (_, index) => index);

/** An intent of an effect with the given params (its hash is the hash of the params: unique enough for tests). */
export function testIntent(effectKind: string, params: CborValue): AdapterIntent {
  return { intent_hash: hashValue({ effectKind, params }), effect_kind: effectKind, params, idempotency_key: TEST_IDEMPOTENCY_KEY };
}

/** Checks the payload against the receipt schema as the executor will, and returns its canonical record. */
export function checkedPayload(outcome: AdapterOutcome, receiptSchema: string): CborObject {
  const value = valueFromCbor(outcome.payload, { ref: receiptSchema }, builtinCatalog(), { path: 'receipt' });
  assert.ok(isCborObject(value), `${receiptSchema} payloads are records`);
  return value;
}
