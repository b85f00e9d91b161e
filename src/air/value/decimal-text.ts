// Decimal numbers as text, and their canonical form within dec128's range.
import type { AirErrorCode } from '../errors.ts';
import { DECIMAL_TEXT_CHARS_MAX } from '../limits.ts';
import { quote } from './json-shape.ts';

/** A finite decimal: (-1)^negative × coefficient × 10^exponent. */
export interface Decimal {
  readonly negative: boolean;
  readonly coefficient: bigint;
  readonly exponent: number;
}

/** A result that carries the reason for a refusal instead of throwing, so callers can say where. */
export type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly code: AirErrorCode; readonly detail: string };

/** Largest dec128 coefficient: 34 decimal digits. */
const DEC128_DIGITS_MAX = 34;
/** Smallest and largest dec128 exponents (IEEE 754-2008 decimal128: emin − (p − 1) and emax − (p − 1)). */
const DEC128_EXPONENT_MIN = -6176;
const DEC128_EXPONENT_MAX = 6111;

/** The DecimalString of AIR's common.schema.json. */
const DECIMAL_PATTERN = /^([+-]?)([0-9]+)(?:\.([0-9]+))?(?:[eE]([+-]?[0-9]+))?$/;

/** Reads decimal text (`-12.345e-3`) into its canonical dec128 form, or says why it cannot be one. */
export function parseDecimalText(text: string): Checked<Decimal> {
  if (text.length > DECIMAL_TEXT_CHARS_MAX) {
    return { ok: false, code: 'BAD_DECIMAL', detail: `decimal text of ${text.length} characters; the most accepted is ${DECIMAL_TEXT_CHARS_MAX}` };
  }
  const match = DECIMAL_PATTERN.exec(text);
  if (match === null) {
    return { ok: false, code: 'BAD_DECIMAL', detail: `found ${quote(text)}, which is not a decimal; expected digits with an optional sign, fraction and exponent, such as "-12.345e-3"` };
  }
  const [, sign = '', whole = '', fraction = '', exponent = '0'] = match;
  const value = canonicalDecimal(sign === '-', whole + fraction, BigInt(exponent) - BigInt(fraction.length));
  if (!value.ok) return { ...value, detail: `${quote(text)} ${value.detail}` };
  return value;
}

/**
 * The canonical form of a decimal: no leading or trailing zeros in the coefficient (trailing
 * zeros are kept only where the exponent would pass its maximum), zero as +0 × 10^0. Refuses
 * values dec128 cannot hold exactly: no rounding ever happens.
 */
export function canonicalDecimal(negative: boolean, digitsIn: string, exponentIn: bigint): Checked<Decimal> {
  const significant = digitsIn.replace(/^0+/, '');
  if (significant === '') return { ok: true, value: { negative: false, coefficient: 0n, exponent: 0 } };
  let digits = significant.replace(/0+$/, '');
  let exponent = exponentIn + BigInt(significant.length - digits.length);
  if (exponent > BigInt(DEC128_EXPONENT_MAX)) {
    const padding = exponent - BigInt(DEC128_EXPONENT_MAX);
    if (BigInt(digits.length) + padding > BigInt(DEC128_DIGITS_MAX)) {
      return { ok: false, code: 'OUT_OF_RANGE', detail: `is too large for dec128 (at most 34 digits × 10^${DEC128_EXPONENT_MAX})` };
    }
    digits += '0'.repeat(Number(padding));
    exponent = BigInt(DEC128_EXPONENT_MAX);
  }
  if (digits.length > DEC128_DIGITS_MAX) {
    return { ok: false, code: 'OUT_OF_RANGE', detail: `has ${digits.length} significant digits; dec128 holds at most ${DEC128_DIGITS_MAX} and AIR never rounds` };
  }
  if (exponent < BigInt(DEC128_EXPONENT_MIN)) {
    return { ok: false, code: 'OUT_OF_RANGE', detail: `needs exponent ${exponent}; the smallest dec128 exponent is ${DEC128_EXPONENT_MIN} and AIR never rounds` };
  }
  return { ok: true, value: { negative, coefficient: BigInt(digits), exponent: Number(exponent) } };
}

/** Plain notation puts at most this many zeros between the point and the first digit (1e-6 is 0.000001, 1e-7 stays 1e-7). */
const PLAIN_LEADING_ZEROS_MAX = 5;

/**
 * Decimal text for people: plain notation (`1.5`, `-0.005`, `1200`) within 34 integer digits
 * and 5 zeros after the point (as Java's BigDecimal does), scientific (`1.5e6111`) beyond. The
 * coefficient is shown as stored, so `1.50` stays `1.50`; the text reads back to the same value.
 */
export function formatDecimal(decimal: Decimal): string {
  const sign = decimal.negative ? '-' : '';
  const digits = decimal.coefficient.toString();
  const { exponent } = decimal;
  if (decimal.coefficient === 0n) return exponent === 0 ? `${sign}0` : `${sign}0e${exponent}`;
  if (exponent >= 0) {
    if (digits.length + exponent <= DEC128_DIGITS_MAX) return sign + digits + '0'.repeat(exponent);
    return sign + scientific(digits, exponent);
  }
  const point = digits.length + exponent;
  if (point > 0) return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
  if (-point <= PLAIN_LEADING_ZEROS_MAX) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  return sign + scientific(digits, exponent);
}

function scientific(digits: string, exponent: number): string {
  const adjusted = exponent + digits.length - 1;
  const mantissa = digits.length === 1 ? digits : `${digits[0] ?? ''}.${digits.slice(1)}`;
  return `${mantissa}e${adjusted}`;
}
