// hash: a SHA-256 content address written "sha256:" and 64 lowercase hex digits.
import { assert, isHash } from '../../../cbor/index.ts';
import type { CborValue } from '../../../cbor/index.ts';
import type { LeafCodec } from '../leaf-codec.ts';
import { mismatch } from '../leaf-codec.ts';
import { fail } from '../site.ts';
import type { Site } from '../site.ts';
import { quote } from '../json-shape.ts';

const EXPECTED = 'a hash: "sha256:" followed by 64 lowercase hex digits';

function read(json: unknown, site: Site): CborValue {
  if (typeof json !== 'string') mismatch(site, json, EXPECTED);
  if (!isHash(json)) fail(site, 'BAD_HASH', `found ${quote(json)}, which ${whatIsWrong(json)}; expected ${EXPECTED}`);
  return json;
}

function whatIsWrong(text: string): string {
  if (!text.startsWith('sha256:')) return 'does not start with "sha256:"';
  const digits = text.slice('sha256:'.length);
  if (digits.length !== 64) return `has ${digits.length} hex digits`;
  return /[A-F]/.test(digits) ? 'has uppercase hex digits' : 'has characters that are not hex digits';
}

function write(value: CborValue): string {
  assert(typeof value === 'string', 'a checked hash is a string');
  return value;
}

export const hash: LeafCodec = {
  canonicalTag: 'hash', expected: EXPECTED, fromSugar: read, fromCanonical: read, fromCbor: read, toSugar: write, toCanonical: write,
};
