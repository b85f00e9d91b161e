import { hash as sha256Once } from 'node:crypto';
import { encodeCanonical } from './canonical.ts';
import { CborError } from './errors.ts';
import type { CborValue } from './value.ts';

/** A content address: `sha256:` and 64 lowercase hex digits. */
export type Hash = string & { readonly __brand: 'Hash' };

const HASH_PREFIX = 'sha256:';
/** `sha256:` and 64 hex digits. */
const HASH_TEXT_LENGTH = HASH_PREFIX.length + 64;
/** The all-zero hash: a placeholder for "not built yet", never the hash of real bytes. */
export const ZERO_HASH = `sha256:${'0'.repeat(64)}` as Hash;

/** True when the text is a well-formed hash. */
export function isHash(text: unknown): text is Hash {
  // A loop the JIT inlines where it is called: hashes are checked at every layer, and the
  // regular expression's call into the regexp engine cost ~2 µs a check amid a round trip.
  if (typeof text !== 'string' || text.length !== HASH_TEXT_LENGTH || !text.startsWith(HASH_PREFIX)) return false;
  for (let index = HASH_PREFIX.length; index < HASH_TEXT_LENGTH; index += 1) {
    const code = text.charCodeAt(index);
    if (code < 0x30 || (code > 0x39 && code < 0x61) || code > 0x66) return false;
  }
  return true;
}

/** Parses a hash, saying exactly what is wrong with a bad one. */
export function parseHash(text: string, where = 'hash'): Hash {
  if (isHash(text)) return text;
  const hint = describeBadHash(text);
  throw new CborError('BAD_HASH', `${where}: "${truncate(text)}" is not a hash (${hint}); expected "sha256:" followed by 64 lowercase hex digits`);
}

function describeBadHash(text: string): string {
  if (!text.startsWith('sha256:')) return 'it does not start with "sha256:"';
  const digits = text.slice('sha256:'.length);
  if (digits.length !== 64) return `it has ${digits.length} hex digits`;
  if (/[A-F]/.test(digits)) return 'it has uppercase hex digits';
  return 'it has characters that are not hex digits';
}

function truncate(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** The hash of raw bytes. */
export function hashBytes(bytes: Uint8Array): Hash {
  // The one-shot crypto.hash (Node ≥ 20.12) costs half of createHash().update().digest() here.
  return `sha256:${sha256Once('sha256', bytes, 'hex')}` as Hash;
}

/** The hash of a value: sha256 over its canonical CBOR with the self-describe prefix. */
export function hashValue(value: CborValue): Hash {
  return hashBytes(encodeCanonical(value));
}

/** The 32 digest bytes of a hash. */
export function hashDigest(hash: Hash): Uint8Array {
  return Uint8Array.from(Buffer.from(hash.slice('sha256:'.length), 'hex'));
}
