// Reading canonical CBOR (RFC 8949 §4.2.1) straight from bytes, building no values: the
// primitives the typed-bytes checker is made of. Each read either accepts exactly the canonical
// form and moves past it, or says false; false means "let the full decoder decide", never "invalid".

import { MAJOR_ARRAY, MAJOR_BYTES, MAJOR_MAP, MAJOR_NEGINT, MAJOR_TEXT, MAJOR_UINT } from '../../cbor/index.ts';

export { MAJOR_ARRAY, MAJOR_MAP };
export const SIMPLE_FALSE = 0xf4;
export const SIMPLE_TRUE = 0xf5;
export const SIMPLE_NULL = 0xf6;

/** The additional-information values that announce a 1-, 2-, 4- or 8-byte argument. */
const INFO_ONE_BYTE = 24;
const INFO_TWO_BYTES = 25;
const INFO_FOUR_BYTES = 26;
const INFO_EIGHT_BYTES = 27;

/** Where a check is in the bytes, and the argument of the head it read last. */
export class ByteScan {
  position = 0;
  /** The argument of the last head read by readHead (below 2^32). */
  argument = 0;
  constructor(readonly bytes: Uint8Array) {}

  /** Bytes not yet read: every item takes at least one, so a count above this cannot fit. */
  get remaining(): number {
    return this.bytes.length - this.position;
  }
}

/**
 * Reads a head of the given major type in its shortest form with an argument below 2^32 (any
 * length in an input we accept is), leaving the argument in `scan.argument`. An 8-byte
 * argument is refused here; integers read theirs with readInteger.
 */
export function readHead(scan: ByteScan, major: number): boolean {
  const bytes = scan.bytes;
  const at = scan.position;
  const initial = bytes[at];
  if (initial === undefined || initial >> 5 !== major) return false;
  const info = initial & 0x1f;
  if (info < INFO_ONE_BYTE) {
    scan.argument = info;
    scan.position = at + 1;
    return true;
  }
  if (info === INFO_ONE_BYTE) {
    const argument = bytes[at + 1];
    if (argument === undefined || argument < INFO_ONE_BYTE) return false;
    scan.argument = argument;
    scan.position = at + 2;
    return true;
  }
  if (info === INFO_TWO_BYTES) {
    if (at + 3 > bytes.length) return false;
    const argument = ((bytes[at + 1] ?? 0) << 8) | (bytes[at + 2] ?? 0);
    if (argument < 0x100) return false;
    scan.argument = argument;
    scan.position = at + 3;
    return true;
  }
  if (info === INFO_FOUR_BYTES) {
    if (at + 5 > bytes.length) return false;
    const argument = uint32At(bytes, at + 1);
    if (argument < 0x10000) return false;
    scan.argument = argument;
    scan.position = at + 5;
    return true;
  }
  return false;
}

function uint32At(bytes: Uint8Array, at: number): number {
  return (bytes[at] ?? 0) * 0x1000000 + (((bytes[at + 1] ?? 0) << 16) | ((bytes[at + 2] ?? 0) << 8) | (bytes[at + 3] ?? 0));
}

/**
 * Reads an integer in its shortest form: a uint, or a negint when `negintAllowed`, whose 64-bit
 * argument has its upper 32 bits at most `highMax` (0x7fffffff bounds both signs of an i64,
 * 0xffffffff admits every u64).
 */
export function readInteger(scan: ByteScan, negintAllowed: boolean, highMax: number): boolean {
  const bytes = scan.bytes;
  const at = scan.position;
  const initial = bytes[at];
  if (initial === undefined) return false;
  const major = initial >> 5;
  if (major !== MAJOR_UINT && !(negintAllowed && major === MAJOR_NEGINT)) return false;
  if ((initial & 0x1f) !== INFO_EIGHT_BYTES) return readHead(scan, major);
  if (at + 9 > bytes.length) return false;
  const high = uint32At(bytes, at + 1);
  // A zero upper half fits in the 4-byte form, which is the shortest.
  if (high === 0 || high > highMax) return false;
  scan.position = at + 9;
  return true;
}

/** Reads one exact byte (a simple value such as null or true). */
export function readByte(scan: ByteScan, expected: number): boolean {
  if (scan.bytes[scan.position] !== expected) return false;
  scan.position += 1;
  return true;
}

/** Reads bytes equal to `expected` (a pre-encoded map key, tag or head). */
export function readExact(scan: ByteScan, expected: Uint8Array): boolean {
  const bytes = scan.bytes;
  const at = scan.position;
  const length = expected.length;
  if (at + length > bytes.length) return false;
  for (let index = 0; index < length; index += 1) {
    if (bytes[at + index] !== expected[index]) return false;
  }
  scan.position = at + length;
  return true;
}

/** Reads a byte string; its content is left to the caller at [position − argument, position). */
export function readByteString(scan: ByteScan): boolean {
  if (!readHead(scan, MAJOR_BYTES) || scan.argument > scan.remaining) return false;
  scan.position += scan.argument;
  return true;
}

/** Reads a text string whose bytes decode to text that encodes back to the same bytes. */
export function readText(scan: ByteScan): boolean {
  if (!readHead(scan, MAJOR_TEXT) || scan.argument > scan.remaining) return false;
  const start = scan.position;
  const end = start + scan.argument;
  if (!isRoundTripUtf8(scan.bytes, start, end)) return false;
  scan.position = end;
  return true;
}

/**
 * True for well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing past
 * U+10FFFF); a leading byte order mark is text like any other (the strict decoder keeps it).
 */
function isRoundTripUtf8(bytes: Uint8Array, start: number, end: number): boolean {
  let at = start;
  while (at < end) {
    const lead = bytes[at] ?? 0xff;
    if (lead < 0x80) {
      at += 1;
      continue;
    }
    let continuations: number;
    let secondMin = 0x80;
    let secondMax = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) {
      continuations = 1;
    } else if (lead >= 0xe0 && lead <= 0xef) {
      continuations = 2;
      if (lead === 0xe0) secondMin = 0xa0; // below is overlong
      if (lead === 0xed) secondMax = 0x9f; // above are the surrogates U+D800–U+DFFF
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      continuations = 3;
      if (lead === 0xf0) secondMin = 0x90; // below is overlong
      if (lead === 0xf4) secondMax = 0x8f; // above is past U+10FFFF
    } else {
      return false;
    }
    if (at + continuations >= end) return false;
    const second = bytes[at + 1] ?? 0;
    if (second < secondMin || second > secondMax) return false;
    for (let index = 2; index <= continuations; index += 1) {
      if (((bytes[at + index] ?? 0) & 0xc0) !== 0x80) return false;
    }
    at += continuations + 1;
  }
  return true;
}

/** Bytewise order of two ranges of the same bytes (a prefix sorts first), as Buffer.compare orders them. */
export function compareRanges(bytes: Uint8Array, aStart: number, aEnd: number, bStart: number, bEnd: number): number {
  const aLength = aEnd - aStart;
  const bLength = bEnd - bStart;
  const length = Math.min(aLength, bLength);
  for (let index = 0; index < length; index += 1) {
    const difference = (bytes[aStart + index] ?? 0) - (bytes[bStart + index] ?? 0);
    if (difference !== 0) return difference;
  }
  return aLength - bLength;
}

/** True when the range holds exactly `expected`. */
export function rangeEquals(bytes: Uint8Array, start: number, end: number, expected: Uint8Array): boolean {
  if (end - start !== expected.length) return false;
  for (let index = 0; index < expected.length; index += 1) {
    if (bytes[start + index] !== expected[index]) return false;
  }
  return true;
}
