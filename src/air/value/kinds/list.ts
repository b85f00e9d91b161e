// list: an array in the given order.
import { assert } from '../../../cbor/index.ts';
import type { CborValue } from '../../../cbor/index.ts';
import type { TypeAst } from '../../type-ast.ts';
import type { CompositeCodec, Lens, WriteChild } from '../composite-codec.ts';
import { mismatch } from '../leaf-codec.ts';
import { childSite } from '../site.ts';
import type { Site } from '../site.ts';

/** The node of a list or a set: both hold items of one type. */
export type ItemsNode = { readonly kind: 'list' | 'set' | 'option'; readonly item: TypeAst };

/** Reads each item of an array through `child` (holes read as undefined, which no type accepts). */
export function readItems<V>(items: unknown, node: ItemsNode, site: Site, child: (value: V, type: TypeAst, site: Site) => CborValue): CborValue[] {
  if (!Array.isArray(items)) mismatch(site, items, `a ${node.kind}: an array`);
  // The parse boundary: a JSON array holds JSON, a CBOR array holds CBOR data.
  const array: readonly V[] = items;
  return Array.from(array, (item, index) => child(item, node.item, childSite(site, index)));
}

/** Writes each item of a checked array in a lens. */
export function writeItems(value: CborValue, node: ItemsNode, site: Site, lens: Lens, write: WriteChild): unknown[] {
  assert(Array.isArray(value), `a checked ${node.kind} is an array`);
  return value.map((item: CborValue, index) => write(item, node.item, lens, childSite(site, index)));
}

export const list: CompositeCodec<ItemsNode> = {
  canonicalTag: 'list',
  fromSugar: (json, node, site, read) => readItems(json, node, site, read),
  fromCanonical: (body, node, site, read) => readItems(body, node, site, read),
  fromCbor: (value, node, site, check) => readItems(value, node, site, check),
  toSugar: (value, node, site, write) => writeItems(value, node, site, 'sugar', write),
  toCanonical: (value, node, site, write) => writeItems(value, node, site, 'canonical', write),
};
