// Text items for the fast decoder (decoder.ts): UTF-8 bytes to a string, or null to decline them.
import { assert } from './assert.ts';

/** Text up to this many bytes is tried as ASCII byte by byte; a TextDecoder call costs more than such a loop (~160 ns here). */
const ASCII_TEXT_BYTES_MAX = 32;
/**
 * Slots of the cache of short ASCII texts. Map keys above all, and names, repeat from record to
 * record; finding the string already made saves building it byte by byte and, for a key, V8
 * interning it again on every property store. Texts were most of the items decoded and the
 * largest cost: with the cache the 810-byte bench record decoded ~1.8x faster. A slot holds
 * the last text that hashed to it, with its bytes as big-endian 32-bit words, so a lookup reads
 * and compares a word at a time. Only ASCII texts are cached: bytes that match one are ASCII.
 */
const TEXT_CACHE_SLOTS = 1024;
const TEXT_CACHE_WORDS = ASCII_TEXT_BYTES_MAX / 4;

assert(ASCII_TEXT_BYTES_MAX % 4 === 0, 'cached texts are whole 32-bit words');
assert((TEXT_CACHE_SLOTS & (TEXT_CACHE_SLOTS - 1)) === 0, 'a hash picks a cache slot with a mask');

// fatal: text that is not UTF-8 is declined, never replaced. ignoreBOM: a leading U+FEFF is
// text, not a marker to drop.
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const cachedTexts: Array<string | undefined> = new Array<string | undefined>(TEXT_CACHE_SLOTS).fill(undefined);
const cachedWords = new Uint32Array(TEXT_CACHE_SLOTS * TEXT_CACHE_WORDS);
/** The words of the text being looked up. */
const words = new Uint32Array(TEXT_CACHE_WORDS);

/** The text in `data[from, to)`, or null when the fast decoder must leave it to cborg. */
export function decodeText(data: Uint8Array, view: DataView, from: number, to: number): string | null {
  const length = to - from;
  if (length === 0) return '';
  if (length <= ASCII_TEXT_BYTES_MAX) {
    // The last word may run past the text into the next item (masked off), but not past the data.
    const text = from + ((length + 3) & ~3) <= view.byteLength ? readCached(view, from, length) : readAscii(view, from, to);
    if (text !== null) return text;
  }
  return readUtf8(data, from, to);
}

/** Short text through the cache: the cached string when the bytes match, else the ASCII text now cached, else null. */
function readCached(view: DataView, from: number, length: number): string | null {
  const count = (length + 3) >>> 2;
  const tailBytes = length & 3;
  let hash = length;
  for (let index = 0; index < count; index += 1) {
    let word = view.getUint32(from + 4 * index);
    // A last word that is partly past the text keeps only its first `tailBytes` bytes (big-endian: the high ones).
    if (tailBytes !== 0 && index === count - 1) word = (word & ~(0xffff_ffff >>> (8 * tailBytes))) >>> 0;
    words[index] = word;
    hash = Math.imul(hash ^ word, 0x0100_0193);
  }
  const slot = (hash ^ (hash >>> 16)) & (TEXT_CACHE_SLOTS - 1);
  const cached = cachedTexts[slot];
  if (cached !== undefined && cached.length === length && isCachedAt(slot, count)) return cached;
  const text = readAscii(view, from, from + length);
  if (text === null) return null;
  cachedTexts[slot] = text;
  cachedWords.set(words.subarray(0, count), slot * TEXT_CACHE_WORDS);
  return text;
}

function isCachedAt(slot: number, count: number): boolean {
  const base = slot * TEXT_CACHE_WORDS;
  for (let index = 0; index < count; index += 1) if (cachedWords[base + index] !== words[index]) return false;
  return true;
}

/** The text in [from, to) when it is all ASCII; null otherwise. */
function readAscii(view: DataView, from: number, to: number): string | null {
  let text = '';
  for (let at = from; at < to; at += 1) {
    const byte = view.getUint8(at);
    if (byte >= 0x80) return null;
    text += String.fromCharCode(byte);
  }
  return text;
}

/** Well-formed UTF-8 as a string; null for anything else. */
function readUtf8(data: Uint8Array, from: number, to: number): string | null {
  try {
    return UTF8.decode(data.subarray(from, to));
  } catch {
    return null; // not UTF-8: cborg refuses it in decodeCanonical and reads it lossily in decodeVerified
  }
}
