// Plain JSON in and out of CBOR data, keeping 64-bit integers exact.
import { decode as decodeJsonText } from 'cborg/json';
import { CborError } from './errors.ts';
import { Tagged } from './value.ts';
import type { CborValue } from './value.ts';
import { toHex } from './hex.ts';

const JSON_OPTIONS = Object.freeze({ allowBigInt: true, allowUndefined: false, rejectDuplicateMapKeys: true, strict: true });

/** Parses JSON text; integers beyond 2^53 become bigints instead of losing digits. */
export function parseJsonExact(text: string): CborValue {
  try {
    return decodeJsonText(new TextEncoder().encode(text), JSON_OPTIONS) as CborValue;
  } catch (error) {
    const message = error instanceof Error ? error.message.replace(/^CBOR decode error: /, '') : String(error);
    throw new CborError('BAD_JSON', `not valid JSON: ${message}`, { cause: error });
  }
}

/** Renders CBOR data as JSON text for people: bytes as hex strings, bigints as exact digits. */
export function cborToJson(value: CborValue, indent = 2): string {
  return JSON.stringify(toJsonValue(value), null, indent) ?? 'null';
}

/** CBOR data as JSON-safe data: bytes as `{"$bytes": hex}`, large integers as digit strings. */
export function toJsonValue(value: CborValue): unknown {
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Uint8Array) return { $bytes: toHex(value) };
  if (value instanceof Tagged) return { $tag: value.tag, $value: toJsonValue(value.value as CborValue) };
  if (Array.isArray(value)) return value.map((item: CborValue) => toJsonValue(item));
  if (value instanceof Map) {
    return { $map: [...value.entries()].map(([key, item]) => [toJsonValue(key), toJsonValue(item)]) };
  }
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = toJsonValue(item as CborValue);
    return out;
  }
  return value;
}

/** JSON text with bigints written as exact integers (never rounded through a JS number). */
export function stringifyJsonExact(value: unknown, indent?: number): string {
  const marker = '\u0000bigint:';
  const text = JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? `${marker}${item.toString()}` : item), indent) ?? 'null';
  return text.replace(new RegExp(`"${marker}(-?\\d+)"`, 'g'), '$1');
}
