// Canonical CBOR (RFC 8949 §4.2.1) encoding inside the sandbox, small and fast because it
// runs interpreted in QuickJS on every step: shortest heads, definite lengths, map keys
// sorted by their encoded bytes, no floats. Produces the same bytes as src/cbor.
import { SdkError } from './errors.ts';
import { UTF8_NATIVE_MIN_LENGTH, utf8Encode, utf8Length, writeUtf8 } from './utf8.ts';
import { Tagged } from './values.ts';
import type { AirValue } from './values.ts';

/** Deepest nesting the SDK encodes, the same bound as src/cbor (CBOR_DEPTH_MAX). */
const ENCODE_DEPTH_MAX = 256;
const UINT64_MAX = (1n << 64n) - 1n;
const UINT32_LIMIT = 0x1_0000_0000;

class Writer {
  bytes = new Uint8Array(256);
  length = 0;
  reserve(count: number): void {
    if (this.length + count <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < this.length + count) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }
  head(major: number, argument: number): void {
    this.reserve(9);
    const type = major << 5;
    const bytes = this.bytes;
    if (argument < 24) bytes[this.length++] = type | argument;
    else if (argument < 0x100) {
      bytes[this.length++] = type | 24;
      bytes[this.length++] = argument;
    } else if (argument < 0x10000) {
      bytes[this.length++] = type | 25;
      bytes[this.length++] = argument >> 8;
      bytes[this.length++] = argument & 0xff;
    } else if (argument < UINT32_LIMIT) {
      bytes[this.length++] = type | 26;
      this.uint32(argument);
    } else {
      bytes[this.length++] = type | 27;
      this.uint32(Math.floor(argument / UINT32_LIMIT));
      this.uint32(argument % UINT32_LIMIT);
    }
  }
  headBig(major: number, argument: bigint): void {
    if (argument <= BigInt(Number.MAX_SAFE_INTEGER)) return this.head(major, Number(argument));
    this.reserve(9);
    this.bytes[this.length++] = (major << 5) | 27;
    this.uint32(Number(argument >> 32n));
    this.uint32(Number(argument & 0xffff_ffffn));
  }
  uint32(value: number): void {
    const bytes = this.bytes;
    bytes[this.length++] = (value >>> 24) & 0xff;
    bytes[this.length++] = (value >>> 16) & 0xff;
    bytes[this.length++] = (value >>> 8) & 0xff;
    bytes[this.length++] = value & 0xff;
  }
  raw(chunk: Uint8Array): void {
    this.reserve(chunk.length);
    this.bytes.set(chunk, this.length);
    this.length += chunk.length;
  }
  text(value: string): void {
    if (value.length >= UTF8_NATIVE_MIN_LENGTH) {
      const bytes = utf8Encode(value);
      this.head(3, bytes.length);
      this.raw(bytes);
      return;
    }
    const size = utf8Length(value);
    this.head(3, size);
    this.reserve(size);
    this.length = writeUtf8(value, this.bytes, this.length);
  }
}

/** Encodes a value as canonical CBOR (no self-describe prefix). Fields holding `undefined` are left out. */
export function encodeCbor(value: AirValue): Uint8Array {
  const writer = new Writer();
  encodeInto(writer, value, '', 0);
  return writer.bytes.slice(0, writer.length);
}

function encodeInto(writer: Writer, value: AirValue, path: string, depth: number): void {
  if (depth > ENCODE_DEPTH_MAX) throw encodeError(path, `nests deeper than ${ENCODE_DEPTH_MAX} levels`);
  if (value === null) return writer.raw(NULL_BYTE);
  switch (typeof value) {
    case 'boolean': return writer.raw(value ? TRUE_BYTE : FALSE_BYTE);
    case 'number': return encodeNumber(writer, value, path);
    case 'bigint': return encodeBigint(writer, value, path);
    case 'string': return writer.text(value);
    case 'object': return encodeObject(writer, value, path, depth);
    default: throw encodeError(path, `${typeof value} has no CBOR form in AIR`);
  }
}

const NULL_BYTE = Uint8Array.of(0xf6);
const TRUE_BYTE = Uint8Array.of(0xf5);
const FALSE_BYTE = Uint8Array.of(0xf4);

function encodeNumber(writer: Writer, value: number, path: string): void {
  if (!Number.isInteger(value) || Object.is(value, -0)) throw encodeError(path, `${value} is not an integer; AIR values carry no floats (use dec128)`);
  if (!Number.isSafeInteger(value)) throw encodeError(path, `${value} is beyond 2^53 and has lost precision; use a bigint`);
  if (value >= 0) writer.head(0, value);
  else writer.head(1, -1 - value);
}

function encodeBigint(writer: Writer, value: bigint, path: string): void {
  if (value > UINT64_MAX || value < -UINT64_MAX - 1n) throw encodeError(path, `integer ${value} does not fit in 64 bits`);
  if (value >= 0n) writer.headBig(0, value);
  else writer.headBig(1, -1n - value);
}

function encodeObject(writer: Writer, value: object, path: string, depth: number): void {
  if (value instanceof Uint8Array) {
    writer.head(2, value.length);
    return writer.raw(value);
  }
  if (Array.isArray(value)) {
    writer.head(4, value.length);
    for (let index = 0; index < value.length; index += 1) encodeInto(writer, value[index] as AirValue, `${path}[${index}]`, depth + 1);
    return;
  }
  if (value instanceof Tagged) {
    writer.head(6, value.tag);
    return encodeInto(writer, value.value, `${path}<tag>`, depth + 1);
  }
  if (value instanceof Map) return encodeMap(writer, value as ReadonlyMap<AirValue, AirValue>, path, depth);
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) throw encodeError(path, 'a class instance has no CBOR form in AIR; use a plain object');
  return encodeRecord(writer, value as Record<string, AirValue | undefined>, path, depth);
}

function encodeRecord(writer: Writer, value: Record<string, AirValue | undefined>, path: string, depth: number): void {
  const keys = Object.keys(value);
  let present = 0;
  for (const key of keys) if (value[key] !== undefined) present += 1;
  writer.head(5, present);
  for (const key of sortedKeys(keys)) {
    const entry = value[key];
    if (entry === undefined) continue;
    writer.raw(encodedKey(key));
    encodeInto(writer, entry, path === '' ? key : `${path}.${key}`, depth + 1);
  }
}

// Memo tables: records of one shape repeat on every step, and in QuickJS sorting and
// encoding keys costs more than the rest of a small value. They hold only pure functions of
// their keys, so they change no result; they are bounded, and cleared when full.
const MEMO_ENTRIES_MAX = 512;
const keyBytesMemo = new Map<string, Uint8Array>();
const keyOrderMemo = new Map<string, readonly string[]>();

function encodedKey(key: string): Uint8Array {
  let bytes = keyBytesMemo.get(key);
  if (bytes === undefined) {
    const writer = new Writer();
    writer.text(key);
    bytes = writer.bytes.slice(0, writer.length);
    if (keyBytesMemo.size >= MEMO_ENTRIES_MAX) keyBytesMemo.clear();
    keyBytesMemo.set(key, bytes);
  }
  return bytes;
}

function sortedKeys(keys: string[]): readonly string[] {
  if (keys.length < 2) return keys;
  const shape = keys.join('\u0000');
  let order = keyOrderMemo.get(shape);
  if (order === undefined) {
    order = keys.slice().sort(compareTextKeys);
    if (keyOrderMemo.size >= MEMO_ENTRIES_MAX) keyOrderMemo.clear();
    keyOrderMemo.set(shape, order);
  }
  return order;
}

/** Canonical order of text keys: by encoded length, then bytewise (ASCII keys need no encoding). */
function compareTextKeys(left: string, right: string): number {
  const leftLength = utf8Length(left);
  const rightLength = utf8Length(right);
  if (leftLength !== rightLength) return leftLength - rightLength;
  if (leftLength === left.length && rightLength === right.length) return left < right ? -1 : left > right ? 1 : 0;
  return compareBytes(encodedKey(left), encodedKey(right));
}

function encodeMap(writer: Writer, value: ReadonlyMap<AirValue, AirValue>, path: string, depth: number): void {
  const entries: Array<{ key: Uint8Array; value: AirValue }> = [];
  for (const [key, entry] of value) {
    const keyWriter = new Writer();
    encodeInto(keyWriter, key, `${path}<key>`, depth + 1);
    entries.push({ key: keyWriter.bytes.slice(0, keyWriter.length), value: entry });
  }
  entries.sort((left, right) => compareBytes(left.key, right.key));
  for (let index = 1; index < entries.length; index += 1) {
    if (compareBytes((entries[index - 1] as { key: Uint8Array }).key, (entries[index] as { key: Uint8Array }).key) === 0) {
      throw encodeError(path, 'a map has two keys with the same encoding');
    }
  }
  writer.head(5, entries.length);
  for (const entry of entries) {
    writer.raw(entry.key);
    encodeInto(writer, entry.value, `${path}[…]`, depth + 1);
  }
}

function compareBytes(left: Uint8Array, right: Uint8Array): number {
  const length = Math.min(left.length, right.length);
  for (let index = 0; index < length; index += 1) {
    const difference = (left[index] ?? 0) - (right[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return left.length - right.length;
}

function encodeError(path: string, what: string): SdkError {
  return new SdkError('CBOR_ENCODE', `CBOR encode error at ${path === '' ? 'the root' : path}: ${what}`);
}
