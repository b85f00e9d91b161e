// uuid: RFC 4122 text, held in lowercase (uppercase input is accepted and lowered).
import { assert } from '../../../cbor/index.ts';
import type { CborValue } from '../../../cbor/index.ts';
import type { LeafCodec } from '../leaf-codec.ts';
import { mismatch } from '../leaf-codec.ts';
import { fail } from '../site.ts';
import type { Site } from '../site.ts';
import { quote } from '../json-shape.ts';

const EXPECTED = 'a uuid: "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" in hex digits';
const UUID_PATTERN = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

function read(json: unknown, site: Site): CborValue {
  if (typeof json !== 'string') mismatch(site, json, EXPECTED);
  if (!UUID_PATTERN.test(json)) fail(site, 'BAD_UUID', `found ${quote(json)}, which is not a uuid; expected ${EXPECTED}`);
  return json.toLowerCase();
}

function write(value: CborValue): string {
  assert(typeof value === 'string', 'a checked uuid is a string');
  return value;
}

export const uuid: LeafCodec = {
  canonicalTag: 'uuid', expected: EXPECTED, fromSugar: read, fromCanonical: read, fromCbor: read, toSugar: write, toCanonical: write,
};
