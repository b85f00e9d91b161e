// Raw ed25519 public keys (32 bytes) and their text id `ed25519:<64 hex>`, the form used in
// AIR, the journal and CLI output. node:crypto is used only to compute, never for I/O.
import { createPublicKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { assert, firstDifference, fromHex, toHex } from '../cbor/index.ts';
import { BoundedLru } from './bounded-lru.ts';
import { KernelError } from './errors.ts';
import { ED25519_PUBLIC_KEY_BYTES, PUBLIC_KEY_OBJECTS_CACHED_MAX } from './limits.ts';

/** A public key's text id: `ed25519:` and 64 lowercase hex digits (the raw 32-byte key). */
export type PublicKeyId = string & { readonly __brand: 'PublicKeyId' };

const KEY_ID_PREFIX = 'ed25519:';
const KEY_ID_PATTERN = /^ed25519:[0-9a-f]{64}$/;
/** DER header of an ed25519 SubjectPublicKeyInfo (RFC 8410); the raw key follows it. */
const SPKI_ED25519_HEADER = Uint8Array.from([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00]);

// Building a KeyObject costs about as much as a verification, and a world's receipts come
// from a handful of adapter keys, so the objects are kept, bounded, by key id.
const keyObjects = new BoundedLru<KeyObject>(PUBLIC_KEY_OBJECTS_CACHED_MAX, PUBLIC_KEY_OBJECTS_CACHED_MAX);

/** True when the text is a well-formed public key id. */
export function isPublicKeyId(text: unknown): text is PublicKeyId {
  return typeof text === 'string' && KEY_ID_PATTERN.test(text);
}

/** The id of a raw 32-byte ed25519 public key. */
export function publicKeyId(raw: Uint8Array): PublicKeyId {
  checkPublicKeyLength(raw);
  return `${KEY_ID_PREFIX}${toHex(raw)}` as PublicKeyId;
}

/** The raw key named by an id, saying exactly what is wrong with a bad one. */
export function parsePublicKeyId(text: string, where = 'public key'): Uint8Array {
  if (!isPublicKeyId(text)) {
    const shown = text.length > 80 ? `${text.slice(0, 77)}...` : text;
    throw new KernelError('BAD_PUBLIC_KEY', `${where}: "${shown}" is not a public key id (${describeBadId(text)}); expected "ed25519:" followed by 64 lowercase hex digits`);
  }
  return fromHex(text.slice(KEY_ID_PREFIX.length));
}

function describeBadId(text: string): string {
  if (!text.startsWith(KEY_ID_PREFIX)) return 'it does not start with "ed25519:"';
  const digits = text.slice(KEY_ID_PREFIX.length);
  if (digits.length !== 2 * ED25519_PUBLIC_KEY_BYTES) return `it has ${digits.length} hex digits`;
  return /[A-F]/.test(digits) ? 'it has uppercase hex digits' : 'it has characters that are not hex digits';
}

/** The KeyObject of a raw public key, built once and then taken from a bounded cache. */
export function publicKeyObject(raw: Uint8Array): KeyObject {
  const id = publicKeyId(raw);
  const cached = keyObjects.get(id);
  if (cached !== undefined) return cached;
  const der = new Uint8Array(SPKI_ED25519_HEADER.length + raw.length);
  der.set(SPKI_ED25519_HEADER);
  der.set(raw, SPKI_ED25519_HEADER.length);
  let key: KeyObject;
  try {
    key = createPublicKey({ key: Buffer.from(der.buffer, der.byteOffset, der.byteLength), format: 'der', type: 'spki' });
  } catch (error) {
    throw new KernelError('BAD_PUBLIC_KEY', `${id} is not a usable ed25519 public key`, { cause: error });
  }
  keyObjects.set(id, key, 1);
  return key;
}

/** The raw 32 bytes of an ed25519 public (or private) KeyObject. */
export function rawPublicKey(key: KeyObject): Uint8Array {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  if (publicKey.asymmetricKeyType !== 'ed25519') {
    throw new KernelError('BAD_PUBLIC_KEY', `the key is ${publicKey.asymmetricKeyType ?? 'a symmetric key'}, not ed25519`);
  }
  const der = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }));
  assert(der.length === SPKI_ED25519_HEADER.length + ED25519_PUBLIC_KEY_BYTES && firstDifference(der.subarray(0, SPKI_ED25519_HEADER.length), SPKI_ED25519_HEADER) === -1,
    'an ed25519 SubjectPublicKeyInfo is its fixed header and the raw key');
  return der.slice(SPKI_ED25519_HEADER.length);
}

function checkPublicKeyLength(raw: Uint8Array): void {
  if (raw.length !== ED25519_PUBLIC_KEY_BYTES) {
    throw new KernelError('BAD_PUBLIC_KEY', `an ed25519 public key is ${ED25519_PUBLIC_KEY_BYTES} bytes; got ${raw.length}`);
  }
}
