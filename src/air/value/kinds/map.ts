// map: text keys make a plain object; int, nat, uuid and hash keys a Map. Keys are canonical and unique.
import { assert, isCborObject } from '../../../cbor/index.ts';
import type { CborValue } from '../../../cbor/index.ts';
import { MAP_KEY_KINDS } from '../../type-ast.ts';
import type { TypeAst } from '../../type-ast.ts';
import type { CheckChild, CompositeCodec, ReadChild, WriteChild } from '../composite-codec.ts';
import { sameBytes, sortByCanonicalBytes } from '../canonical-order.ts';
import { describeJson, isJsonObject, setOwn } from '../json-shape.ts';
import { mismatch } from '../leaf-codec.ts';
import { childSite, fail } from '../site.ts';
import type { Site } from '../site.ts';
import { resolveNode } from '../type-node.ts';
import { checkWellFormed } from './text.ts';

type MapNode = { readonly kind: 'map'; readonly key: TypeAst; readonly value: TypeAst };
type Entry = readonly [CborValue, CborValue];

/** True when keys are text (an object); false for int, nat, uuid and hash keys (a Map). Refuses other key types. */
function hasTextKeys(node: MapNode, site: Site): boolean {
  const kind = resolveNode(node.key, site).kind;
  if (!(MAP_KEY_KINDS as readonly string[]).includes(kind)) fail(site, 'BAD_MAP_KEY', `the map's key type is ${kind}; map keys must be one of ${MAP_KEY_KINDS.join(', ')}`);
  return kind === 'text';
}

/** Sorts entries into canonical key order and builds the in-memory map; a repeated key is refused. */
function build(entries: readonly Entry[], textKeys: boolean, site: Site): CborValue {
  const ordered = sortByCanonicalBytes(entries, ([key]) => key);
  ordered.forEach((entry, index) => {
    const previous = ordered[index - 1];
    if (previous !== undefined && sameBytes(previous.bytes, entry.bytes)) {
      fail(site, 'DUPLICATE_MAP_KEY', `the key ${describeJson(entry.item[0])} appears more than once (after canonicalisation); map keys are unique`);
    }
  });
  if (!textKeys) return new Map(ordered.map(({ item }) => item));
  const out: Record<string, CborValue> = {};
  for (const { item: [key, value] } of ordered) {
    assert(typeof key === 'string', 'a checked text key is a string');
    setOwn(out, key, value);
  }
  return out;
}

function readSugar(json: unknown, node: MapNode, site: Site, read: ReadChild): CborValue {
  const textKeys = hasTextKeys(node, site);
  if (Array.isArray(json)) {
    const pairs: readonly unknown[] = json;
    return build(pairs.map((pair, index) => {
      const at = childSite(site, index);
      if (!Array.isArray(pair) || pair.length !== 2) mismatch(at, pair, 'a map entry: a [key, value] pair');
      const [key, value]: readonly unknown[] = pair;
      return [read(key, node.key, childSite(at, 0)), read(value, node.value, childSite(at, 1))] as const;
    }), textKeys, site);
  }
  if (!isJsonObject(json)) mismatch(site, json, textKeys ? 'a map: an object, or [[key, value], …] pairs' : 'a map: [[key, value], …] pairs');
  if (!textKeys) mismatch(site, json, `a map keyed by ${resolveNode(node.key, site).kind}: [[key, value], …] pairs (only text-keyed maps are written as objects)`);
  return build(Object.entries(json).map(([key, value]) => {
    const at = childSite(site, key);
    return [checkWellFormed(key, at), read(value, node.value, at)] as const;
  }), textKeys, site);
}

function readCanonical(body: unknown, node: MapNode, site: Site, read: ReadChild): CborValue {
  const textKeys = hasTextKeys(node, site);
  if (!Array.isArray(body)) mismatch(site, body, '{"map": [{"key": …, "value": …}, …]}');
  const entries: readonly unknown[] = body;
  return build(entries.map((entry, index) => {
    const at = childSite(site, index);
    if (!isJsonObject(entry) || Object.keys(entry).length !== 2 || !Object.hasOwn(entry, 'key') || !Object.hasOwn(entry, 'value')) {
      mismatch(at, entry, 'a map entry: {"key": …, "value": …}');
    }
    return [read(entry['key'], node.key, childSite(at, 'key')), read(entry['value'], node.value, childSite(at, 'value'))] as const;
  }), textKeys, site);
}

function checkCbor(value: CborValue, node: MapNode, site: Site, check: CheckChild): CborValue {
  const textKeys = hasTextKeys(node, site);
  // Decoding gives an object when every key is text (also for uuid and hash keys), a Map otherwise.
  if (value instanceof Map) {
    return build([...value].map(([key, item], index) => {
      const at = childSite(site, index);
      return [check(key, node.key, at), check(item, node.value, at)] as const;
    }), textKeys, site);
  }
  if (!isCborObject(value)) mismatch(site, value, 'a map: a CBOR map');
  return build(Object.entries(value).map(([key, item]) => {
    const at = childSite(site, key);
    return [check(key, node.key, at), check(item, node.value, at)] as const;
  }), textKeys, site);
}

/** The entries of a checked map, in canonical order. */
function entriesOf(value: CborValue): Entry[] {
  if (value instanceof Map) return [...value];
  assert(isCborObject(value), 'a checked map is an object or a Map');
  return Object.entries(value);
}

function writeSugar(value: CborValue, node: MapNode, site: Site, write: WriteChild): unknown {
  const entries = entriesOf(value);
  const asPairs = !hasTextKeys(node, site) || (entries.length === 1 && entries[0]?.[0] === 'map');
  // A text-keyed map whose only key is "map" would read as the canonical lens: write it as pairs.
  if (asPairs) {
    return entries.map(([key, item], index) => [write(key, node.key, 'sugar', childSite(site, index)), write(item, node.value, 'sugar', childSite(site, index))]);
  }
  const out: Record<string, unknown> = {};
  for (const [key, item] of entries) {
    assert(typeof key === 'string', 'a checked text key is a string');
    setOwn(out, key, write(item, node.value, 'sugar', childSite(site, key)));
  }
  return out;
}

function writeCanonical(value: CborValue, node: MapNode, site: Site, write: WriteChild): unknown {
  return entriesOf(value).map(([key, item], index) => ({
    key: write(key, node.key, 'canonical', childSite(site, index)),
    value: write(item, node.value, 'canonical', childSite(site, index)),
  }));
}

export const map: CompositeCodec<MapNode> = {
  canonicalTag: 'map',
  fromSugar: readSugar,
  fromCanonical: readCanonical,
  fromCbor: checkCbor,
  toSugar: writeSugar,
  toCanonical: writeCanonical,
};
