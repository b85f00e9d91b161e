// JSON in and out of blobs and of receipts: blobs hold UTF-8 JSON; receipt payloads are AIR values
// the model sees as JSON (bytes as base64-free hex text, big integers as decimal text).
import { utf8Decode, utf8Encode, Tagged } from 'agentos/sdk';
import type { AirValue } from 'agentos/sdk';

export function jsonBytes(value: unknown): Uint8Array {
  return utf8Encode(JSON.stringify(value));
}

/** Parses a JSON blob; null when the bytes are not UTF-8 JSON. */
export function parseJsonBytes(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(utf8Decode(bytes)) as unknown;
  } catch {
    return undefined;
  }
}

function hex(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += byte.toString(16).padStart(2, '0');
  return text;
}

/** An AIR value as plain JSON for the model. */
export function airToJson(value: AirValue | undefined): unknown {
  if (value === undefined || value === null) return null;
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Uint8Array) return { hex: hex(value) };
  if (value instanceof Tagged) return { tag: value.tag, value: airToJson(value.value) };
  if (Array.isArray(value)) return value.map((item: AirValue) => airToJson(item));
  if (value instanceof Map) return [...value].map(([key, item]) => [airToJson(key), airToJson(item)]);
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, airToJson(item as AirValue)]));
  return value;
}
