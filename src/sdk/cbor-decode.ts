// Canonical CBOR decoding inside the sandbox. Its input comes from the kernel, which only
// sends canonical bytes, so this decoder refuses what AIR cannot hold (floats, undefined,
// indefinite lengths, unknown tags, trailing bytes) without re-encoding to compare. It is
// written for QuickJS's interpreter: plain functions over one cursor, bytes read inline.
import { CBOR_DECODE_GLOBAL } from '../sandbox/js/protocol.ts';
import { SdkError } from './errors.ts';
import { readUtf8 } from './utf8.ts';
import { Tagged } from './values.ts';
import type { AirValue } from './values.ts';

/** Deepest nesting the SDK decodes, the same bound as src/cbor (CBOR_DEPTH_MAX). */
const DECODE_DEPTH_MAX = 256;
const DEC128_TAG = 2000;
const DEC128_BYTES = 16;

interface Cursor {
  readonly bytes: Uint8Array;
  offset: number;
}

type NativeDecode = (bytes: Uint8Array) => AirValue | undefined;

/** Decodes one CBOR item (an optional self-describe prefix is skipped); refuses trailing bytes. */
export function decodeCbor(bytes: Uint8Array): AirValue {
  // Inside the js runtime the host reads canonical bytes (CBOR_DECODE_GLOBAL), giving the value
  // this code would; what it leaves (undefined) is decoded here, refusals included.
  const native = (globalThis as unknown as Record<string, unknown>)[CBOR_DECODE_GLOBAL];
  if (typeof native === 'function' && bytes instanceof Uint8Array) {
    const value = (native as NativeDecode)(bytes);
    if (value !== undefined) return value;
  }
  return interpretedDecodeCbor(bytes);
}

/** The same decoding in JavaScript: outside the js runtime (host-side tests), and for bytes the host leaves. */
function interpretedDecodeCbor(bytes: Uint8Array): AirValue {
  const cursor: Cursor = { bytes, offset: bytes[0] === 0xd9 && bytes[1] === 0xd9 && bytes[2] === 0xf7 ? 3 : 0 };
  const value = decodeItem(cursor, 0);
  if (cursor.offset !== bytes.length) throw decodeError(cursor.offset, 'bytes follow the end of the data item');
  return value;
}

/** The head's argument: a number, or a bigint past 2^53 (only meaningful for integers). */
function argument(cursor: Cursor, info: number): number | bigint {
  if (info < 24) return info;
  const bytes = cursor.bytes;
  const at = cursor.offset;
  const size = info === 24 ? 1 : info === 25 ? 2 : info === 26 ? 4 : info === 27 ? 8 : 0;
  if (size === 0) throw decodeError(at - 1, info === 31 ? 'indefinite-length item; canonical CBOR uses definite lengths only' : 'a reserved initial byte');
  if (at + size > bytes.length) throw decodeError(at, 'the data ends in the middle of an item (truncated input)');
  cursor.offset = at + size;
  if (size === 1) return bytes[at] as number;
  if (size === 2) return (bytes[at] as number) * 0x100 + (bytes[at + 1] as number);
  const high = (bytes[at] as number) * 0x100_0000 + (bytes[at + 1] as number) * 0x1_0000 + (bytes[at + 2] as number) * 0x100 + (bytes[at + 3] as number);
  if (size === 4) return high;
  const low = (bytes[at + 4] as number) * 0x100_0000 + (bytes[at + 5] as number) * 0x1_0000 + (bytes[at + 6] as number) * 0x100 + (bytes[at + 7] as number);
  return high < 0x20_0000 ? high * 0x1_0000_0000 + low : (BigInt(high) << 32n) | BigInt(low);
}

function length(cursor: Cursor, info: number, start: number): number {
  const value = argument(cursor, info);
  if (typeof value !== 'number' || value > cursor.bytes.length - cursor.offset) throw decodeError(start, 'a length runs past the end of the data');
  return value;
}

function decodeItem(cursor: Cursor, depth: number): AirValue {
  if (depth > DECODE_DEPTH_MAX) throw decodeError(cursor.offset, `nesting deeper than ${DECODE_DEPTH_MAX} levels`);
  const start = cursor.offset;
  const initial = cursor.bytes[start];
  if (initial === undefined) throw decodeError(start, 'the data ends in the middle of an item (truncated input)');
  cursor.offset = start + 1;
  const info = initial & 0x1f;
  switch (initial >> 5) {
    case 0: return argument(cursor, info);
    case 1: {
      const value = argument(cursor, info);
      return typeof value === 'number' && value < Number.MAX_SAFE_INTEGER ? -1 - value : normalizeBig(-1n - BigInt(value));
    }
    case 2: {
      const size = length(cursor, info, start);
      cursor.offset += size;
      return new Uint8Array(cursor.bytes.subarray(cursor.offset - size, cursor.offset)); // a copy, and never a Buffer
    }
    case 3: {
      const size = length(cursor, info, start);
      cursor.offset += size;
      return readUtf8(cursor.bytes, cursor.offset - size, cursor.offset);
    }
    case 4: {
      const size = length(cursor, info, start);
      const items: AirValue[] = [];
      for (let index = 0; index < size; index += 1) items.push(decodeItem(cursor, depth + 1));
      return items;
    }
    case 5: return decodeMap(cursor, length(cursor, info, start), depth);
    case 6: return decodeTag(cursor, argument(cursor, info), start, depth);
    default: return decodeSimple(info, start);
  }
}

function normalizeBig(value: bigint): number | bigint {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value;
}

function decodeMap(cursor: Cursor, size: number, depth: number): AirValue {
  const record: Record<string, AirValue> = {};
  let map: Map<AirValue, AirValue> | null = null;
  for (let index = 0; index < size; index += 1) {
    const keyStart = cursor.offset;
    const key = decodeItem(cursor, depth + 1);
    const value = decodeItem(cursor, depth + 1);
    if (map === null && typeof key === 'string') {
      if (key in record) {
        if (Object.prototype.hasOwnProperty.call(record, key)) throw decodeError(keyStart, `a map repeats the key "${key}"`);
        Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
      } else record[key] = value;
      continue;
    }
    if (map === null) map = new Map(Object.entries(record));
    map.set(key, value);
  }
  return map ?? record;
}

function decodeTag(cursor: Cursor, tag: number | bigint, start: number, depth: number): AirValue {
  if (tag !== DEC128_TAG) throw decodeError(start, `found tag ${String(tag)}; only tag ${DEC128_TAG} (dec128) may appear inside a value`);
  const payload = decodeItem(cursor, depth + 1);
  if (!(payload instanceof Uint8Array) || payload.length !== DEC128_BYTES) {
    throw decodeError(start, `tag ${DEC128_TAG} (dec128) must wrap exactly ${DEC128_BYTES} bytes`);
  }
  return new Tagged(DEC128_TAG, payload);
}

function decodeSimple(info: number, start: number): AirValue {
  if (info === 20) return false;
  if (info === 21) return true;
  if (info === 22) return null;
  if (info === 23) throw decodeError(start, 'found `undefined`, which canonical CBOR does not allow');
  if (info >= 25 && info <= 27) throw decodeError(start, 'found a float; AIR values carry no floats (use dec128 or an integer)');
  throw decodeError(start, `found simple value ${info}, which AIR does not use`);
}

function decodeError(offset: number, what: string): SdkError {
  return new SdkError('CBOR_DECODE', `CBOR decode error at byte ${offset}: ${what}`);
}
