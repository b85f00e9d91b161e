// A small canonical CBOR writer for the host side of the js runtime: shortest heads,
// definite lengths, UTF-8 text. Callers write map keys in canonical order themselves
// (js/wire-value-cbor.ts sorts them). Its bytes equal src/cbor's encodeCanonical; the tests in
// test/unit/sandbox/cbor-json.test.ts compare them value by value.

const UTF8 = new TextEncoder();
const TWO_POW_32 = 0x1_0000_0000;
/** Initial buffer of a writer; it doubles as needed. */
const WRITER_BYTES_INITIAL = 1024;
/** Chunks up to this many bytes are copied byte by byte rather than with set(). */
const RAW_LOOP_BYTES_MAX = 16;

/** A growable byte buffer with CBOR heads. */
export class CborWriter {
  bytes: Uint8Array;
  length = 0;

  constructor(bytesInitial = WRITER_BYTES_INITIAL) {
    this.bytes = new Uint8Array(bytesInitial);
  }

  /** Empties the writer, keeping its buffer. */
  reset(): void {
    this.length = 0;
  }

  /** A copy of what was written. */
  take(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }

  reserve(count: number): void {
    if (this.length + count <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < this.length + count) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }

  /** A head with a safe-integer argument. */
  head(major: number, argument: number): void {
    this.reserve(9);
    const bytes = this.bytes;
    const type = major << 5;
    let at = this.length;
    if (argument < 24) bytes[at++] = type | argument;
    else if (argument < 0x100) {
      bytes[at++] = type | 24;
      bytes[at++] = argument;
    } else if (argument < 0x1_0000) {
      bytes[at++] = type | 25;
      bytes[at++] = argument >>> 8;
      bytes[at++] = argument & 0xff;
    } else if (argument < TWO_POW_32) {
      bytes[at++] = type | 26;
      at = writeUint32(bytes, at, argument);
    } else {
      bytes[at++] = type | 27;
      at = writeUint32(bytes, at, Math.floor(argument / TWO_POW_32));
      at = writeUint32(bytes, at, argument % TWO_POW_32);
    }
    this.length = at;
  }

  /** A head with a 64-bit argument. */
  headBig(major: number, argument: bigint): void {
    if (argument <= BigInt(Number.MAX_SAFE_INTEGER)) return this.head(major, Number(argument));
    this.reserve(9);
    this.bytes[this.length] = (major << 5) | 27;
    this.length = writeUint32(this.bytes, this.length + 1, Number(argument >> 32n));
    this.length = writeUint32(this.bytes, this.length, Number(argument & 0xffff_ffffn));
  }

  /** A byte string. */
  byteString(chunk: Uint8Array): void {
    this.head(2, chunk.length);
    this.raw(chunk);
  }

  /** Bytes written as they are (an item encoded elsewhere); short chunks are copied in a loop, cheaper than set() for a few bytes. */
  raw(chunk: Uint8Array): void {
    const count = chunk.length;
    this.reserve(count);
    const bytes = this.bytes;
    const at = this.length;
    if (count <= RAW_LOOP_BYTES_MAX) {
      for (let index = 0; index < count; index += 1) bytes[at + index] = chunk[index] as number;
    } else bytes.set(chunk, at);
    this.length = at + count;
  }

  /** A text string; lone surrogates become U+FFFD, as TextEncoder writes them. */
  text(value: string): void {
    const count = value.length;
    this.reserve(count + 9);
    let ascii = true;
    for (let index = 0; index < count; index += 1) {
      if (value.charCodeAt(index) >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (!ascii) return this.byteStringAsText(UTF8.encode(value));
    this.head(3, count);
    const bytes = this.bytes;
    const at = this.length;
    for (let index = 0; index < count; index += 1) bytes[at + index] = value.charCodeAt(index);
    this.length = at + count;
  }

  private byteStringAsText(utf8: Uint8Array): void {
    this.head(3, utf8.length);
    this.raw(utf8);
  }
}

/** A text item encoded once, for the fixed keys of envelopes (written with raw()). */
export function encodedText(text: string): Uint8Array {
  const writer = new CborWriter(text.length + 9);
  writer.text(text);
  return writer.take();
}

function writeUint32(bytes: Uint8Array, at: number, value: number): number {
  bytes[at] = value >>> 24;
  bytes[at + 1] = (value >>> 16) & 0xff;
  bytes[at + 2] = (value >>> 8) & 0xff;
  bytes[at + 3] = value & 0xff;
  return at + 4;
}

/** Bytewise order of two encodings (RFC 8949 §4.2.1 map key order). */
export function compareBytes(left: Uint8Array, right: Uint8Array): number {
  const length = Math.min(left.length, right.length);
  for (let index = 0; index < length; index += 1) {
    const difference = (left[index] as number) - (right[index] as number);
    if (difference !== 0) return difference;
  }
  return left.length - right.length;
}
