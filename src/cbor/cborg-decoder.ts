// The cborg-based strict decoder: cborg with every strictness option, a tokenizer that names
// byte offsets, and a re-encode compared byte for byte. It was our only decoder; decoder.ts now
// decides the common case several times faster, and this one stays as the reference it is
// tested against (test/unit/cbor) and as the slow path that decides everything decoder.ts
// declines, so every refusal keeps exactly its code, offset and message.
import { decode as cborgDecode, Tokenizer, Type } from 'cborg';
import type { DecodeOptions } from 'cborg';
import { CborDecodeError, CborEncodeError } from './errors.ts';
import type { CborErrorCode } from './errors.ts';
import { CBOR_DEPTH_MAX, CBOR_INPUT_BYTES_MAX, DEC128_BYTES, DEC128_TAG, SELF_DESCRIBE_PREFIX } from './limits.ts';
import { Tagged } from './value.ts';
import type { CborValue } from './value.ts';
import { encodeBody } from './encoder.ts';
import { firstDifference } from './first-difference.ts';
import { hasSelfDescribePrefix } from './self-describe.ts';

const MAP_KEY_TYPES: ReadonlySet<unknown> = new Set([Type.uint, Type.negint, Type.bytes, Type.string]);
/** Lenient as cborg's own (an invalid byte becomes U+FFFD, which the re-encode then catches), but a leading U+FEFF stays. */
const BOM_KEEPING = new TextDecoder('utf-8', { ignoreBOM: true });

function startsWithBom(bytes: Uint8Array | undefined): bytes is Uint8Array {
  return bytes !== undefined && bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
}

/** Tokens are checked one by one so every refusal can name its byte offset. */
class CheckingTokenizer extends Tokenizer {
  tokenStart = 0;
  private readonly remaining: number[] = [];
  private readonly isMap: boolean[] = [];
  override next() {
    this.tokenStart = this.pos();
    const token = super.next();
    // cborg's TextDecoder drops a leading U+FEFF: such text is read again from its bytes, kept.
    if (token.type === Type.string && startsWithBom(token.byteValue)) token.value = BOM_KEEPING.decode(token.byteValue);
    this.account(token.type, token.value);
    return token;
  }
  private account(type: typeof Type.uint, value: unknown): void {
    if (type === Type.float) this.fail('FLOAT', 'found a float; AIR values carry no floats (use dec128 or an integer)');
    if (type === Type.undefined) this.fail('UNDEFINED', 'found `undefined`, which canonical CBOR does not allow');
    if (type === Type.tag && value !== DEC128_TAG) {
      this.fail('UNKNOWN_TAG', `found tag ${String(value)}; only tag ${DEC128_TAG} (dec128) may appear inside a value`);
    }
    const top = this.remaining.length - 1;
    if (top >= 0) {
      const left = this.remaining[top] ?? 0;
      // In a map, an even count of slots left means this token starts a key.
      if (this.isMap[top] === true && left % 2 === 0 && !MAP_KEY_TYPES.has(type)) {
        this.fail('UNSUPPORTED_VALUE', `a map key is ${type.name === 'array' || type.name === 'map' || type.name === 'tag' ? `a${type.name === 'array' ? 'n' : ''} ${type.name}` : type.name}; AIR map keys are integers, text or bytes`);
      }
      this.remaining[top] = left - 1;
    }
    const children = type === Type.array ? Number(value) : type === Type.map ? Number(value) * 2 : type === Type.tag ? 1 : 0;
    if (children > 0) {
      if (this.remaining.length >= CBOR_DEPTH_MAX) this.fail('TOO_DEEP', `nesting deeper than ${CBOR_DEPTH_MAX} levels`);
      this.remaining.push(children);
      this.isMap.push(type === Type.map);
    }
    // Containers whose last child has finished close here; an open child keeps its parent open.
    while (this.remaining.length > 0 && this.remaining[this.remaining.length - 1] === 0) {
      this.remaining.pop();
      this.isMap.pop();
    }
  }
  fail(code: CborErrorCode, what: string): never {
    throw new CborDecodeError(code, this.tokenStart, what);
  }
}

function decodeTagDec128(inner: () => unknown): Tagged {
  const payload = inner();
  if (!(payload instanceof Uint8Array) || payload.length !== DEC128_BYTES) {
    throw new CborDecodeError('BAD_TAG_CONTENT', -1, `tag ${DEC128_TAG} (dec128) must wrap exactly ${DEC128_BYTES} bytes`);
  }
  return new Tagged(DEC128_TAG, payload);
}

const TOKENIZER_OPTIONS: DecodeOptions = Object.freeze({
  strict: true, rejectDuplicateMapKeys: true, allowIndefinite: false, allowUndefined: false, retainStringBytes: true,
  allowNaN: false, allowInfinity: false, allowBigInt: true, tags: { [DEC128_TAG]: decodeTagDec128 },
});

function decodeOptions(tokenizer: Tokenizer, useMaps: boolean): DecodeOptions {
  return { ...TOKENIZER_OPTIONS, useMaps, tokenizer };
}

/**
 * decodeCanonical as cborg does it (canonical.ts calls it for whatever decoder.ts declines).
 * Decodes canonical CBOR strictly: anything that is not exactly the canonical encoding of the
 * value it holds (unsorted or duplicate keys, long integer forms, indefinite lengths, floats,
 * undefined, unknown tags, trailing bytes) is refused with the byte offset of the problem.
 * A leading self-describe tag is accepted and not part of the value.
 */
export function decodeCanonicalCborg(bytes: Uint8Array): CborValue {
  if (bytes.length > CBOR_INPUT_BYTES_MAX) {
    throw new CborDecodeError('INPUT_TOO_LARGE', 0, `input is ${bytes.length} bytes; the limit is ${CBOR_INPUT_BYTES_MAX}`);
  }
  const prefixed = hasSelfDescribePrefix(bytes);
  const body = prefixed ? bytes.subarray(SELF_DESCRIBE_PREFIX.length) : bytes;
  const base = prefixed ? SELF_DESCRIBE_PREFIX.length : 0;
  if (body.length === 0) throw new CborDecodeError('MALFORMED', base, 'no data item to decode');
  const value = decodeBody(body, base);
  const again = reencode(value, base);
  const offset = firstDifference(again, body);
  if (offset !== -1) throw notCanonical(body, again, offset, base);
  return value;
}

function decodeBody(body: Uint8Array, base: number): CborValue {
  let tokenizer = new CheckingTokenizer(body, TOKENIZER_OPTIONS);
  try {
    return cborgDecode(body, decodeOptions(tokenizer, false)) as CborValue;
  } catch (error) {
    if (!isNonStringKeyError(error)) throw translateDecodeError(error, tokenizer, body, base);
  }
  // A map with non-text keys: decode again, this time with every map as a Map.
  tokenizer = new CheckingTokenizer(body, TOKENIZER_OPTIONS);
  try {
    return cborgDecode(body, decodeOptions(tokenizer, true)) as CborValue;
  } catch (error) {
    throw translateDecodeError(error, tokenizer, body, base);
  }
}

function isNonStringKeyError(error: unknown): boolean {
  return error instanceof Error && error.message.includes('non-string keys not supported');
}

const CBORG_MESSAGES: ReadonlyArray<readonly [string, CborErrorCode, string]> = [
  ['indefinite length', 'INDEFINITE_LENGTH', 'indefinite-length item; canonical CBOR uses definite lengths only'],
  ['more bytes than necessary', 'NOT_CANONICAL', 'an integer or length takes more bytes than its shortest form; re-encode it with a canonical encoder'],
  ['repeat map key', 'DUPLICATE_KEY', 'a map repeats a key'],
  ['too many terminals', 'TRAILING_BYTES', 'bytes follow the end of the data item'],
  ['not enough', 'MALFORMED', 'the data ends in the middle of an item (truncated input)'],
  ['unexpected break', 'MALFORMED', 'a "break" byte (0xff) outside an indefinite-length item'],
  ['tag not supported', 'UNKNOWN_TAG', 'an unsupported tag'],
  ['no decoder for major type', 'MALFORMED', 'a reserved initial byte'],
  ['64-bit integer', 'MALFORMED', 'a length that does not fit in memory'],
  ['invalid utf', 'MALFORMED', 'text that is not valid UTF-8'],
];

function translateDecodeError(error: unknown, tokenizer: CheckingTokenizer, body: Uint8Array, base: number): CborDecodeError {
  if (error instanceof CborDecodeError) {
    const offset = error.offset === -1 ? tokenizer.tokenStart : error.offset;
    return new CborDecodeError(error.code, offset + base, error.message.replace(/^CBOR decode error at byte -?\d+: /, ''));
  }
  const message = error instanceof Error ? error.message : String(error);
  const lower = message.toLowerCase();
  for (const [needle, code, what] of CBORG_MESSAGES) {
    if (!lower.includes(needle)) continue;
    // Truncation is found after the last whole token, so it is reported where the data ends.
    const offset = code === 'TRAILING_BYTES' || needle === 'not enough' ? tokenizer.pos() : tokenizer.tokenStart;
    return new CborDecodeError(code, offset + base, what, { cause: error });
  }
  const offset = Math.min(tokenizer.tokenStart, body.length);
  return new CborDecodeError('MALFORMED', offset + base, `malformed CBOR (${message.replace(/^CBOR decode error: /, '')})`, { cause: error });
}

function notCanonical(body: Uint8Array, again: Uint8Array, offset: number, base: number): CborDecodeError {
  const found = body[offset];
  const expected = again[offset];
  const shown = (byte: number | undefined) => (byte === undefined ? 'end of data' : `0x${byte.toString(16).padStart(2, '0')}`);
  return new CborDecodeError('NOT_CANONICAL', offset + base,
    `not the canonical encoding (found ${shown(found)}, canonical form has ${shown(expected)}); ` +
    'map keys must be sorted bytewise and every integer and length in its shortest form');
}

/** Re-encodes a decoded value to compare with its bytes; a value cborg accepts but we cannot encode is not canonical AIR data. */
function reencode(value: CborValue, base: number): Uint8Array {
  try {
    return encodeBody(value);
  } catch (error) {
    if (error instanceof CborEncodeError) throw new CborDecodeError(error.code, base, error.message.replace(/^CBOR encode error at /, 'at '), { cause: error });
    throw error;
  }
}

/**
 * decodeVerified as cborg does it (canonical.ts calls it for whatever decoder.ts declines):
 * the same strict token checks as decodeCanonicalCborg, without the re-encode comparison, so it
 * also reads unsorted keys and (lossily) text that is not valid UTF-8.
 */
export function decodeVerifiedCborg(bytes: Uint8Array): CborValue {
  const prefixed = hasSelfDescribePrefix(bytes);
  const body = prefixed ? bytes.subarray(SELF_DESCRIBE_PREFIX.length) : bytes;
  if (body.length === 0) throw new CborDecodeError('MALFORMED', prefixed ? SELF_DESCRIBE_PREFIX.length : 0, 'no data item to decode');
  return decodeBody(body, prefixed ? SELF_DESCRIBE_PREFIX.length : 0);
}
