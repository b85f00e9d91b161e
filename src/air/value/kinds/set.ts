// set: items deduplicated and sorted by their canonical CBOR bytes, so equal sets hash alike.
import type { CborValue } from '../../../cbor/index.ts';
import type { CompositeCodec } from '../composite-codec.ts';
import { sameBytes, sortByCanonicalBytes } from '../canonical-order.ts';
import { readItems, writeItems } from './list.ts';
import type { ItemsNode } from './list.ts';

/** Canonical order, each distinct item once. */
function canonicalSet(items: readonly CborValue[]): CborValue[] {
  const ordered = sortByCanonicalBytes(items, (item) => item);
  return ordered.filter((entry, index) => index === 0 || !sameBytes(entry.bytes, ordered[index - 1]?.bytes ?? new Uint8Array())).map((entry) => entry.item);
}

export const set: CompositeCodec<ItemsNode> = {
  canonicalTag: 'set',
  fromSugar: (json, node, site, read) => canonicalSet(readItems(json, node, site, read)),
  fromCanonical: (body, node, site, read) => canonicalSet(readItems(body, node, site, read)),
  fromCbor: (value, node, site, check) => canonicalSet(readItems(value, node, site, check)),
  toSugar: (value, node, site, write) => writeItems(value, node, site, 'sugar', write),
  toCanonical: (value, node, site, write) => writeItems(value, node, site, 'canonical', write),
};
