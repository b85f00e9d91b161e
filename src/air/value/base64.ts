// Strict base64 (RFC 4648 §4): standard alphabet, padding required, unused bits zero.
import type { Checked } from './decimal-text.ts';
import { quote } from './json-shape.ts';

const ALPHABET = /^[A-Za-z0-9+/]*={0,2}$/;

/** The bytes of canonical base64 text, or why the text is not canonical base64. */
export function decodeBase64Strict(text: string): Checked<Uint8Array> {
  const bad = text.search(/[^A-Za-z0-9+/=]/);
  if (bad !== -1) {
    const hint = text[bad] === '-' || text[bad] === '_' ? ' (that is the URL-safe alphabet; use + and /)' : '';
    return { ok: false, code: 'BAD_BASE64', detail: `found the character ${quote(text[bad] ?? '')} at position ${bad}, which is not base64${hint}` };
  }
  if (!ALPHABET.test(text)) return { ok: false, code: 'BAD_BASE64', detail: 'found "=" before the end; padding only ends base64 text' };
  if (text.length % 4 !== 0) {
    return { ok: false, code: 'BAD_BASE64', detail: `found ${text.length} characters; base64 comes in groups of 4, padded with "="` };
  }
  const bytes = Uint8Array.from(Buffer.from(text, 'base64'));
  if (encodeBase64(bytes) !== text) {
    return { ok: false, code: 'BAD_BASE64', detail: 'the unused low bits of the last character are not zero (non-canonical base64)' };
  }
  return { ok: true, value: bytes };
}

/** Canonical base64 of bytes. */
export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}
