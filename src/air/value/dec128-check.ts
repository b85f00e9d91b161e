// Whether 16 dec128 bytes are already in the form canonicalBid (dec128.ts) gives, decided on
// 32-bit words: canonicalBid works in BigInt and took ~2 µs a value, 30× a whole small record.
import { DEC128_BYTES } from '../../cbor/index.ts';

/** Exponent bias of decimal128, and the stored exponent of the canonical zero (+0 × 10^0). */
const EXPONENT_BIAS = 6176;
/** Largest exponent: a value whose stripped exponent would pass it keeps trailing zeros there. */
const EXPONENT_MAX = 6111;
/** The upper word of the canonical zero: sign 0, exponent field 6176, coefficient 0. */
const ZERO_HIGH_WORD = EXPONENT_BIAS << 17;
/** 10^34 − 1, the largest coefficient, as 32-bit words from the top (the top word holds 17 bits). */
const COEFFICIENT_MAX_WORDS: readonly number[] = [0x1ed09, 0xbead87c0, 0x378d8e63, 0xffffffff];

function wordAt(bytes: Uint8Array, at: number): number {
  return (bytes[at] ?? 0) * 0x1000000 + (((bytes[at + 1] ?? 0) << 16) | ((bytes[at + 2] ?? 0) << 8) | (bytes[at + 3] ?? 0));
}

/** True when the coefficient words (top first) exceed 10^34 − 1. */
function exceedsCoefficientMax(words: readonly number[]): boolean {
  for (let index = 0; index < words.length; index += 1) {
    const word = words[index] ?? 0;
    const max = COEFFICIENT_MAX_WORDS[index] ?? 0;
    if (word !== max) return word > max;
  }
  return false;
}

/**
 * True when the BID bytes at `at` (big-endian: 1 sign bit, 14 exponent bits, 113 coefficient
 * bits) are canonical: finite, in the small-coefficient form, coefficient at most 10^34 − 1, and
 * either zero written +0 × 10^0, or a coefficient without a trailing decimal zero, or the
 * maximum exponent (where canonicalDecimal pads trailing zeros back). The last digit is the sum
 * of the words times 2^(32k) mod 10, and 2^32, 2^64 and 2^96 are all 6 mod 10.
 */
export function isCanonicalBid(bytes: Uint8Array, at: number): boolean {
  if (at + DEC128_BYTES > bytes.length) return false;
  const top = wordAt(bytes, at);
  // Combination bits 11: the large-coefficient form, an infinity or a NaN.
  if (((top >>> 29) & 0b11) === 0b11) return false;
  const words = [top & 0x1ffff, wordAt(bytes, at + 4), wordAt(bytes, at + 8), wordAt(bytes, at + 12)];
  if (exceedsCoefficientMax(words)) return false;
  const [high = 0, upper = 0, lower = 0, low = 0] = words;
  if (high === 0 && upper === 0 && lower === 0 && low === 0) return top === ZERO_HIGH_WORD;
  const lastDigit = (low + 6 * (lower + upper + high)) % 10;
  return lastDigit !== 0 || ((top >>> 17) & 0x3fff) - EXPONENT_BIAS === EXPONENT_MAX;
}
