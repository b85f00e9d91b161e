// Integers of the 64-bit kinds (int, nat, time, duration): exact, range-checked, never lossy.
import { assert } from '../../../cbor/index.ts';
import type { CborValue } from '../../../cbor/index.ts';
import { fail } from '../site.ts';
import type { Site } from '../site.ts';
import { mismatch } from '../leaf-codec.ts';
import type { LeafCodec } from '../leaf-codec.ts';
import { quote } from '../json-shape.ts';

/** The values one integer kind admits. */
interface IntegerRange {
  readonly kind: string;
  readonly min: bigint;
  readonly max: bigint;
}

export const I64_RANGE_MIN = -(1n << 63n);
export const I64_RANGE_MAX = (1n << 63n) - 1n;
export const U64_RANGE_MAX = (1n << 64n) - 1n;

/** A digit string: the way to write an integer that a JSON number cannot carry exactly. */
const DIGITS_PATTERN = /^-?[0-9]+$/;
/** Longer digit strings are out of every 64-bit range; refusing them early bounds BigInt work. */
const DIGITS_CHARS_MAX = 40;

/** The in-memory form of an integer: a number when it is a safe integer, else a bigint. */
export function integerValue(value: bigint): number | bigint {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

/** Reads an integer from JSON: a safe JSON number, a bigint, or a string of digits. */
export function integerFromJson(json: unknown, range: IntegerRange, site: Site, expected: string): number | bigint {
  if (typeof json === 'string') {
    if (!DIGITS_PATTERN.test(json)) mismatch(site, json, expected);
    if (json.length > DIGITS_CHARS_MAX) fail(site, 'OUT_OF_RANGE', `found ${quote(json)}; ${rangeText(range)}`);
    return inRange(BigInt(json), range, site);
  }
  return integerFromCbor(json, range, site, expected);
}

/** Checks an integer held as CBOR data (or a JSON number or bigint). */
export function integerFromCbor(value: unknown, range: IntegerRange, site: Site, expected: string): number | bigint {
  if (typeof value === 'bigint') return inRange(value, range, site);
  if (typeof value !== 'number' || !Number.isInteger(value)) mismatch(site, value, expected);
  if (!Number.isSafeInteger(value)) {
    fail(site, 'OUT_OF_RANGE', `found the JSON number ${value}, which is beyond 2^53 and has lost precision; write it as a string of digits`);
  }
  return inRange(BigInt(value), range, site);
}

function inRange(value: bigint, range: IntegerRange, site: Site): number | bigint {
  if (value < range.min || value > range.max) fail(site, 'OUT_OF_RANGE', `found ${value}; ${rangeText(range)}`);
  return integerValue(value);
}

function rangeText(range: IntegerRange): string {
  return `a ${range.kind} is an integer from ${range.min} to ${range.max}`;
}

/** The integer of a canonical value, as the lenses write it (a bigint only when unsafe). */
export function integerOut(value: CborValue): number | bigint {
  assert(typeof value === 'number' || typeof value === 'bigint', 'a checked integer is a number or bigint');
  return value;
}

/** The codec of an integer kind: int, nat and duration differ only in range, tag and wording. */
export function integerCodec(canonicalTag: string, range: IntegerRange, expected: string): LeafCodec {
  return {
    canonicalTag,
    expected,
    fromSugar: (json, site) => integerFromJson(json, range, site, expected),
    fromCanonical: (body, site) => integerFromJson(body, range, site, expected),
    fromCbor: (value, site) => integerFromCbor(value, range, site, expected),
    toSugar: integerOut,
    toCanonical: integerOut,
  };
}
