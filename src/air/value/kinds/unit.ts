// unit: the one value, null in memory; sugar writes null (or {}), the canonical lens {"null": {}}.
import type { CborValue } from '../../../cbor/index.ts';
import type { LeafCodec } from '../leaf-codec.ts';
import { mismatch } from '../leaf-codec.ts';
import { isEmptyObject } from '../json-shape.ts';
import type { Site } from '../site.ts';

const EXPECTED = 'unit: null, {} or {"null": {}}';

function fromSugar(json: unknown, site: Site): CborValue {
  if (json !== null && !isEmptyObject(json)) mismatch(site, json, EXPECTED);
  return null;
}

function fromCanonical(body: unknown, site: Site): CborValue {
  if (!isEmptyObject(body)) mismatch(site, body, 'the body of {"null": …} to be {}');
  return null;
}

function fromCbor(value: CborValue, site: Site): CborValue {
  if (value !== null) mismatch(site, value, 'unit: CBOR null');
  return null;
}

export const unit: LeafCodec = {
  canonicalTag: 'null', expected: EXPECTED, fromSugar, fromCanonical, fromCbor, toSugar: () => null, toCanonical: () => ({}),
};
