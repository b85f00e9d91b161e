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

/**
 * JSON text with bigints written as exact integers (never rounded through a JS number), laid
 * out as JSON.stringify lays it out. Written by hand: marking bigints with a sentinel string
 * in a replacer and substituting afterwards breaks on a string that holds the sentinel.
 */
export function stringifyJsonExact(value: unknown, indent?: number): string {
  return writeJson(value, indent === undefined || indent <= 0 ? '' : ' '.repeat(Math.min(indent, 10)), '') ?? 'null';
}

function writeJson(value: unknown, step: string, outer: string): string | undefined {
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return writeJson((value as { toJSON(): unknown }).toJSON(), step, outer);
  const inner = outer + step;
  const open = step === '' ? '' : `\n${inner}`;
  const separator = step === '' ? ',' : `,\n${inner}`;
  const close = step === '' ? '' : `\n${outer}`;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[${open}${value.map((item) => writeJson(item, step, inner) ?? 'null').join(separator)}${close}]`;
  }
  const fields: string[] = [];
  for (const key of Object.keys(value)) {
    const written = writeJson((value as Record<string, unknown>)[key], step, inner);
    if (written !== undefined) fields.push(`${JSON.stringify(key)}:${step === '' ? '' : ' '}${written}`);
  }
  return fields.length === 0 ? '{}' : `{${open}${fields.join(separator)}${close}}`;
}
