// Encodes one value of a module's wire output (JSON.parse'd, with the markers of
// protocol.ts) as canonical CBOR. Everything a module printed is checked here again:
// integers only and within 64 bits, markers well formed, map keys unique, nesting bounded.
import { CBOR_DEPTH_MAX, DEC128_BYTES, DEC128_TAG } from '../../cbor/index.ts';
import { CborWriter, compareBytes } from '../cbor-writer.ts';
import { MARKER_KEYS } from './protocol.ts';

/** A value the module printed that has no canonical CBOR form; `path` says where. */
export class WireValueError extends Error {
  override readonly name = 'WireValueError';
  constructor(readonly path: string, what: string) {
    super(`${path}: ${what}`);
  }
}

/** How one output was printed: its side buffer of bytes, and whether record keys were escaped. */
export interface WireOutputSource {
  readonly bytes: Uint8Array;
  readonly escaped: boolean;
}

const MARKERS: ReadonlySet<string> = new Set(MARKER_KEYS);
const UINT64_MAX = (1n << 64n) - 1n;
const INTEGER_TEXT = /^-?(?:0|[1-9][0-9]*)$/;
const DEC128_HEAD = Uint8Array.of(0xd9, DEC128_TAG >> 8, DEC128_TAG & 0xff);
const NULL_BYTE = 0xf6;
/** Map keys are short; their writers start small and grow if needed. */
const KEY_WRITER_BYTES_INITIAL = 32;

// Records of one shape repeat on every step; sorting their keys is a pure function of the
// keys, so it is memoised, bounded, and cleared when full.
const KEY_ORDER_ENTRIES_MAX = 512;
const keyOrders = new Map<string, readonly string[]>();

/** Encodes `value` (found at `path`) into `writer`. */
export function encodeWireValue(writer: CborWriter, value: unknown, source: WireOutputSource, path: string): void {
  encodeItem(writer, value, source, path, 0);
}

function encodeItem(writer: CborWriter, value: unknown, source: WireOutputSource, path: string, depth: number): void {
  switch (typeof value) {
    case 'number': return encodeNumber(writer, value, path);
    case 'string': return writer.text(value);
    case 'boolean':
      writer.reserve(1);
      writer.bytes[writer.length++] = value ? 0xf5 : 0xf4;
      return;
    case 'object':
      if (value === null) {
        writer.reserve(1);
        writer.bytes[writer.length++] = NULL_BYTE;
        return;
      }
      if (Array.isArray(value)) return encodeList(writer, value, source, path, depth);
      return encodeObject(writer, value as Record<string, unknown>, source, path, depth);
    default: throw new WireValueError(path, `${typeof value} has no CBOR form in AIR`);
  }
}

function encodeNumber(writer: CborWriter, value: number, path: string): void {
  if (!Number.isSafeInteger(value) || Object.is(value, -0)) {
    throw new WireValueError(path, `${Object.is(value, -0) ? '-0' : value} is not an integer within ±(2^53 − 1); AIR values carry no floats (use dec128, or a bigint beyond 2^53)`);
  }
  if (value >= 0) writer.head(0, value);
  else writer.head(1, -1 - value);
}

function enter(count: number, path: string, depth: number): void {
  if (count > 0 && depth >= CBOR_DEPTH_MAX) throw new WireValueError(path, `nests deeper than ${CBOR_DEPTH_MAX} levels`);
}

function encodeList(writer: CborWriter, list: readonly unknown[], source: WireOutputSource, path: string, depth: number): void {
  enter(list.length, path, depth);
  writer.head(4, list.length);
  for (let index = 0; index < list.length; index += 1) encodeItem(writer, list[index], source, `${path}[${index}]`, depth + 1);
}

function encodeObject(writer: CborWriter, record: Record<string, unknown>, source: WireOutputSource, path: string, depth: number): void {
  const keys = Object.keys(record);
  const first = keys[0];
  if (keys.length === 1 && first !== undefined && MARKERS.has(first)) return encodeMarker(writer, first, record[first], source, path, depth);
  enter(keys.length, path, depth);
  writer.head(5, keys.length);
  for (const key of sortedKeys(keys, source.escaped, path)) {
    const name = source.escaped && key.charCodeAt(0) === 36 ? key.slice(1) : key;
    writer.text(name);
    encodeItem(writer, record[key], source, path === '' ? name : `${path}.${name}`, depth + 1);
  }
}

/** Canonical order of text keys: by UTF-8 length, then bytewise; escaped keys sort by their real name. */
function sortedKeys(keys: string[], escaped: boolean, path: string): readonly string[] {
  if (escaped) {
    for (const key of keys) {
      if (key.charCodeAt(0) === 36 && key.charCodeAt(1) !== 36) throw new WireValueError(path, `record key "${key}" was not escaped`);
    }
  }
  if (keys.length < 2) return keys;
  const shape = `${escaped ? '1' : '0'}${keys.join('\u0000')}`;
  let order = keyOrders.get(shape);
  if (order === undefined) {
    const encoded = keys.map((key) => ({ key, bytes: textBytes(escaped && key.charCodeAt(0) === 36 ? key.slice(1) : key) }));
    encoded.sort((left, right) => compareBytes(left.bytes, right.bytes));
    order = encoded.map((item) => item.key);
    if (keyOrders.size >= KEY_ORDER_ENTRIES_MAX) keyOrders.clear();
    keyOrders.set(shape, order);
  }
  return order;
}

function textBytes(text: string): Uint8Array {
  const writer = new CborWriter(KEY_WRITER_BYTES_INITIAL);
  writer.text(text);
  return writer.take();
}

function encodeMarker(writer: CborWriter, marker: string, content: unknown, source: WireOutputSource, path: string, depth: number): void {
  switch (marker) {
    case '$bytes': return writer.byteString(markedBytes(content, source, path));
    case '$int': return encodeBigint(writer, content, path);
    case '$dec128': {
      enter(1, path, depth);
      const payload = typeof content === 'object' && content !== null && !Array.isArray(content) && Object.keys(content).length === 1
        ? markedBytes((content as Record<string, unknown>)['$bytes'], source, path) : null;
      if (payload?.length !== DEC128_BYTES) throw new WireValueError(path, `a dec128 must wrap exactly ${DEC128_BYTES} bytes`);
      writer.raw(DEC128_HEAD);
      return writer.byteString(payload);
    }
    default: return encodeMap(writer, content, source, path, depth);
  }
}

function markedBytes(content: unknown, source: WireOutputSource, path: string): Uint8Array {
  if (Array.isArray(content) && content.length === 2) {
    const [offset, length] = content as [unknown, unknown];
    if (Number.isSafeInteger(offset) && Number.isSafeInteger(length) && (offset as number) >= 0 && (length as number) >= 0 && (offset as number) + (length as number) <= source.bytes.length) {
      return source.bytes.subarray(offset as number, (offset as number) + (length as number));
    }
  }
  throw new WireValueError(path, 'a bytes marker does not point into the output\'s bytes');
}

function encodeBigint(writer: CborWriter, content: unknown, path: string): void {
  if (typeof content !== 'string' || !INTEGER_TEXT.test(content)) throw new WireValueError(path, 'an integer marker does not hold decimal digits');
  const value = BigInt(content);
  if (value > UINT64_MAX || value < -UINT64_MAX - 1n) throw new WireValueError(path, `integer ${content} does not fit in 64 bits (CBOR's integer range is -2^64 to 2^64 − 1)`);
  if (value >= 0n) writer.headBig(0, value);
  else writer.headBig(1, -1n - value);
}

/** A Map: its keys encoded on their own, sorted bytewise, refused when two encode alike. */
function encodeMap(writer: CborWriter, content: unknown, source: WireOutputSource, path: string, depth: number): void {
  if (!Array.isArray(content)) throw new WireValueError(path, 'a map marker does not hold a list of entries');
  enter(content.length, path, depth);
  const entries: Array<{ readonly key: Uint8Array; readonly value: unknown }> = [];
  for (let index = 0; index < content.length; index += 1) {
    const pair: unknown = content[index];
    if (!Array.isArray(pair) || pair.length !== 2) throw new WireValueError(path, 'a map marker entry is not a [key, value] pair');
    const keyWriter = new CborWriter(KEY_WRITER_BYTES_INITIAL);
    encodeItem(keyWriter, pair[0], source, `${path}<key ${index}>`, depth + 1);
    const key = keyWriter.take();
    if ((key[0] as number) >> 5 > 3) throw new WireValueError(`${path}<key ${index}>`, 'a map key is not an integer, text or bytes');
    entries.push({ key, value: pair[1] });
  }
  entries.sort((left, right) => compareBytes(left.key, right.key));
  writer.head(5, entries.length);
  for (let index = 0; index < entries.length; index += 1) {
    const entry = entries[index] as { readonly key: Uint8Array; readonly value: unknown };
    if (index > 0 && compareBytes((entries[index - 1] as { readonly key: Uint8Array }).key, entry.key) === 0) {
      throw new WireValueError(path, 'a map has two keys with the same encoding');
    }
    writer.raw(entry.key);
    encodeItem(writer, entry.value, source, `${path}[…]`, depth + 1);
  }
}
