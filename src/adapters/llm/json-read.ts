// Reading JSON from outside (blobs, provider responses, scripts) without trusting its shape.
import { CborError, parseJsonExact } from '../../cbor/index.ts';
import { llmFailure } from './llm-reply.ts';
import type { Reading } from './read-blob.ts';

/** A JSON object as parsed: text keys, values of any JSON kind. */
export type JsonObject = { readonly [key: string]: unknown };

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** What a blob holds: JSON (integers beyond 2^53 as bigints), other UTF-8 text, or bytes that are not UTF-8. */
type BlobReading =
  | { readonly kind: 'json'; readonly value: unknown; readonly text: string }
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'binary' };

/** Reads a blob as JSON when it parses, else as UTF-8 text. */
export function readBlob(bytes: Uint8Array): BlobReading {
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch (error) {
    if (error instanceof TypeError) return { kind: 'binary' };
    throw error;
  }
  const parsed = parseJson(text);
  return parsed.ok ? { kind: 'json', value: parsed.value, text } : { kind: 'text', text };
}

/** Parses JSON text exactly (big integers as bigints, duplicate keys refused), or says why not. */
export function parseJson(text: string): { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly reason: string } {
  try {
    return { ok: true, value: parseJsonExact(text) };
  } catch (error) {
    if (error instanceof CborError) return { ok: false, reason: error.message };
    throw error;
  }
}

/** True for a JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array) && !(value instanceof Map);
}

/** A text field, or null when it is absent or not text. */
export function textAt(object: JsonObject, key: string): string | null {
  const value = object[key];
  return typeof value === 'string' ? value : null;
}

/** A whole non-negative count, or null when absent, null or not such a number. */
export function countAt(object: JsonObject, key: string): number | null {
  const value = object[key];
  if (typeof value === 'bigint') return value >= 0n && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : null;
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : null;
}

/** An object field, or null when absent or not an object. */
export function objectAt(object: JsonObject, key: string): JsonObject | null {
  const value = object[key];
  return isJsonObject(value) ? value : null;
}

/** An array field, or null when absent or not an array. */
export function arrayAt(object: JsonObject, key: string): readonly unknown[] | null {
  const value = object[key];
  return Array.isArray(value) ? (value as readonly unknown[]) : null;
}

/** Reads a provider's JSON response body (its exact bytes) with `read`; a body that is not JSON is malformed. */
export function readJsonResponse<T>(bytes: Uint8Array, what: string, read: (value: unknown) => Reading<T>): Reading<T> {
  const reading = readBlob(bytes);
  if (reading.kind === 'json') return read(reading.value);
  return { ok: false, failure: llmFailure('MALFORMED_RESPONSE', `the ${what} is not JSON (${bytes.byteLength} bytes)`) };
}
