// Byte checks of the composite kinds, built from their children's checks: each accepts exactly the
// canonical typed bytes that kinds/<kind>.ts fromCbor and the canonical encoder would produce.
import { assert, CBOR_DEPTH_MAX } from '../../cbor/index.ts';
import { TYPE_DEPTH_MAX, VALUE_DEPTH_MAX } from '../limits.ts';
import { compareRanges, MAJOR_ARRAY, MAJOR_MAP, rangeEquals, readByte, readExact, readHead, SIMPLE_NULL } from './byte-scan.ts';
import type { ByteScan } from './byte-scan.ts';
import type { ItemCheck } from './leaf-checks.ts';

/**
 * Deepest a value may nest for the checker to vouch for it, counted as the value walk counts
 * (one level per record field, variant payload, list, set or map entry, and present option).
 * Deeper values are left to the full path, which allows VALUE_DEPTH_MAX: every value of a
 * schema that passed expansion nests at most TYPE_DEPTH_MAX levels, so only values of
 * recursive schemas ever get there. Checks call their children's checks, so this also bounds
 * the recursion of a check, as VALUE_DEPTH_MAX bounds the value walk's.
 */
export const CHECK_DEPTH_MAX = TYPE_DEPTH_MAX;

assert(CHECK_DEPTH_MAX <= VALUE_DEPTH_MAX, 'the full value walk accepts every depth the checker accepts');
// Each level adds at most one CBOR container (an option adds none), and a dec128 leaf one tag.
assert(CHECK_DEPTH_MAX + 1 < CBOR_DEPTH_MAX, 'the strict decoder accepts every nesting the checker accepts');

/** Declines: the bytes may be valid, but only the full decode-check-encode path may say so. */
export const DECLINE: ItemCheck = () => false;

const utf8Encoder = new TextEncoder();
/** Decodes as the strict decoder's text decoding does (a leading BOM is kept; bad input is replaced). */
const utf8Decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/** The canonical bytes of a text item (head and UTF-8), or undefined when the text would not decode back to itself (a lone surrogate). */
export function encodedText(text: string): Uint8Array | undefined {
  const utf8 = utf8Encoder.encode(text);
  if (utf8Decoder.decode(utf8) !== text) return undefined;
  const length = utf8.length;
  const head = length < 24 ? [0x60 | length] : length < 0x100 ? [0x78, length] : length < 0x10000 ? [0x79, length >> 8, length & 0xff]
    : [0x7a, length >>> 24, (length >>> 16) & 0xff, (length >>> 8) & 0xff, length & 0xff];
  const encoded = new Uint8Array(head.length + length);
  encoded.set(head);
  encoded.set(utf8, head.length);
  return encoded;
}

function encodedConstant(text: string): Uint8Array {
  const encoded = encodedText(text);
  assert(encoded !== undefined, 'a constant key is well-formed text');
  return encoded;
}

/** A text key that a decoder must treat specially on a plain object; the checker leaves it to the full path. */
const PROTO_KEY = encodedConstant('__proto__');
const TAG_KEY = encodedConstant('$tag');
const VALUE_KEY = encodedConstant('$value');

/** One record field: its encoded key and the check of its value. */
export interface FieldCheck {
  readonly key: Uint8Array;
  readonly check: ItemCheck;
}

/** Exactly the declared fields, keys in canonical order (option fields present, as null when none). */
export function recordCheck(fieldsIn: readonly FieldCheck[]): ItemCheck {
  const fields = [...fieldsIn].sort((a, b) => Buffer.compare(a.key, b.key));
  const count = fields.length;
  return (scan, depth) => {
    if (!readHead(scan, MAJOR_MAP) || scan.argument !== count) return false;
    if (count === 0) return true;
    if (depth >= CHECK_DEPTH_MAX) return false;
    for (let index = 0; index < count; index += 1) {
      const field = fields[index];
      if (field === undefined || !readExact(scan, field.key) || !field.check(scan, depth + 1)) return false;
    }
    return true;
  };
}

/** One variant alternative: its encoded tag, and the check of its payload (undefined for a unit alternative). */
export interface AlternativeCheck {
  readonly tag: Uint8Array;
  readonly payload: ItemCheck | undefined;
}

/** `{"$tag": tag}` for a unit alternative, `{"$tag": tag, "$value": payload}` otherwise ("$tag" sorts first). */
export function variantCheck(alternatives: readonly AlternativeCheck[]): ItemCheck {
  return (scan, depth) => {
    if (!readHead(scan, MAJOR_MAP)) return false;
    const count = scan.argument;
    if ((count !== 1 && count !== 2) || !readExact(scan, TAG_KEY)) return false;
    const alternative = readAlternative(scan, alternatives);
    if (alternative === undefined) return false;
    if (alternative.payload === undefined) return count === 1;
    return count === 2 && depth < CHECK_DEPTH_MAX && readExact(scan, VALUE_KEY) && alternative.payload(scan, depth + 1);
  };
}

function readAlternative(scan: ByteScan, alternatives: readonly AlternativeCheck[]): AlternativeCheck | undefined {
  for (const alternative of alternatives) {
    if (readExact(scan, alternative.tag)) return alternative;
  }
  return undefined;
}

/** Reads an array head and checks `count` items, each through `item`; `ordered` also requires strictly increasing item bytes (a set). */
function itemsCheck(item: ItemCheck, ordered: boolean): ItemCheck {
  return (scan, depth) => {
    if (!readHead(scan, MAJOR_ARRAY)) return false;
    const count = scan.argument;
    if (count === 0) return true;
    if (depth >= CHECK_DEPTH_MAX || count > scan.remaining) return false;
    let previousStart = scan.position;
    if (!item(scan, depth + 1)) return false;
    let previousEnd = scan.position;
    for (let index = 1; index < count; index += 1) {
      const start = scan.position;
      if (!item(scan, depth + 1)) return false;
      if (ordered && compareRanges(scan.bytes, previousStart, previousEnd, start, scan.position) >= 0) return false;
      previousStart = start;
      previousEnd = scan.position;
    }
    return true;
  };
}

/** Items in the given order. */
export function listCheck(item: ItemCheck): ItemCheck {
  return itemsCheck(item, false);
}

/** Items sorted by their canonical bytes, each once: the order canonicalisation would leave them in. */
export function setCheck(item: ItemCheck): ItemCheck {
  return itemsCheck(item, true);
}

/** Entries with keys strictly increasing by their canonical bytes; `textKeys` declines the key `__proto__`. */
export function mapCheck(key: ItemCheck, value: ItemCheck, textKeys: boolean): ItemCheck {
  return (scan, depth) => {
    if (!readHead(scan, MAJOR_MAP)) return false;
    const count = scan.argument;
    if (count === 0) return true;
    if (depth >= CHECK_DEPTH_MAX || count > scan.remaining) return false;
    const bytes = scan.bytes;
    let previousStart = 0;
    let previousEnd = 0;
    for (let index = 0; index < count; index += 1) {
      const start = scan.position;
      if (!key(scan, depth + 1)) return false;
      const end = scan.position;
      if (textKeys && rangeEquals(bytes, start, end, PROTO_KEY)) return false;
      if (index > 0 && compareRanges(bytes, previousStart, previousEnd, start, end) >= 0) return false;
      if (!value(scan, depth + 1)) return false;
      previousStart = start;
      previousEnd = end;
    }
    return true;
  };
}

/** Null for none; anything else is the item, one level deeper. */
export function optionCheck(item: ItemCheck): ItemCheck {
  return (scan, depth) => readByte(scan, SIMPLE_NULL) || (depth < CHECK_DEPTH_MAX && item(scan, depth + 1));
}
