// The canonical encoder (RFC 8949 §4.2.1 deterministic encoding) for AgentOS's CBOR data model.
// cborg is the oracle our tests compare against (test/unit/cbor) and explains the decoder's
// refusals (cborg-decoder.ts); its encoder builds a token tree and sorts map keys by encoding each one, which measured ~25k
// 1-KB records/s here; this writes bytes in one pass, checking as it goes, at several times
// that (bench/cbor.ts). Every refusal names the path to the offending part.
import { CborEncodeError } from './errors.ts';
import { CBOR_DEPTH_MAX, DEC128_BYTES, DEC128_TAG } from './limits.ts';
import { Tagged } from './value.ts';
import type { CborValue } from './value.ts';
import { MAJOR_ARRAY, MAJOR_BYTES, MAJOR_MAP, MAJOR_NEGINT, MAJOR_TAG, MAJOR_TEXT, MAJOR_UINT } from './major-types.ts';

const SIMPLE_FALSE = 0xf4;
const SIMPLE_TRUE = 0xf5;
const SIMPLE_NULL = 0xf6;
const UINT64_MAX = (1n << 64n) - 1n;
/** First buffer size; it doubles as needed. */
const INITIAL_BYTES = 256;
/** Texts up to this length are checked for ASCII and written byte by byte, skipping the UTF-8 encoder. */
const ASCII_FAST_CHARS_MAX = 256;
/** Largest scratch buffer kept between encodes. */
const SCRATCH_BYTES_KEPT_MAX = 1024 * 1024;
/** Text keys whose UTF-8 bytes are remembered: field names repeat in every record. */
const KEY_CACHE_ENTRIES_MAX = 4_096;

const utf8 = new TextEncoder();
const keyCache = new Map<string, Uint8Array>();

function keyBytes(key: string): Uint8Array {
  let bytes = keyCache.get(key);
  if (bytes === undefined) {
    bytes = utf8.encode(key);
    if (keyCache.size >= KEY_CACHE_ENTRIES_MAX) keyCache.clear();
    keyCache.set(key, bytes);
  }
  return bytes;
}

/** Bytewise order of two encoded keys (RFC 8949 §4.2.1). */
function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const length = Math.min(a.length, b.length);
  for (let index = 0; index < length; index += 1) {
    const difference = (a[index] ?? 0) - (b[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return a.length - b.length;
}

/** Text keys in canonical order: shorter UTF-8 first (the head encodes the length), then bytewise. */
function compareTextKeys(a: Uint8Array, b: Uint8Array): number {
  return a.length !== b.length ? a.length - b.length : compareBytes(a, b);
}

class Writer {
  bytes = new Uint8Array(INITIAL_BYTES);
  length = 0;
  /** Over `bytes`, remade when the buffer is replaced (for 64-bit heads). */
  private view = new DataView(this.bytes.buffer);

  private reserve(extra: number): void {
    if (this.length + extra <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < this.length + extra) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }

  byte(value: number): void {
    this.reserve(1);
    this.bytes[this.length++] = value;
  }

  raw(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.bytes.set(bytes, this.length);
    this.length += bytes.length;
  }

  /** A head: major type and argument in the shortest form. */
  head(major: number, argument: number): void {
    const type = major << 5;
    this.reserve(9);
    const out = this.bytes;
    if (argument < 24) {
      out[this.length++] = type | argument;
    } else if (argument < 0x100) {
      out[this.length++] = type | 24;
      out[this.length++] = argument;
    } else if (argument < 0x10000) {
      out[this.length++] = type | 25;
      out[this.length++] = argument >>> 8;
      out[this.length++] = argument & 0xff;
    } else if (argument < 0x100000000) {
      out[this.length++] = type | 26;
      out[this.length++] = argument >>> 24;
      out[this.length++] = (argument >>> 16) & 0xff;
      out[this.length++] = (argument >>> 8) & 0xff;
      out[this.length++] = argument & 0xff;
    } else {
      this.bigHead(major, BigInt(argument));
    }
  }

  bigHead(major: number, argument: bigint): void {
    if (argument < 0x100000000n) {
      this.head(major, Number(argument));
      return;
    }
    this.reserve(9);
    this.bytes[this.length++] = (major << 5) | 27;
    if (this.view.buffer !== this.bytes.buffer) this.view = new DataView(this.bytes.buffer);
    this.view.setBigUint64(this.length, argument);
    this.length += 8;
  }

  text(value: string): void {
    // Short texts are written as if ASCII in one pass, and redone through the UTF-8 encoder
    // at the first character that is not: hashes, names and field names are ASCII.
    const length = value.length;
    if (length < ASCII_FAST_CHARS_MAX) {
      const start = this.length;
      this.head(MAJOR_TEXT, length);
      this.reserve(length);
      const out = this.bytes;
      let at = this.length;
      let index = 0;
      for (; index < length; index += 1) {
        const code = value.charCodeAt(index);
        if (code > 0x7f) break;
        out[at++] = code;
      }
      if (index === length) {
        this.length = at;
        return;
      }
      this.length = start;
    }
    const encoded = utf8.encode(value);
    this.head(MAJOR_TEXT, encoded.length);
    this.raw(encoded);
  }

  result(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }

  reset(): void {
    this.length = 0;
  }
}

/**
 * Encoding allocates nothing but its result: one writer is reused by every call (encoding never
 * re-enters itself), and one more encodes Map keys for sorting (keys are never containers).
 */
const scratch = new Writer();
const keyScratch = new Writer();

/**
 * Where the encoder is, as a stack of keys and indices: pushed and popped as it descends, and
 * turned into a path string only when something is refused (building strings for every value
 * cost more than the encoding itself).
 */
const pathStack: Array<string | number> = [];

function currentPath(): string {
  return pathStack.map((part) => (typeof part === 'number' ? `[${part}]` : part.startsWith('<') ? part : `.${part}`)).join('');
}

/** Encodes a value canonically (no prefix), refusing what has no canonical form with its path. */
export function encodeBody(value: CborValue, prefix?: Uint8Array): Uint8Array {
  scratch.reset();
  pathStack.length = 0;
  if (prefix !== undefined) scratch.raw(prefix);
  try {
    write(scratch, value, 0);
    return scratch.result();
  } finally {
    // A huge value must not pin its buffer for the life of the process.
    if (scratch.bytes.length > SCRATCH_BYTES_KEPT_MAX) scratch.bytes = new Uint8Array(INITIAL_BYTES);
  }
}

function write(writer: Writer, value: unknown, depth: number): void {
  if (depth > CBOR_DEPTH_MAX) throw new CborEncodeError('TOO_DEEP', currentPath(), `nests deeper than ${CBOR_DEPTH_MAX} levels`);
  switch (typeof value) {
    case 'string': writer.text(value); return;
    case 'number': writeNumber(writer, value); return;
    case 'boolean': writer.byte(value ? SIMPLE_TRUE : SIMPLE_FALSE); return;
    case 'bigint': writeBigint(writer, value); return;
    case 'object': break;
    default: throw new CborEncodeError('UNSUPPORTED_VALUE', currentPath(), `${describe(value)} has no CBOR form in AgentOS`);
  }
  if (value === null) {
    writer.byte(SIMPLE_NULL);
  } else if (value instanceof Uint8Array) {
    writer.head(MAJOR_BYTES, value.length);
    writer.raw(value);
  } else if (Array.isArray(value)) {
    writer.head(MAJOR_ARRAY, value.length);
    for (let index = 0; index < value.length; index += 1) {
      pathStack.push(index);
      write(writer, value[index], depth + 1);
      pathStack.pop();
    }
  } else if (value instanceof Map) {
    writeMap(writer, value, depth);
  } else if (value instanceof Tagged) {
    writeTagged(writer, value);
  } else if (isPlainObject(value)) {
    writeObject(writer, value as Record<string, unknown>, depth);
  } else {
    throw new CborEncodeError('UNSUPPORTED_VALUE', currentPath(), `${describe(value)} has no CBOR form in AgentOS`);
  }
}

function writeNumber(writer: Writer, value: number): void {
  if (value >= 0 && value <= 0xffffffff && Number.isInteger(value) && !Object.is(value, -0)) {
    writer.head(MAJOR_UINT, value);
    return;
  }
  const path = currentPath();
  if (!Number.isFinite(value)) throw new CborEncodeError('FLOAT', path, `${value} is not a number AIR can hold`);
  if (!Number.isInteger(value)) throw new CborEncodeError('FLOAT', path, `${value} is a float; AIR values carry no floats (use dec128)`);
  if (!Number.isSafeInteger(value)) throw new CborEncodeError('UNSUPPORTED_VALUE', path, `${value} is beyond 2^53 as a JS number and has lost precision; pass it as a bigint`);
  if (Object.is(value, -0)) throw new CborEncodeError('FLOAT', path, '-0 is a float; use 0');
  if (value >= 0) writer.head(MAJOR_UINT, value);
  else writer.head(MAJOR_NEGINT, -1 - value);
}

function writeBigint(writer: Writer, value: bigint): void {
  if (value >= 0n) {
    if (value > UINT64_MAX) throw new CborEncodeError('UNSUPPORTED_VALUE', currentPath(), `integer ${value} does not fit in 64 bits`);
    writer.bigHead(MAJOR_UINT, value);
  } else {
    const argument = -1n - value;
    if (argument > UINT64_MAX) throw new CborEncodeError('UNSUPPORTED_VALUE', currentPath(), `integer ${value} does not fit in 64 bits`);
    writer.bigHead(MAJOR_NEGINT, argument);
  }
}

function writeTagged(writer: Writer, value: Tagged): void {
  if (value.tag !== DEC128_TAG) throw new CborEncodeError('UNKNOWN_TAG', currentPath(), `tag ${value.tag} is not allowed; only ${DEC128_TAG} (dec128)`);
  const payload: unknown = value.value;
  if (!(payload instanceof Uint8Array) || payload.length !== DEC128_BYTES) throw new CborEncodeError('BAD_TAG_CONTENT', currentPath(), `dec128 must wrap exactly ${DEC128_BYTES} bytes`);
  writer.head(MAJOR_TAG, DEC128_TAG);
  writer.head(MAJOR_BYTES, payload.length);
  writer.raw(payload);
}

/** Key bytes of the object being written, reused: objects are never written re-entrantly at one depth. */
const objectKeyBytes: Uint8Array[][] = [];
/** The canonical order of those keys when the object's own order is not, as positions; reused the same way. */
const objectKeyOrder: number[][] = [];
/** Objects with more keys than this that are out of canonical order are sorted by Array.prototype.sort. */
const OBJECT_KEYS_INSERTION_SORT_MAX = 32;

function writeObject(writer: Writer, value: Record<string, unknown>, depth: number): void {
  const keys = Object.keys(value);
  const bytes = (objectKeyBytes[depth] ??= []);
  bytes.length = keys.length;
  // Objects built in canonical key order (decoded ones, records) need no sort and no allocation.
  let sorted = true;
  for (let index = 0; index < keys.length; index += 1) {
    const encoded = keyBytes(keys[index] as string);
    bytes[index] = encoded;
    if (sorted && index > 0 && compareTextKeys(bytes[index - 1] as Uint8Array, encoded) >= 0) sorted = false;
  }
  writer.head(MAJOR_MAP, keys.length);
  if (sorted) {
    for (let index = 0; index < keys.length; index += 1) writeEntry(writer, keys[index] as string, bytes[index] as Uint8Array, value, depth);
    return;
  }
  // Positions in canonical order, in a buffer kept per depth. Objects built in another order
  // (records our code spreads together) are small, and an insertion sort allocates nothing.
  const order = (objectKeyOrder[depth] ??= []);
  order.length = keys.length;
  if (keys.length > OBJECT_KEYS_INSERTION_SORT_MAX) {
    for (let index = 0; index < keys.length; index += 1) order[index] = index;
    order.sort((a, b) => compareTextKeys(bytes[a] as Uint8Array, bytes[b] as Uint8Array));
  } else {
    for (let index = 0; index < keys.length; index += 1) {
      const itemBytes = bytes[index] as Uint8Array;
      let at = index;
      while (at > 0 && compareTextKeys(bytes[order[at - 1] as number] as Uint8Array, itemBytes) > 0) {
        order[at] = order[at - 1] as number;
        at -= 1;
      }
      order[at] = index;
    }
  }
  for (let index = 0; index < keys.length; index += 1) {
    const position = order[index] as number;
    writeEntry(writer, keys[position] as string, bytes[position] as Uint8Array, value, depth);
  }
}

function writeEntry(writer: Writer, key: string, bytes: Uint8Array, value: Record<string, unknown>, depth: number): void {
  writer.head(MAJOR_TEXT, bytes.length);
  writer.raw(bytes);
  pathStack.push(key);
  write(writer, value[key], depth + 1);
  pathStack.pop();
}

function writeMap(writer: Writer, value: ReadonlyMap<unknown, unknown>, depth: number): void {
  const entries: Array<{ key: Uint8Array; value: unknown; label: string }> = [];
  for (const [key, item] of value) {
    if (!(typeof key === 'string' || typeof key === 'number' || typeof key === 'bigint' || key instanceof Uint8Array)) {
      throw new CborEncodeError('UNSUPPORTED_VALUE', currentPath(), `a map key is ${key === null ? 'null' : Array.isArray(key) ? 'an array' : typeof key}; AIR map keys are integers, text or bytes`);
    }
    keyScratch.reset();
    pathStack.push('<key>');
    write(keyScratch, key, depth + 1);
    pathStack.pop();
    entries.push({ key: keyScratch.result(), value: item, label: String(key) });
  }
  entries.sort((a, b) => compareBytes(a.key, b.key));
  for (let index = 1; index < entries.length; index += 1) {
    if (compareBytes(entries[index - 1]?.key ?? new Uint8Array(), entries[index]?.key ?? new Uint8Array()) === 0) {
      throw new CborEncodeError('DUPLICATE_KEY', currentPath(), `the map has the key ${entries[index]?.label ?? ''} twice (as distinct objects or as number and bigint)`);
    }
  }
  writer.head(MAJOR_MAP, entries.length);
  for (const entry of entries) {
    writer.raw(entry.key);
    pathStack.push(entry.label);
    write(writer, entry.value, depth + 1);
    pathStack.pop();
  }
}

function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return 'a symbol';
  if (typeof value === 'object' && value !== null) return `an instance of ${value.constructor?.name ?? 'an unknown class'}`;
  return typeof value;
}
