// dec128: a decimal128 value, held as CBOR tag 2000 around its 16 BID bytes.
import { assert, DEC128_TAG, Tagged } from '../../../cbor/index.ts';
import type { CborValue } from '../../../cbor/index.ts';
import type { LeafCodec } from '../leaf-codec.ts';
import { mismatch } from '../leaf-codec.ts';
import { fail } from '../site.ts';
import type { Site } from '../site.ts';
import { canonicalBid, decodeDec128, packBid } from '../dec128.ts';
import { parseDecimalText } from '../decimal-text.ts';

const EXPECTED = 'a dec128: decimal text such as "-12.345e-3" (or an integer)';

/** Decimal text, or an integer (exact; a JSON number with a fraction is refused as possibly rounded). */
function read(json: unknown, site: Site): CborValue {
  let text: string;
  if (typeof json === 'string') text = json;
  else if (typeof json === 'bigint' || (typeof json === 'number' && Number.isSafeInteger(json))) text = String(json);
  else if (typeof json === 'number' && Number.isFinite(json)) fail(site, 'BAD_DECIMAL', `found the JSON number ${json}; write a dec128 as text ("${json}") so no binary rounding happens`);
  else mismatch(site, json, EXPECTED);
  const decimal = parseDecimalText(text);
  if (!decimal.ok) fail(site, decimal.code, decimal.detail);
  return new Tagged(DEC128_TAG, packBid(decimal.value));
}

function fromCbor(value: CborValue, site: Site): CborValue {
  if (!(value instanceof Tagged) || value.tag !== DEC128_TAG || !(value.value instanceof Uint8Array)) mismatch(site, value, 'a dec128: CBOR tag 2000 around 16 bytes');
  const canonical = canonicalBid(value.value);
  if (!canonical.ok) fail(site, canonical.code, canonical.detail);
  return new Tagged(DEC128_TAG, canonical.value);
}

function write(value: CborValue): string {
  assert(value instanceof Tagged && value.value instanceof Uint8Array, 'a checked dec128 is tag 2000 around bytes');
  return decodeDec128(value.value);
}

export const dec128: LeafCodec = {
  canonicalTag: 'dec128', expected: EXPECTED, fromSugar: read, fromCanonical: read, fromCbor, toSugar: write, toCanonical: write,
};
