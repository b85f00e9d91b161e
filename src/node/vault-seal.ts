// One sealed vault record: AES-256-GCM with a random 96-bit nonce, bound by its additional
// authenticated data to what it is (the entry's name and version, or the entry's active pointer).
// The AAD is rebuilt from where the record is read, never from the file, so a record moved to
// another name or version fails authentication like an edited one.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { VaultKey } from './vault-key.ts';

/** Bytes of a GCM nonce: 96 bits, random per record (2^32 records per key keeps collisions negligible). */
export const VAULT_NONCE_BYTES = 12;
/** Bytes of a GCM tag. */
export const VAULT_TAG_BYTES = 16;

/** A sealed record as its file holds it (base64 fields). */
export interface SealedRecord {
  readonly key_id: string;
  readonly nonce: string;
  readonly ciphertext: string;
  readonly tag: string;
}

/** Encrypts `plaintext` under the key, bound to `aad`. */
export function seal(key: VaultKey, aad: string, plaintext: Uint8Array): SealedRecord {
  const nonce = randomBytes(VAULT_NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key.bytes, nonce, { authTagLength: VAULT_TAG_BYTES });
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { key_id: key.id, nonce: nonce.toString('base64'), ciphertext: ciphertext.toString('base64'), tag: cipher.getAuthTag().toString('base64') };
}

/** The plaintext, or null when the record fails authentication (edited, moved, or another key). */
export function open(key: VaultKey, aad: string, record: SealedRecord): Uint8Array | null {
  const nonce = Buffer.from(record.nonce, 'base64');
  const tag = Buffer.from(record.tag, 'base64');
  if (nonce.byteLength !== VAULT_NONCE_BYTES || tag.byteLength !== VAULT_TAG_BYTES) return null;
  const decipher = createDecipheriv('aes-256-gcm', key.bytes, nonce, { authTagLength: VAULT_TAG_BYTES });
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(tag);
  const body = decipher.update(Buffer.from(record.ciphertext, 'base64'));
  try {
    return new Uint8Array(Buffer.concat([body, decipher.final()]));
  } catch {
    body.fill(0); // unauthenticated bytes: never returned
    return null; // final() throws only on a failed tag check; the caller names the entry
  }
}
