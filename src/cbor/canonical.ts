// Canonical CBOR in and out. Encoding is ours (encoder.ts). Decoding is ours too (decoder.ts),
// for every input it accepts; whatever it declines goes to the cborg decoder
// (cborg-decoder.ts), which refuses it with the exact error, or decides the odd input it reads.
import { decodeCanonicalCborg, decodeVerifiedCborg } from './cborg-decoder.ts';
import { decodeFast, DECLINED } from './decoder.ts';
import { encodeBody } from './encoder.ts';
import { CBOR_INPUT_BYTES_MAX, SELF_DESCRIBE_PREFIX } from './limits.ts';
import { bodyOffset } from './self-describe.ts';
import type { CborValue } from './value.ts';

export { firstDifference } from './first-difference.ts';
export { hasSelfDescribePrefix } from './self-describe.ts';

/** Options for {@link encodeCanonical}. */
export interface EncodeCanonicalOptions {
  /** Prefix the self-describe tag `d9 d9 f7`, as every hashed node is. Default true. */
  readonly selfDescribe?: boolean;
}

/** Encodes a value as RFC 8949 deterministic CBOR; refuses anything that has no canonical form. */
export function encodeCanonical(value: CborValue, options: EncodeCanonicalOptions = {}): Uint8Array {
  return encodeBody(value, options.selfDescribe === false ? undefined : SELF_DESCRIBE_PREFIX);
}

/**
 * Decodes canonical CBOR strictly: anything that is not exactly the canonical encoding of the
 * value it holds (unsorted or duplicate keys, long integer forms, indefinite lengths, floats,
 * undefined, unknown tags, trailing bytes) is refused with the byte offset of the problem.
 * A leading self-describe tag is accepted and not part of the value.
 */
export function decodeCanonical(bytes: Uint8Array): CborValue {
  if (bytes.length <= CBOR_INPUT_BYTES_MAX) {
    const value = decodeFast(bytes, bodyOffset(bytes));
    if (value !== DECLINED) return value;
  }
  // Refused, too large, or odd: cborg gives the error (code, offset, message) or the value.
  return decodeCanonicalCborg(bytes);
}

/**
 * Decodes bytes whose integrity is already established (their sha256 matched the hash they are
 * stored under, and we wrote them canonically). Canonical bytes take the same fast path as in
 * decodeCanonical (its checks cost little, so it keeps them); anything else goes to cborg
 * without the re-encode comparison, so it still reads, as it always did, what only that
 * comparison refuses (unsorted keys, text that is not UTF-8 or starts with U+FEFF, repeated
 * byte-string keys) and inputs over CBOR_INPUT_BYTES_MAX.
 * Never use it for bytes from outside: admission always goes through decodeCanonical.
 */
export function decodeVerified(bytes: Uint8Array): CborValue {
  const value = decodeFast(bytes, bodyOffset(bytes));
  return value !== DECLINED ? value : decodeVerifiedCborg(bytes);
}
