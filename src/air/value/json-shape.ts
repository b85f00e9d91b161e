// Recognising JSON shapes: plain objects, the one-key wrappers of the canonical lens, none.
import { isCborObject, Tagged } from '../../cbor/index.ts';
import type { CborObject, CborValue } from '../../cbor/index.ts';

/** A plain JSON object (not an array, bytes, Map, tagged item or class instance). */
export type JsonObject = { readonly [key: string]: unknown };

/** True for a plain object, whatever its keys. */
export function isJsonObject(json: unknown): json is JsonObject {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return false;
  const proto: unknown = Object.getPrototypeOf(json);
  return proto === Object.prototype || proto === null;
}

/** Sets an own enumerable property, even one named `__proto__`. */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * The body of a canonical-lens wrapper: `{"nat": 42}` read with tag `nat` gives `{found: true,
 * body: 42}`. Only an object with exactly that one key counts (the ambiguity rule).
 */
export function canonicalBody(json: unknown, tag: string): { found: true; body: unknown } | { found: false } {
  if (!isJsonObject(json)) return { found: false };
  const keys = Object.keys(json);
  if (keys.length !== 1 || keys[0] !== tag) return { found: false };
  return { found: true, body: json[tag] };
}

/** True for an empty plain object `{}`. */
export function isEmptyObject(json: unknown): boolean {
  return isJsonObject(json) && Object.keys(json).length === 0;
}

/** True for how both lenses write none (and unit): `null` or `{"null": {}}`. */
export function isNoneJson(json: unknown): boolean {
  if (json === null) return true;
  const wrapped = canonicalBody(json, 'null');
  return wrapped.found && isEmptyObject(wrapped.body);
}

const SHOWN_TEXT_CHARS_MAX = 60;
const SHOWN_KEYS_MAX = 5;

/** Says what a piece of input is, for "found …" in messages. */
export function describeJson(json: unknown): string {
  if (json === null) return 'null';
  if (json === undefined) return 'undefined';
  if (typeof json === 'boolean') return String(json);
  if (typeof json === 'number') return Number.isInteger(json) ? `the integer ${json}` : `the number ${json}`;
  if (typeof json === 'bigint') return `the integer ${json}`;
  if (typeof json === 'string') return `the text ${quote(json)}`;
  if (Array.isArray(json)) return json.length === 0 ? 'an empty array' : `an array of ${json.length} item${json.length === 1 ? '' : 's'}`;
  if (json instanceof Uint8Array) return `${json.length} bytes`;
  if (json instanceof Map) return `a map of ${json.size} entries`;
  if (json instanceof Tagged) return `an item with CBOR tag ${json.tag}`;
  if (isJsonObject(json)) return describeObject(json);
  if (typeof json === 'object') return `an instance of ${json.constructor?.name ?? 'an unknown class'}, which is not JSON`;
  return `a ${typeof json}, which is not JSON`;
}

function describeObject(json: JsonObject): string {
  const keys = Object.keys(json);
  if (keys.length === 0) return 'an empty object';
  const shown = keys.slice(0, SHOWN_KEYS_MAX).map(quote).join(', ');
  return `an object with key${keys.length === 1 ? '' : 's'} ${shown}${keys.length > SHOWN_KEYS_MAX ? ', …' : ''}`;
}

/** Quotes text for a message, cut to a readable length. */
export function quote(text: string): string {
  const cut = text.length > SHOWN_TEXT_CHARS_MAX ? `${text.slice(0, SHOWN_TEXT_CHARS_MAX)}…` : text;
  return JSON.stringify(cut);
}

/**
 * CBOR data as a text-keyed object, or undefined when it is not a map with text keys. Decoding
 * turns every map into a Map once any map in the item has a non-text key, so a record or
 * variant may arrive as a Map.
 */
export function textKeyedObject(value: CborValue): CborObject | undefined {
  if (isCborObject(value)) return value;
  if (!(value instanceof Map)) return undefined;
  const out: Record<string, CborValue> = {};
  for (const [key, item] of value) {
    if (typeof key !== 'string') return undefined;
    setOwn(out, key, item);
  }
  return out;
}
