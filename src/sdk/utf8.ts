// UTF-8 for the SDK, which runs inside QuickJS (no TextEncoder/TextDecoder there): the js
// runtime's native codec (UTF8_ENCODE_GLOBAL, UTF8_DECODE_GLOBAL) for all but short texts, where
// crossing to the host costs more than the work; by hand where there is no runtime (host-side use).
import { UTF8_DECODE_GLOBAL, UTF8_ENCODE_GLOBAL } from '../sandbox/js/protocol.ts';
import { SdkError } from './errors.ts';

/** Texts and byte runs shorter than this are handled here even when the runtime offers its codec. */
export const UTF8_NATIVE_MIN_LENGTH = 256;

type NativeEncode = (text: string) => Uint8Array;
type NativeDecode = (bytes: Uint8Array) => string;

function native<T>(name: string): T | null {
  const found = (globalThis as unknown as Record<string, unknown>)[name];
  return typeof found === 'function' ? (found as T) : null;
}

/** Number of UTF-8 bytes of a string (lone surrogates count as U+FFFD, as TextEncoder does). */
export function utf8Length(text: string): number {
  let length = 0;
  for (let index = 0; index < text.length; index += 1) {
    const unit = text.charCodeAt(index);
    if (unit < 0x80) length += 1;
    else if (unit < 0x800) length += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && isLow(text.charCodeAt(index + 1))) {
      length += 4;
      index += 1;
    } else length += 3;
  }
  return length;
}

function isLow(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}

/** Writes the UTF-8 of `text` at `offset`; returns the offset after it. */
export function writeUtf8(text: string, target: Uint8Array, offset: number): number {
  let at = offset;
  for (let index = 0; index < text.length; index += 1) {
    let code = text.charCodeAt(index);
    if (code < 0x80) {
      target[at++] = code;
      continue;
    }
    if (code >= 0xd800 && code <= 0xdbff && isLow(text.charCodeAt(index + 1))) {
      code = 0x10000 + ((code - 0xd800) << 10) + (text.charCodeAt(index + 1) - 0xdc00);
      index += 1;
    } else if (code >= 0xd800 && code <= 0xdfff) code = 0xfffd;
    if (code < 0x800) {
      target[at++] = 0xc0 | (code >> 6);
    } else if (code < 0x10000) {
      target[at++] = 0xe0 | (code >> 12);
      target[at++] = 0x80 | ((code >> 6) & 0x3f);
    } else {
      target[at++] = 0xf0 | (code >> 18);
      target[at++] = 0x80 | ((code >> 12) & 0x3f);
      target[at++] = 0x80 | ((code >> 6) & 0x3f);
    }
    target[at++] = 0x80 | (code & 0x3f);
  }
  return at;
}

// Native helpers do the per-character work: in QuickJS a JS loop costs ~0.2 µs a character.
const fromCharCode = String.fromCharCode;
const NON_ASCII = /[^\x00-\x7f]/;
const CHUNK_CHARS = 4096;

/** Reads strict UTF-8 (no overlongs, no surrogates): decodeURIComponent refuses those. */
export function readUtf8(source: Uint8Array, start: number, end: number): string {
  const decode = end - start >= UTF8_NATIVE_MIN_LENGTH ? native<NativeDecode>(UTF8_DECODE_GLOBAL) : null;
  if (decode !== null) {
    try {
      return decode(source.subarray(start, end));
    } catch {
      throw badUtf8(start);
    }
  }
  let latin1 = '';
  for (let at = start; at < end; at += CHUNK_CHARS) {
    latin1 += fromCharCode.apply(null, source.subarray(at, Math.min(end, at + CHUNK_CHARS)) as unknown as number[]);
  }
  if (!NON_ASCII.test(latin1)) return latin1;
  try {
    return decodeURIComponent(escapeLatin1(latin1));
  } catch {
    throw badUtf8(start); // URIError: the bytes are not valid UTF-8
  }
}

/** Percent-encodes every non-ASCII code unit, as Annex B `escape` does, for decodeURIComponent. */
function escapeLatin1(latin1: string): string {
  return latin1.replace(/[^\x00-\x7f]|%/g, (char) => `%${char.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function badUtf8(offset: number): SdkError {
  return new SdkError('CBOR_DECODE', `CBOR decode error at byte ${offset}: text is not valid UTF-8`);
}

/** The UTF-8 bytes of `text` (QuickJS has no TextEncoder). */
export function utf8Encode(text: string): Uint8Array {
  const encode = text.length >= UTF8_NATIVE_MIN_LENGTH ? native<NativeEncode>(UTF8_ENCODE_GLOBAL) : null;
  if (encode !== null) return encode(text);
  const bytes = new Uint8Array(utf8Length(text));
  writeUtf8(text, bytes, 0);
  return bytes;
}

/** The text of strict UTF-8 `bytes` (QuickJS has no TextDecoder). */
export function utf8Decode(bytes: Uint8Array): string {
  return readUtf8(bytes, 0, bytes.length);
}
