// Byte checks of the primitive kinds: each accepts exactly the canonical typed bytes of one value
// of its kind (what kinds/<kind>.ts fromCbor and the canonical encoder make of it), and nothing else.
import { assert, DEC128_BYTES, DEC128_TAG } from '../../cbor/index.ts';
import type { PrimitiveKind } from '../type-ast.ts';
import { isCanonicalBid } from './dec128-check.ts';
import { readByte, readByteString, readExact, readInteger, readText, SIMPLE_FALSE, SIMPLE_NULL, SIMPLE_TRUE } from './byte-scan.ts';
import type { ByteScan } from './byte-scan.ts';

/** Checks one item at the scan position and moves past it; `depth` is how deep the walk is (0 at the root). */
export type ItemCheck = (scan: ByteScan, depth: number) => boolean;

/** Upper 32 bits of the largest i64 magnitude: 2^63 − 1 for a uint, 2^63 for a negint (argument 2^63 − 1). */
const I64_HIGH_MAX = 0x7fffffff;
/** Every u64 argument is a nat. */
const U64_HIGH_MAX = 0xffffffff;

const HASH_PREFIX = 'sha256:';
const HASH_DIGITS = 64;
const UUID_CHARS = 36;
const UUID_HYPHENS: readonly number[] = [8, 13, 18, 23];
const HYPHEN = 0x2d;

assert(DEC128_TAG >= 0x100 && DEC128_TAG < 0x10000 && DEC128_BYTES < 24, 'the dec128 head below is the shortest form');
/** Tag 2000 (two-byte argument) and the head of its 16-byte payload. */
const DEC128_HEAD = Uint8Array.of(0xc0 | 25, DEC128_TAG >> 8, DEC128_TAG & 0xff, 0x40 | DEC128_BYTES);
/** A text head of 71 bytes, then "sha256:". */
const HASH_HEAD = Uint8Array.from([0x60 | 24, HASH_PREFIX.length + HASH_DIGITS, ...[...HASH_PREFIX].map((char) => char.charCodeAt(0))]);
/** A text head of 36 bytes. */
const UUID_HEAD = Uint8Array.of(0x60 | 24, UUID_CHARS);

function isLowerHexDigit(byte: number | undefined): boolean {
  return byte !== undefined && ((byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x66));
}

/** `count` lowercase hex digits from the scan position. */
function readLowerHex(scan: ByteScan, count: number): boolean {
  const bytes = scan.bytes;
  const start = scan.position;
  if (count > scan.remaining) return false;
  for (let index = start; index < start + count; index += 1) {
    if (!isLowerHexDigit(bytes[index])) return false;
  }
  scan.position = start + count;
  return true;
}

function checkBool(scan: ByteScan): boolean {
  return readByte(scan, SIMPLE_FALSE) || readByte(scan, SIMPLE_TRUE);
}

function checkSigned(scan: ByteScan): boolean {
  return readInteger(scan, true, I64_HIGH_MAX);
}

function checkUnsigned(scan: ByteScan): boolean {
  return readInteger(scan, false, U64_HIGH_MAX);
}

/** Tag 2000 around 16 bytes that are already canonical (isCanonicalBid). */
function checkDec128(scan: ByteScan): boolean {
  if (!readExact(scan, DEC128_HEAD) || scan.remaining < DEC128_BYTES) return false;
  if (!isCanonicalBid(scan.bytes, scan.position)) return false;
  scan.position += DEC128_BYTES;
  return true;
}

function checkHash(scan: ByteScan): boolean {
  return readExact(scan, HASH_HEAD) && readLowerHex(scan, HASH_DIGITS);
}

/** The lowercase RFC 4122 text form: uppercase digits are valid input but not canonical. */
function checkUuid(scan: ByteScan): boolean {
  if (!readExact(scan, UUID_HEAD) || scan.remaining < UUID_CHARS) return false;
  const bytes = scan.bytes;
  const start = scan.position;
  let hyphen = 0;
  for (let index = 0; index < UUID_CHARS; index += 1) {
    const byte = bytes[start + index];
    if (index === UUID_HYPHENS[hyphen]) {
      if (byte !== HYPHEN) return false;
      hyphen += 1;
    } else if (!isLowerHexDigit(byte)) {
      return false;
    }
  }
  scan.position = start + UUID_CHARS;
  return true;
}

function checkUnit(scan: ByteScan): boolean {
  return readByte(scan, SIMPLE_NULL);
}

/** Checks of the primitive kinds: the compiler rejects the table until it covers every kind. */
export const LEAF_CHECKS = {
  bool: checkBool,
  int: checkSigned,
  nat: checkUnsigned,
  dec128: checkDec128,
  bytes: readByteString,
  text: readText,
  time: checkUnsigned,
  duration: checkSigned,
  hash: checkHash,
  uuid: checkUuid,
  unit: checkUnit,
} satisfies Record<PrimitiveKind, ItemCheck>;
