// The fast decoder: one pass over the bytes through a DataView, building values directly, with
// no token objects (cborg's tokens were most of the decode time in our profiles). It reads only
// canonical AgentOS data (RFC 8949 §4.2.1: shortest heads, definite lengths, map keys of int,
// text or bytes in strictly increasing bytewise order, tag 2000 around 16 bytes, no floats,
// well-formed UTF-8, at most CBOR_DEPTH_MAX open containers), checking each rule as it goes.
// It never throws on bad input: it *declines*, and canonical.ts hands the bytes to the cborg
// decoder (cborg-decoder.ts), which refuses them with the exact code and byte offset, or
// decides the few odd inputs it accepts. So what this accepts must be a subset of what
// decodeCanonicalCborg accepts, decoded to equal values; test/unit/cbor/decoder.test.ts
// checks that differentially. Containers live on an explicit stack: no recursion on input.
//
// Readers report what happened as a small-integer status (STEP_*) and leave a value in
// `Reader.value`, so control never shares a return value with data and the loop compares small
// integers only.
import { assert } from './assert.ts';
import { FRAME_ARRAY, FRAME_MAP, FRAME_OBJECT, FRAME_ROOT, Reader } from './decode-reader.ts';
import type { Frame } from './decode-reader.ts';
import { decodeText } from './decode-text.ts';
import { CBOR_DEPTH_MAX, DEC128_BYTES, DEC128_TAG } from './limits.ts';
import { Tagged } from './value.ts';
import type { CborValue } from './value.ts';
import { MAJOR_ARRAY, MAJOR_BYTES, MAJOR_MAP, MAJOR_NEGINT, MAJOR_SIMPLE, MAJOR_TEXT, MAJOR_UINT } from './major-types.ts';

/** Returned when the fast path does not decide the input: the cborg decoder must. */
export const DECLINED: unique symbol = Symbol('CBOR fast path declined');

/** A value was read: it is in Reader.value. */
const STEP_VALUE = 0;
/** A container was opened or a map key read: the next item follows. */
const STEP_NEXT = 1;
/** The input is not canonical AgentOS data, or is left to cborg. */
const STEP_DECLINED = 2;
/** A map key that is not text was met while maps were read as objects: start again with Maps. */
const STEP_NEEDS_MAPS = 3;
/** The root item is complete. */
const STEP_DONE = 4;

const INFO_UINT8 = 24;
const INFO_UINT16 = 25;
const INFO_UINT32 = 26;
const INFO_UINT64 = 27;
const SIMPLE_FALSE = 20;
const SIMPLE_TRUE = 21;
const SIMPLE_NULL = 22;
/** The smallest argument each head width may carry; anything less has a shorter canonical head. */
const UINT8_ARGUMENT_MIN = 24;
const UINT16_ARGUMENT_MIN = 0x100;
const UINT32_ARGUMENT_MIN = 0x1_0000;
/** Largest high word of a 64-bit argument whose value is still a safe integer (2^53 − 1). */
const SAFE_HIGH_WORD_MAX = 0x1f_ffff;
const TWO_POW_32 = 0x1_0000_0000;
/** The only head a dec128 payload has: a byte string of DEC128_BYTES, whose length fits in the initial byte. */
const DEC128_PAYLOAD_HEAD = (MAJOR_BYTES << 5) | DEC128_BYTES;

assert(DEC128_BYTES < INFO_UINT8, 'a dec128 payload length fits in its initial byte');

let idleReader: Reader | null = new Reader();

/**
 * Decodes the data item that starts at `start` and must end exactly at the end of `bytes`; or
 * returns DECLINED for anything that is not canonical AgentOS data, or that it leaves to cborg.
 */
export function decodeFast(bytes: Uint8Array, start: number): CborValue | typeof DECLINED {
  const reader = idleReader ?? new Reader();
  idleReader = null;
  try {
    let step = decodeWith(reader, bytes, start, false);
    if (step === STEP_NEEDS_MAPS) {
      // cborg reads every map of the input as a Map once one has a key that is not text.
      reader.release();
      step = decodeWith(reader, bytes, start, true);
    }
    assert(step === STEP_DONE || step === STEP_DECLINED, 'a decode ends done or declined');
    return step === STEP_DONE ? reader.value as CborValue : DECLINED; // the parse boundary: what was read is CBOR data
  } finally {
    reader.release();
    idleReader = reader;
  }
}

function decodeWith(reader: Reader, bytes: Uint8Array, start: number, useMaps: boolean): number {
  assert(reader.top === reader.root, 'a decode starts with no container open');
  if (start >= bytes.length) return STEP_DECLINED; // no item (or a detached buffer, which no DataView may view)
  reader.data = bytes;
  reader.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  reader.pos = start;
  reader.end = bytes.length;
  reader.useMaps = useMaps;
  const step = run(reader);
  return step === STEP_DONE && reader.pos !== reader.end ? STEP_DECLINED : step; // trailing bytes
}

/**
 * Reads items until the root is complete: in a map, a key and its value each turn. Each turn
 * consumes at least one byte or ends the decode, so the input length bounds the loop.
 */
function run(r: Reader): number {
  for (;;) {
    const frame = r.top;
    if (frame.kind >= FRAME_OBJECT) {
      const keyStep = readKey(r, frame);
      if (keyStep !== STEP_NEXT) return keyStep;
    }
    const step = readItem(r);
    if (step === STEP_VALUE) {
      if (settle(r, r.value)) return STEP_DONE;
    } else if (step !== STEP_NEXT) {
      return step;
    }
  }
}

/** Puts a finished item into the innermost container, closing each container it completes; true when the root item is done. */
function settle(r: Reader, item: unknown): boolean {
  let value = item;
  for (;;) {
    const frame = r.top;
    const kind = frame.kind;
    if (kind === FRAME_ROOT) {
      r.value = value;
      return true;
    }
    if (kind === FRAME_ARRAY) {
      frame.items.push(value);
    } else if (kind === FRAME_OBJECT) {
      setField(frame.fields, frame.textKey, value);
    } else {
      frame.entries.set(frame.mapKey, value);
    }
    frame.left -= 1;
    if (frame.left > 0) return false;
    value = r.close();
  }
}

/** Sets a field as cborg does: `__proto__` becomes an own property instead of replacing the prototype. */
function setField(fields: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(fields, key, { value, configurable: true, enumerable: true, writable: true });
  else fields[key] = value;
}

/** Reads the next item: a value (left in r.value), an opened container, or a refusal. */
function readItem(r: Reader): number {
  const start = r.pos;
  if (start >= r.end) return STEP_DECLINED; // truncated
  const initial = r.view.getUint8(start);
  const major = initial >>> 5;
  const info = initial & 0x1f;
  if (major === MAJOR_SIMPLE) return readSimple(r, info);
  if (info === INFO_UINT64) return major <= MAJOR_NEGINT ? readInt64(r, major) : STEP_DECLINED; // 64-bit lengths and tags: cborg decides
  const argument = readArgument(r, info);
  if (argument < 0) return STEP_DECLINED;
  switch (major) {
    case MAJOR_UINT: return found(r, argument);
    case MAJOR_NEGINT: return found(r, -1 - argument);
    case MAJOR_BYTES: return readBytes(r, argument);
    case MAJOR_TEXT: return readText(r, argument);
    case MAJOR_ARRAY: return openArray(r, argument);
    case MAJOR_MAP: return openMap(r, argument);
    default: return readTag(r, argument); // major 6, the last one left
  }
}

function found(r: Reader, value: unknown): number {
  r.value = value;
  return STEP_VALUE;
}

/**
 * Reads the argument of a head of up to 32 bits and moves past the head; -1 when it is
 * truncated, reserved (28–30), indefinite (31) or longer than its shortest form.
 */
function readArgument(r: Reader, info: number): number {
  const at = r.pos + 1;
  if (info < INFO_UINT8) {
    r.pos = at;
    return info;
  }
  const size = info === INFO_UINT8 ? 1 : info === INFO_UINT16 ? 2 : info === INFO_UINT32 ? 4 : 0;
  if (size === 0 || at + size > r.end) return -1;
  r.pos = at + size;
  if (size === 1) {
    const value = r.view.getUint8(at);
    return value < UINT8_ARGUMENT_MIN ? -1 : value;
  }
  if (size === 2) {
    const value = r.view.getUint16(at);
    return value < UINT16_ARGUMENT_MIN ? -1 : value;
  }
  const value = r.view.getUint32(at);
  return value < UINT32_ARGUMENT_MIN ? -1 : value;
}

/** An integer with a 64-bit argument: a number when it is a safe integer, a bigint beyond, as cborg decodes it. */
function readInt64(r: Reader, major: number): number {
  const at = r.pos + 1;
  if (at + 8 > r.end) return STEP_DECLINED;
  r.pos = at + 8;
  const high = r.view.getUint32(at);
  if (high === 0) return STEP_DECLINED; // fits in 32 bits: not the shortest form
  if (high <= SAFE_HIGH_WORD_MAX) {
    const argument = high * TWO_POW_32 + r.view.getUint32(at + 4);
    if (major === MAJOR_UINT) return found(r, argument);
    if (argument < Number.MAX_SAFE_INTEGER) return found(r, -1 - argument);
  }
  const big = r.view.getBigUint64(at);
  return found(r, major === MAJOR_UINT ? big : -1n - big);
}

function readSimple(r: Reader, info: number): number {
  r.pos += 1;
  if (info === SIMPLE_FALSE) return found(r, false);
  if (info === SIMPLE_TRUE) return found(r, true);
  if (info === SIMPLE_NULL) return found(r, null);
  return STEP_DECLINED; // undefined, floats, other simple values, break
}

/**
 * Byte strings are the input's own slice(), as in cborg: a copy from a Uint8Array, but a view
 * into a Buffer (Buffer.prototype.slice does not copy).
 */
function readBytes(r: Reader, length: number): number {
  const from = r.pos;
  if (length > r.end - from) return STEP_DECLINED;
  r.pos = from + length;
  return found(r, r.data.slice(from, r.pos));
}

function readText(r: Reader, length: number): number {
  const from = r.pos;
  if (length > r.end - from) return STEP_DECLINED;
  r.pos = from + length;
  const text = decodeText(r.data, r.view, from, r.pos);
  return text === null ? STEP_DECLINED : found(r, text);
}

function openArray(r: Reader, count: number): number {
  if (count === 0) return found(r, []);
  // Every item takes at least a byte, so a longer count is truncated input (and no huge array is made).
  if (count > r.end - r.pos || r.top.depth >= CBOR_DEPTH_MAX) return STEP_DECLINED;
  r.open(FRAME_ARRAY, count).items = [];
  return STEP_NEXT;
}

function openMap(r: Reader, count: number): number {
  if (count === 0) return found(r, r.useMaps ? new Map() : {});
  if (count > (r.end - r.pos) / 2 || r.top.depth >= CBOR_DEPTH_MAX) return STEP_DECLINED;
  if (r.useMaps) r.open(FRAME_MAP, count).entries = new Map();
  else r.open(FRAME_OBJECT, count).fields = {};
  return STEP_NEXT;
}

/** dec128: tag 2000 (its head already read) around exactly 16 bytes; every other tag is cborg's to refuse. */
function readTag(r: Reader, tag: number): number {
  const at = r.pos;
  const to = at + 1 + DEC128_BYTES;
  // cborg counts a tag as an open container while it reads the payload.
  if (tag !== DEC128_TAG || r.top.depth >= CBOR_DEPTH_MAX || to > r.end) return STEP_DECLINED;
  if (r.view.getUint8(at) !== DEC128_PAYLOAD_HEAD) return STEP_DECLINED;
  r.pos = to;
  return found(r, new Tagged(DEC128_TAG, r.data.slice(at + 1, to)));
}

/** Reads a map key: int, text or bytes, after the previous key in bytewise order of the encodings. */
function readKey(r: Reader, frame: Frame): number {
  const start = r.pos;
  if (start >= r.end) return STEP_DECLINED;
  const major = r.view.getUint8(start) >>> 5;
  if (major > MAJOR_TEXT) return STEP_DECLINED; // a key that is not an int, text or bytes: cborg refuses it
  if (major !== MAJOR_TEXT && !r.useMaps) return STEP_NEEDS_MAPS;
  if (readItem(r) !== STEP_VALUE) return STEP_DECLINED;
  if (frame.keyStart >= 0 && !isAfter(r.view, frame.keyStart, frame.keyEnd, start, r.pos)) return STEP_DECLINED; // repeated or out of order
  frame.keyStart = start;
  frame.keyEnd = r.pos;
  const key = r.value;
  if (r.useMaps) {
    frame.mapKey = key;
  } else {
    assert(typeof key === 'string', 'an object map reads only text keys');
    frame.textKey = key;
  }
  return STEP_NEXT;
}

/** True when the encoding at [start, end) sorts strictly after the one at [previousStart, previousEnd), bytewise (RFC 8949 §4.2.1). */
function isAfter(view: DataView, previousStart: number, previousEnd: number, start: number, end: number): boolean {
  const length = Math.min(previousEnd - previousStart, end - start);
  for (let index = 0; index < length; index += 1) {
    const difference = view.getUint8(start + index) - view.getUint8(previousStart + index);
    if (difference !== 0) return difference > 0;
  }
  return end - start > previousEnd - previousStart;
}
