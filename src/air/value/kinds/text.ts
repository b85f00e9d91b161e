// text: a string of Unicode scalar values (well-formed UTF-16 in memory, UTF-8 in CBOR).
import { assert } from '../../../cbor/index.ts';
import type { CborValue } from '../../../cbor/index.ts';
import type { LeafCodec } from '../leaf-codec.ts';
import { mismatch } from '../leaf-codec.ts';
import { fail } from '../site.ts';
import type { Site } from '../site.ts';

const EXPECTED = 'text: a string';
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Refuses a lone surrogate, which has no UTF-8 form and would not survive encoding. */
export function checkWellFormed(text: string, site: Site): string {
  const at = text.search(LONE_SURROGATE);
  if (at !== -1) {
    const unit = text.charCodeAt(at).toString(16).toUpperCase();
    fail(site, 'BAD_TEXT', `the text has a lone surrogate U+${unit} at index ${at}; text must be valid Unicode`);
  }
  return text;
}

function read(json: unknown, site: Site): CborValue {
  if (typeof json !== 'string') mismatch(site, json, EXPECTED);
  return checkWellFormed(json, site);
}

function write(value: CborValue): string {
  assert(typeof value === 'string', 'checked text is a string');
  return value;
}

export const text: LeafCodec = {
  canonicalTag: 'text', expected: EXPECTED, fromSugar: read, fromCanonical: read, fromCbor: read, toSugar: write, toCanonical: write,
};
