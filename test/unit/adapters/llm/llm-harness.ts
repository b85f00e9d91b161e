// What the llm adapter tests share: a CAS in memory, an execution context with secrets and an
// abort signal, intents built from sugar JSON params, the receipt-schema check every outcome
// must pass, readers for the output blobs, and the byte scan for a leaked API key.
import assert from 'node:assert/strict';
import type { AdapterBlobs, AdapterContext, AdapterIntent, AdapterOutcome } from '../../../../src/adapters/index.ts';
import { builtinCatalog, valueFromCbor, valueFromJson } from '../../../../src/air/index.ts';
import { encodeCanonical, hashBytes, isCborObject } from '../../../../src/cbor/index.ts';
import type { CborObject, Hash } from '../../../../src/cbor/index.ts';
import { MemoryBlobs as AdapterMemoryBlobs } from '../../../support/adapter-fixture.ts';

/** The API key the tests hand out; no byte of anything the adapter writes may hold it. */
export const TEST_KEY = 'sk-test-4f9a2c71e0b34d8aa6c5f1e2d3b4a59687c6d5e4';
/** The secret that holds TEST_KEY, by its defsecret name. */
export const TEST_KEY_SECRET = 'llm/test_api@1';

/** The adapters' memory CAS, plus JSON blobs (messages, tools, options). */
export class MemoryBlobs extends AdapterMemoryBlobs {
  /** Stores JSON text of a value (a message, tool or options blob). */
  putJson(value: unknown): Hash {
    return this.put(new TextEncoder().encode(JSON.stringify(value)));
  }
  text(hash: Hash): string {
    return new TextDecoder().decode(this.get(hash));
  }
}

/** An execution context: secrets by name (TEST_KEY under TEST_KEY_SECRET unless given), a fake clock. */
export function llmContext(blobs: AdapterBlobs, options: { secrets?: Readonly<Record<string, string>>; signal?: AbortSignal } = {}): AdapterContext {
  const secrets = options.secrets ?? { [TEST_KEY_SECRET]: TEST_KEY };
  let nowNs = 1_700_000_000_000_000_000n;
  return {
    blobs,
    signal: options.signal ?? new AbortController().signal,
    secrets: {
      resolve: (name) => {
        const value = secrets[name];
        if (value === undefined) throw new Error(`secret ${name} is not allowed for this grant`);
        return value;
      },
    },
    now: () => (nowNs += 1_000n),
  };
}

let intentCounter = 0;

/** An llm.generate intent from sugar JSON params (checked and canonicalised like the kernel does); each gets its own intent hash. */
export function llmIntent(params: Readonly<Record<string, unknown>>): AdapterIntent {
  const typed = valueFromJson({ runtime: {}, ...params }, { ref: 'sys/LlmGenerateParams@1' }, builtinCatalog(), { path: 'params' });
  intentCounter += 1;
  return {
    intent_hash: hashBytes(new TextEncoder().encode(`intent-${intentCounter}`)), effect_kind: 'sys/llm.generate@1', params: typed,
    idempotency_key: new Uint8Array(32),
  };
}

/** The payload checked against sys/LlmGenerateReceipt@1 exactly as the executor checks it. */
export function receiptOf(outcome: AdapterOutcome): CborObject {
  const value = valueFromCbor(outcome.payload, { ref: 'sys/LlmGenerateReceipt@1' }, builtinCatalog(), { path: 'receipt' });
  assert.ok(isCborObject(value), 'receipts are records');
  return value;
}

/** A hash field of a receipt or envelope. */
export function hashAt(record: CborObject | Record<string, unknown>, field: string): Hash {
  const value = record[field];
  assert.equal(typeof value, 'string', `${field} is a hash`);
  return value as Hash;
}

/** The output envelope (LlmOutputEnvelope JSON) the receipt's output_ref names. */
export function envelopeOf(blobs: MemoryBlobs, receipt: CborObject): Record<string, unknown> {
  return JSON.parse(blobs.text(hashAt(receipt, 'output_ref'))) as Record<string, unknown>;
}

/** The tool calls of an envelope, with each arguments blob read as text. */
export function toolCallsOf(blobs: MemoryBlobs, envelope: Record<string, unknown>): Array<Record<string, unknown>> {
  const list = JSON.parse(blobs.text(hashAt(envelope, 'tool_calls_ref'))) as Array<Record<string, unknown>>;
  return list.map((call) => ({ ...call, arguments: blobs.text(hashAt(call, 'arguments_ref')) }));
}

/** The error document of a failed outcome. */
export function errorOf(blobs: MemoryBlobs, receipt: CborObject): Record<string, unknown> {
  const document = JSON.parse(blobs.text(hashAt(receipt, 'output_ref'))) as { error: Record<string, unknown> };
  return document.error;
}

/** Fails when the key's bytes appear in any blob, in the canonical payload, or in the outcome's JSON. */
export function assertKeyNowhere(blobs: MemoryBlobs, outcomes: readonly AdapterOutcome[], key = TEST_KEY): void {
  const needle = Buffer.from(key, 'utf8');
  for (const [hash, bytes] of blobs.objects) assert.equal(Buffer.from(bytes).indexOf(needle), -1, `blob ${hash} holds the API key`);
  for (const outcome of outcomes) {
    assert.equal(Buffer.from(encodeCanonical(outcome.payload)).indexOf(needle), -1, 'the receipt payload holds the API key');
    const text = JSON.stringify(outcome, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value instanceof Uint8Array ? Buffer.from(value).toString('latin1') : value));
    assert.ok(!text.includes(key), 'the outcome holds the API key');
  }
}
