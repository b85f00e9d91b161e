// Reads canonical CBOR and writes the same value as JSON text with markers (protocol.ts), in
// one pass and without building the value: bytes and dec128 payloads stay in the source
// buffer and are named by offset. It accepts exactly what src/cbor's decodeCanonical
// accepts (shortest heads, definite lengths, map keys of int, text or bytes in strictly
// increasing bytewise order, tag 2000 around 16 bytes only, no floats, strict UTF-8, at most
// CBOR_DEPTH_MAX open containers); test/unit/sandbox/cbor-json.test.ts checks that against it.
import { assert, CBOR_DEPTH_MAX, DEC128_BYTES, DEC128_TAG } from '../../cbor/index.ts';
import { SandboxError } from '../errors.ts';

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const TWO_POW_32 = 0x1_0000_0000;
/** Text up to this many bytes is checked and copied byte by byte; longer text goes to TextDecoder. */
const SHORT_TEXT_BYTES_MAX = 64;
/** Largest high word of a 64-bit argument that still fits a safe integer (2^53 − 1). */
const SAFE_HIGH_MAX = 0x1f_ffff;

/** Slots of the cache of short ASCII texts (keys, schema names): a slot holds the last text hashed to it. */
const SHORT_TEXT_CACHE_SLOTS = 256;
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** A cached short text with the bytes it was read from. */
interface CachedText extends QuotedText {
  readonly bytes: Uint8Array;
}

const shortTexts: Array<CachedText | undefined> = new Array<CachedText | undefined>(SHORT_TEXT_CACHE_SLOTS).fill(undefined);

function sameBytes(cached: Uint8Array, bytes: Uint8Array, from: number, to: number): boolean {
  if (cached.length !== to - from) return false;
  for (let index = 0; index < cached.length; index += 1) if (cached[index] !== bytes[from + index]) return false;
  return true;
}

/**
 * The JSON literal of the text in `bytes[from, to)` when it is short ASCII without quotes,
 * backslashes or control characters (then it is quoted as it is); null otherwise. Such text
 * (keys, schema names) repeats from step to step, so it comes from a cache of recent texts.
 */
export function quoteShortAscii(bytes: Uint8Array, from: number, to: number): QuotedText | null {
  if (to - from > SHORT_TEXT_BYTES_MAX) return null;
  let hash = FNV_OFFSET;
  for (let at = from; at < to; at += 1) {
    const byte = bytes[at] as number;
    if (byte < 0x20 || byte === 0x22 || byte === 0x5c || byte >= 0x80) return null;
    hash = Math.imul(hash ^ byte, FNV_PRIME);
  }
  const slot = (hash >>> 0) % SHORT_TEXT_CACHE_SLOTS;
  const cached = shortTexts[slot];
  if (cached !== undefined && sameBytes(cached.bytes, bytes, from, to)) return cached;
  let text = '';
  for (let at = from; at < to; at += 1) text += String.fromCharCode(bytes[at] as number);
  const made: CachedText = { json: `"${text}"`, text, bytes: bytes.slice(from, to) };
  shortTexts[slot] = made;
  return made;
}

/** One head: major type and argument; `big` is set instead of `argument` past 2^53 − 1. */
interface Head {
  major: number;
  argument: number;
  big: bigint | null;
}

/** A text item as read: the string and its JSON literal. */
export interface QuotedText {
  readonly json: string;
  readonly text: string;
}

/** A cursor over one CBOR buffer that writes JSON; `where` names the buffer in messages. */
export class CborJsonReader {
  offset: number;
  json = '';
  /** JSON texts of the paths of the markers written so far, in post-order. */
  readonly markers: string[] = [];
  /** True once a `$bytes` or `$dec128` marker points into the source buffer. */
  usesSource = false;
  private readonly path: Array<string | number> = [];
  private readonly head: Head = { major: 0, argument: 0, big: null };

  constructor(readonly bytes: Uint8Array, start: number, readonly end: number, private readonly where: string) {
    this.offset = start;
  }

  /** Writes the item at the cursor as JSON at position `root` of the wire tuple (the marker paths start with it). */
  writeItem(root: number): void {
    assert(this.path.length === 0, 'a reader writes one item');
    this.path.push(root);
    this.item(0);
  }

  /** Refuses bytes after the last item. */
  checkEnd(): void {
    if (this.offset !== this.end) this.fail(this.offset, 'bytes follow the end of the data item');
  }

  /** Reads a head and returns its major type; the argument is in `headArgument()`. */
  readHead(): number {
    const start = this.offset;
    if (start >= this.end) this.fail(start, 'the data ends in the middle of an item (truncated input)');
    const initial = this.bytes[start] as number;
    const info = initial & 0x1f;
    const head = this.head;
    head.major = initial >> 5;
    head.big = null;
    this.offset = start + 1;
    if (info < 24) {
      head.argument = info;
      return head.major;
    }
    if (head.major === 7) return head.major; // simple values and floats: decided by `simple()`
    const size = info === 24 ? 1 : info === 25 ? 2 : info === 26 ? 4 : info === 27 ? 8 : 0;
    if (size === 0) this.fail(start, info === 31 ? 'indefinite-length item; canonical CBOR uses definite lengths only' : 'a reserved initial byte');
    if (this.offset + size > this.end) this.fail(start, 'the data ends in the middle of an item (truncated input)');
    this.readArgument(size, start);
    return head.major;
  }

  /** The argument of the last head as a length or count that must fit in what is left. */
  readLength(start: number): number {
    const head = this.head;
    if (head.big !== null || head.argument > this.end - this.offset) this.fail(start, 'a length runs past the end of the data');
    return head.argument;
  }

  /** Reads a text item (a head of major 3 was just read at `start`). */
  readText(start: number): string {
    return this.readQuotedText(start).text;
  }

  /**
   * Reads a text item as a JSON string literal. Short ASCII text without quotes, backslashes
   * or control characters (keys, schema names) is quoted as it is, which is most text; it
   * repeats from step to step, so it comes from a small cache of recent texts.
   */
  readQuotedText(start: number): QuotedText {
    const length = this.readLength(start);
    const from = this.offset;
    const to = from + length;
    this.offset = to;
    const bytes = this.bytes;
    if (length > SHORT_TEXT_BYTES_MAX) return this.quoteSlow(from, start);
    return quoteShortAscii(bytes, from, to) ?? this.quoteSlow(from, start);
  }

  private quoteSlow(from: number, start: number): QuotedText {
    let text: string;
    try {
      text = UTF8.decode(this.bytes.subarray(from, this.offset));
    } catch {
      return this.fail(start, 'text is not valid UTF-8');
    }
    return { json: JSON.stringify(text), text };
  }

  fail(offset: number, what: string): never {
    throw new SandboxError('INPUT_INVALID', `invalid input envelope: ${this.where}: CBOR decode error at byte ${offset}: ${what}`);
  }

  private readArgument(size: number, start: number): void {
    const bytes = this.bytes;
    const at = this.offset;
    const head = this.head;
    this.offset = at + size;
    let value: number;
    if (size === 1) value = bytes[at] as number;
    else if (size === 2) value = ((bytes[at] as number) << 8) | (bytes[at + 1] as number);
    else {
      const high = (bytes[at] as number) * 0x100_0000 + (((bytes[at + 1] as number) << 16) | ((bytes[at + 2] as number) << 8) | (bytes[at + 3] as number));
      if (size === 4) value = high;
      else {
        const low = (bytes[at + 4] as number) * 0x100_0000 + (((bytes[at + 5] as number) << 16) | ((bytes[at + 6] as number) << 8) | (bytes[at + 7] as number));
        if (high === 0) this.notShortest(start);
        if (high > SAFE_HIGH_MAX) {
          head.big = (BigInt(high) << 32n) | BigInt(low);
          head.argument = Number.MAX_SAFE_INTEGER;
          return;
        }
        value = high * TWO_POW_32 + low;
      }
    }
    const shortestMin = size === 1 ? 24 : size === 2 ? 0x100 : size === 4 ? 0x1_0000 : TWO_POW_32;
    if (value < shortestMin) this.notShortest(start);
    head.argument = value;
  }

  private notShortest(start: number): never {
    return this.fail(start, 'an integer or length takes more bytes than its shortest form; re-encode it with a canonical encoder');
  }

  private item(depth: number): void {
    const start = this.offset;
    const major = this.readHead();
    const head = this.head;
    switch (major) {
      case 0:
        this.json += head.big === null ? String(head.argument) : this.bigMarker(head.big);
        return;
      case 1:
        if (head.big === null && head.argument < Number.MAX_SAFE_INTEGER) this.json += String(-1 - head.argument);
        else this.json += this.bigMarker(-1n - (head.big ?? BigInt(head.argument)));
        return;
      case 2: {
        const length = this.readLength(start);
        this.json += `{"$bytes":[${this.offset},${length}]}`;
        this.usesSource = true;
        this.offset += length;
        this.addMarker();
        return;
      }
      case 3:
        this.json += this.readQuotedText(start).json;
        return;
      case 4: return this.array(this.readLength(start), depth, start);
      case 5: return this.map(this.readLength(start), depth, start);
      case 6: return this.tag(start, depth);
      default: return this.simple(start);
    }
  }

  private bigMarker(value: bigint): string {
    this.addMarker();
    return `{"$int":"${value}"}`;
  }

  private addMarker(): void {
    this.markers.push(JSON.stringify(this.path));
  }

  private enter(count: number, depth: number, start: number): void {
    if (count > 0 && depth >= CBOR_DEPTH_MAX) this.fail(start, `nesting deeper than ${CBOR_DEPTH_MAX} levels`);
  }

  private array(count: number, depth: number, start: number): void {
    this.enter(count, depth, start);
    this.json += '[';
    const path = this.path;
    for (let index = 0; index < count; index += 1) {
      if (index > 0) this.json += ',';
      path.push(index);
      this.item(depth + 1);
      path.pop();
    }
    this.json += ']';
  }

  private map(count: number, depth: number, start: number): void {
    this.enter(count, depth, start);
    if (count === 0) {
      this.json += '{}';
      return;
    }
    const first = (this.bytes[this.offset] as number) >> 5;
    if (first === 3) this.textMap(count, depth);
    else this.pairMap(count, depth);
  }

  /** A map whose first key is text: in canonical order every later key is text too. */
  private textMap(count: number, depth: number): void {
    const path = this.path;
    let previous = -1;
    let previousEnd = -1;
    this.json += '{';
    for (let index = 0; index < count; index += 1) {
      const keyStart = this.offset;
      if (this.readHead() !== 3) this.fail(keyStart, 'map keys are out of canonical order');
      const key = this.readQuotedText(keyStart);
      if (previous >= 0) this.checkKeyOrder(previous, previousEnd, keyStart);
      previous = keyStart;
      previousEnd = this.offset;
      this.json += index === 0 ? `${key.json}:` : `,${key.json}:`;
      path.push(key.text);
      this.item(depth + 1);
      path.pop();
    }
    this.json += '}';
  }

  /** A map with a key that is not text: `{"$map": [[key, value], …]}`. */
  private pairMap(count: number, depth: number): void {
    const path = this.path;
    let previous = -1;
    let previousEnd = -1;
    this.json += '{"$map":[';
    path.push('$map');
    for (let index = 0; index < count; index += 1) {
      const keyStart = this.offset;
      const major = (this.bytes[keyStart] as number) >> 5;
      if (major > 3) this.fail(keyStart, 'a map key is not an integer, text or bytes; AIR map keys are integers, text or bytes');
      this.json += index === 0 ? '[' : ',[';
      path.push(index, 0);
      this.item(depth + 1);
      if (previous >= 0) this.checkKeyOrder(previous, previousEnd, keyStart);
      previous = keyStart;
      previousEnd = this.offset;
      this.json += ',';
      path[path.length - 1] = 1;
      this.item(depth + 1);
      path.length -= 2;
      this.json += ']';
    }
    path.pop();
    this.json += ']}';
    this.addMarker();
  }

  /** Keys must strictly increase in bytewise order of their encodings: no duplicates, no disorder. */
  private checkKeyOrder(previous: number, previousEnd: number, keyStart: number): void {
    const bytes = this.bytes;
    const keyEnd = this.offset;
    const length = Math.min(previousEnd - previous, keyEnd - keyStart);
    for (let index = 0; index < length; index += 1) {
      const difference = (bytes[keyStart + index] as number) - (bytes[previous + index] as number);
      if (difference > 0) return;
      if (difference < 0) this.fail(keyStart, 'map keys are out of canonical order');
    }
    if (keyEnd - keyStart === previousEnd - previous) this.fail(keyStart, 'a map repeats a key');
    if (keyEnd - keyStart < previousEnd - previous) this.fail(keyStart, 'map keys are out of canonical order');
  }

  private tag(start: number, depth: number): void {
    const head = this.head;
    if (head.big !== null || head.argument !== DEC128_TAG) {
      this.fail(start, `found tag ${head.big ?? head.argument}; only tag ${DEC128_TAG} (dec128) may appear inside a value`);
    }
    this.enter(1, depth, start);
    const payloadStart = this.offset;
    if (this.readHead() !== 2 || this.readLength(payloadStart) !== DEC128_BYTES) {
      this.fail(start, `tag ${DEC128_TAG} (dec128) must wrap exactly ${DEC128_BYTES} bytes`);
    }
    this.json += `{"$dec128":[${this.offset},${DEC128_BYTES}]}`;
    this.usesSource = true;
    this.offset += DEC128_BYTES;
    this.addMarker();
  }

  private simple(start: number): void {
    const info = (this.bytes[start] as number) & 0x1f;
    if (info === 20) this.json += 'false';
    else if (info === 21) this.json += 'true';
    else if (info === 22) this.json += 'null';
    else if (info === 23) this.fail(start, 'found `undefined`, which canonical CBOR does not allow');
    else if (info >= 25 && info <= 27) this.fail(start, 'found a float; AIR values carry no floats (use dec128 or an integer)');
    else this.fail(start, `found simple value ${info}, which AIR does not use`);
  }
}
