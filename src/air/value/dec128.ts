// IEEE 754-2008 decimal128 in the binary integer decimal (BID) encoding, big-endian.
import { assert, DEC128_BYTES } from '../../cbor/index.ts';
import { AirError } from '../errors.ts';
import { canonicalDecimal, formatDecimal, parseDecimalText } from './decimal-text.ts';
import type { Checked, Decimal } from './decimal-text.ts';

/** Exponent bias of decimal128. */
const EXPONENT_BIAS = 6176;
const COEFFICIENT_BITS = 113n;
const COEFFICIENT_MASK = (1n << COEFFICIENT_BITS) - 1n;
const EXPONENT_MASK = 0x3fffn;
const SIGN_BIT = 127n;
/** The two combination-field bits that select the large-coefficient form (and infinity/NaN). */
const LARGE_FORM_MASK = 0b11n << 125n;
const SPECIAL_MASK = 0b1111n << 123n;
const COEFFICIENT_MAX = 10n ** 34n - 1n;

/**
 * The 16 bytes of a decimal. Layout (BID, big-endian: byte 0 holds the sign): 1 sign bit,
 * 14 bits of exponent + 6176, 113 bits of coefficient. A coefficient below 10^34 always fits
 * the 113-bit form, so the large-coefficient form (combination bits 11) is never written.
 */
export function packBid(decimal: Decimal): Uint8Array {
  let bits = (decimal.negative ? 1n << SIGN_BIT : 0n) | (BigInt(decimal.exponent + EXPONENT_BIAS) << COEFFICIENT_BITS) | decimal.coefficient;
  const bytes = new Uint8Array(DEC128_BYTES);
  for (let index = DEC128_BYTES - 1; index >= 0; index -= 1) {
    bytes[index] = Number(bits & 0xffn);
    bits >>= 8n;
  }
  return bytes;
}

/** The decimal in 16 BID bytes, exactly as stored; refuses infinities, NaNs and non-canonical coefficients. */
function unpackBid(bytes: Uint8Array): Checked<Decimal> {
  if (bytes.length !== DEC128_BYTES) return { ok: false, code: 'BAD_DECIMAL', detail: `a dec128 is ${DEC128_BYTES} bytes; found ${bytes.length}` };
  let bits = 0n;
  for (const byte of bytes) bits = (bits << 8n) | BigInt(byte);
  const negative = (bits >> SIGN_BIT) === 1n;
  if ((bits & SPECIAL_MASK) === SPECIAL_MASK) {
    return { ok: false, code: 'BAD_DECIMAL', detail: 'the dec128 is an infinity or a NaN; AIR decimals are finite' };
  }
  if ((bits & LARGE_FORM_MASK) === LARGE_FORM_MASK) {
    return { ok: false, code: 'BAD_DECIMAL', detail: 'the dec128 uses the large-coefficient form, whose coefficient exceeds 10^34 − 1 (non-canonical)' };
  }
  const coefficient = bits & COEFFICIENT_MASK;
  if (coefficient > COEFFICIENT_MAX) {
    return { ok: false, code: 'BAD_DECIMAL', detail: `the dec128 coefficient ${coefficient} exceeds 10^34 − 1 (non-canonical)` };
  }
  const exponent = Number((bits >> COEFFICIENT_BITS) & EXPONENT_MASK) - EXPONENT_BIAS;
  return { ok: true, value: { negative, coefficient, exponent } };
}

/** The canonical bytes of the same decimal: trailing zeros stripped, zero as +0 × 10^0. */
export function canonicalBid(bytes: Uint8Array): Checked<Uint8Array> {
  const stored = unpackBid(bytes);
  if (!stored.ok) return stored;
  const { negative, coefficient, exponent } = stored.value;
  const canonical = canonicalDecimal(negative, coefficient.toString(), BigInt(exponent));
  // Stripping zeros only raises the exponent, and padding back to the maximum keeps 34 digits at most.
  assert(canonical.ok, 'every finite dec128 has a canonical form');
  return { ok: true, value: packBid(canonical.value) };
}

/** The canonical dec128 bytes of decimal text such as "-12.345e-3"; throws BAD_DECIMAL or OUT_OF_RANGE. */
export function encodeDec128(decimalText: string): Uint8Array {
  const decimal = parseDecimalText(decimalText);
  if (!decimal.ok) throw new AirError(decimal.code, {}, decimal.detail);
  return packBid(decimal.value);
}

/** Decimal text of 16 dec128 bytes (plain notation where reasonable); throws BAD_DECIMAL for infinities, NaNs and malformed bytes. */
export function decodeDec128(bytes: Uint8Array): string {
  const decimal = unpackBid(bytes);
  if (!decimal.ok) throw new AirError(decimal.code, {}, decimal.detail);
  return formatDecimal(decimal.value);
}
