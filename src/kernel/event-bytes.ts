// Routing reads an event's key and wraps it for a variant-typed module straight from its
// canonical bytes: decoding a value to find one field cost more than the rest of routing.
// A part of canonical CBOR is itself canonical, so the bytes found are the bytes that
// encoding the decoded part would give.
import { assert, encodeCanonical, MAJOR_ARRAY, MAJOR_BYTES, MAJOR_MAP, MAJOR_TAG, MAJOR_TEXT } from '../cbor/index.ts';
/** Nesting followed while skipping: canonical typed bytes were checked far shallower than this. */
const SKIP_DEPTH_MAX = 256;

const utf8 = new TextEncoder();

/** A head at `at`: its major type, argument and where its content starts. */
function head(bytes: Uint8Array, at: number): { major: number; argument: number; next: number } {
  const initial = bytes[at];
  assert(initial !== undefined, 'canonical bytes hold a whole item');
  const major = initial >> 5;
  const info = initial & 0x1f;
  if (info < 24) return { major, argument: info, next: at + 1 };
  const width = info === 24 ? 1 : info === 25 ? 2 : info === 26 ? 4 : info === 27 ? 8 : 0;
  assert(width > 0, 'canonical bytes have definite lengths');
  let argument = 0;
  for (let index = 1; index <= width; index += 1) argument = argument * 256 + (bytes[at + index] ?? 0);
  return { major, argument, next: at + 1 + width };
}

/** Where the item at `at` ends. */
function skip(bytes: Uint8Array, at: number, depth = 0): number {
  assert(depth < SKIP_DEPTH_MAX, 'canonical typed bytes nest within the skip bound');
  const { major, argument, next } = head(bytes, at);
  if (major === MAJOR_BYTES || major === MAJOR_TEXT) return next + argument;
  if (major === MAJOR_ARRAY || major === MAJOR_MAP) {
    let end = next;
    const items = major === MAJOR_MAP ? argument * 2 : argument;
    for (let index = 0; index < items; index += 1) end = skip(bytes, end, depth + 1);
    return end;
  }
  if (major === MAJOR_TAG) return skip(bytes, next, depth + 1);
  return next; // integers and simple values: the head is the item
}

function textEquals(bytes: Uint8Array, start: number, length: number, expected: Uint8Array): boolean {
  if (length !== expected.length) return false;
  for (let index = 0; index < length; index += 1) if (bytes[start + index] !== expected[index]) return false;
  return true;
}

/** The canonical bytes of the value at a path of record fields, or undefined when a field is absent. */
export function bytesAtPath(bytes: Uint8Array, path: readonly string[]): Uint8Array | undefined {
  let at = 0;
  for (const segment of path) {
    const map = head(bytes, at);
    if (map.major !== MAJOR_MAP) return undefined;
    const wanted = utf8.encode(segment);
    let cursor = map.next;
    let found = -1;
    for (let entry = 0; entry < map.argument && found === -1; entry += 1) {
      const key = head(bytes, cursor);
      const valueAt = key.major === MAJOR_TEXT ? key.next + key.argument : skip(bytes, cursor);
      if (key.major === MAJOR_TEXT && textEquals(bytes, key.next, key.argument, wanted)) found = valueAt;
      else cursor = skip(bytes, valueAt);
    }
    if (found === -1) return undefined;
    at = found;
  }
  return bytes.subarray(at, skip(bytes, at));
}

const wrapPrefixes = new Map<string, Uint8Array>();
/** Distinct variant tags whose wrapping prefix is kept (a manifest has a handful). */
const WRAP_PREFIXES_MAX = 1_024;

/** Canonical bytes of `{$tag: tag, $value: value}` for canonical value bytes (the keys sort as written). */
export function wrapInVariant(tag: string, value: Uint8Array): Uint8Array {
  let prefix = wrapPrefixes.get(tag);
  if (prefix === undefined) {
    const parts = [Uint8Array.of((MAJOR_MAP << 5) | 2), encodeCanonical('$tag', { selfDescribe: false }), encodeCanonical(tag, { selfDescribe: false }), encodeCanonical('$value', { selfDescribe: false })];
    prefix = concat(parts);
    if (wrapPrefixes.size >= WRAP_PREFIXES_MAX) wrapPrefixes.clear();
    wrapPrefixes.set(tag, prefix);
  }
  return concat([prefix, value]);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
