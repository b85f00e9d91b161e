import { CborError } from './errors.ts';

/** Lowercase hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Bytes from hex (whitespace and an optional 0x allowed); refuses odd lengths and non-hex characters. */
export function fromHex(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, '').replace(/^0x/i, '');
  const bad = clean.search(/[^0-9a-fA-F]/);
  if (bad !== -1) throw new CborError('BAD_HEX', `hex input has a non-hex character "${clean[bad]}" at position ${bad}`);
  if (clean.length % 2 !== 0) throw new CborError('BAD_HEX', `hex input has ${clean.length} digits; it needs an even number (two per byte)`);
  return Uint8Array.from(Buffer.from(clean, 'hex'));
}
