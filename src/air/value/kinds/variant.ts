// variant: one tagged alternative, held as {$tag, $value} ($value left out for a unit alternative).
import { assert, isCborObject } from '../../../cbor/index.ts';
import type { CborValue } from '../../../cbor/index.ts';
import type { TypeAst } from '../../type-ast.ts';
import type { CompositeCodec, Lens, WriteChild } from '../composite-codec.ts';
import { isJsonObject, quote, textKeyedObject } from '../json-shape.ts';
import type { JsonObject } from '../json-shape.ts';
import { mismatch } from '../leaf-codec.ts';
import { childSite, fail } from '../site.ts';
import type { Site } from '../site.ts';
import { resolveNode } from '../type-node.ts';

type VariantNode = { readonly kind: 'variant'; readonly alternatives: ReadonlyArray<readonly [string, TypeAst]> };
type Child<V> = (value: V, type: TypeAst, site: Site) => CborValue;

/** Tags that sugar cannot write as `{"Tag": value}`: `variant` reads as the canonical lens, `$tag` as the $tag form. */
const TAGS_WRITTEN_WITH_DOLLAR_TAG: readonly string[] = ['variant', '$tag'];

function tagList(node: VariantNode): string {
  return node.alternatives.map(([tag]) => quote(tag)).join(', ') || '(none)';
}

function expected(node: VariantNode): string {
  return `a variant: {"Tag": value}, "Tag" for a unit alternative, or {"$tag": "Tag", "$value": value}, with Tag one of ${tagList(node)}`;
}

/** The type of an alternative; UNKNOWN_VARIANT names the allowed tags. */
function alternative(node: VariantNode, tag: string, site: Site): { type: TypeAst; isUnit: boolean } {
  const found = node.alternatives.find(([name]) => name === tag);
  if (found === undefined) fail(site, 'UNKNOWN_VARIANT', `found the tag ${quote(tag)}; expected one of ${tagList(node)}`);
  return { type: found[1], isUnit: resolveNode(found[1], site).kind === 'unit' };
}

/** Builds the in-memory variant; `payload` is undefined when the input gave no value. */
function build<V>(node: VariantNode, keys: readonly [string, string], tag: unknown, payload: { value: V } | undefined, site: Site, child: Child<V>): CborValue {
  const [tagKey, valueKey] = keys;
  if (typeof tag !== 'string') mismatch(childSite(site, tagKey), tag, `a tag: one of ${tagList(node)}`);
  const { type, isUnit } = alternative(node, tag, site);
  if (payload === undefined) {
    if (!isUnit) fail(childSite(site, valueKey), 'MISSING_FIELD', `the alternative ${quote(tag)} carries a value, and none was given`);
    return { $tag: tag };
  }
  const value = child(payload.value, type, childSite(site, valueKey));
  return isUnit ? { $tag: tag } : { $tag: tag, $value: value };
}

/** Reads an object whose only keys may be `tagKey` and `valueKey`. */
function readEnvelope<V>(object: { readonly [key: string]: V }, keys: readonly [string, string], node: VariantNode, site: Site, child: Child<V>): CborValue {
  const [tagKey, valueKey] = keys;
  const extra = Object.keys(object).find((key) => key !== tagKey && key !== valueKey);
  if (extra !== undefined) fail(childSite(site, extra), 'UNKNOWN_FIELD', `found the key ${quote(extra)}; a variant envelope has only "${tagKey}" and "${valueKey}"`);
  const given = Object.hasOwn(object, valueKey) ? object[valueKey] : undefined;
  const payload = given === undefined ? undefined : { value: given };
  return build(node, keys, Object.hasOwn(object, tagKey) ? object[tagKey] : undefined, payload, site, child);
}

function readSugar(json: unknown, node: VariantNode, site: Site, read: Child<unknown>): CborValue {
  if (typeof json === 'string') {
    const { isUnit } = alternative(node, json, site);
    if (!isUnit) mismatch(site, json, `{${JSON.stringify(json)}: value}, since the alternative ${quote(json)} carries a value`);
    return { $tag: json };
  }
  if (!isJsonObject(json)) mismatch(site, json, expected(node));
  if (Object.hasOwn(json, '$tag')) return readEnvelope(json, ['$tag', '$value'], node, site, read);
  const keys = Object.keys(json);
  const tag = keys[0];
  if (keys.length !== 1 || tag === undefined) mismatch(site, json, expected(node));
  const { type, isUnit } = alternative(node, tag, site);
  const value = read(json[tag], type, childSite(site, tag));
  return isUnit ? { $tag: tag } : { $tag: tag, $value: value };
}

function writeVariant(value: CborValue, node: VariantNode, site: Site, lens: Lens, write: WriteChild): unknown {
  assert(isCborObject(value) && typeof value['$tag'] === 'string', 'a checked variant has a $tag');
  const tag = value['$tag'];
  const { type, isUnit } = alternative(node, tag, site);
  if (isUnit) return lens === 'canonical' ? { tag } : tag;
  const payload = value['$value'];
  assert(payload !== undefined, 'a checked variant with a value alternative has a $value');
  const written = write(payload, type, lens, childSite(site, '$value'));
  if (lens === 'canonical') return { tag, value: written };
  return TAGS_WRITTEN_WITH_DOLLAR_TAG.includes(tag) ? { $tag: tag, $value: written } : wrapTag(tag, written);
}

function wrapTag(tag: string, written: unknown): JsonObject {
  return Object.defineProperty({}, tag, { value: written, enumerable: true, writable: true, configurable: true });
}

export const variant: CompositeCodec<VariantNode> = {
  canonicalTag: 'variant',
  fromSugar: readSugar,
  fromCanonical(body, node, site, read) {
    if (!isJsonObject(body)) mismatch(site, body, `{"variant": {"tag": "Tag", "value": …}} with Tag one of ${tagList(node)}`);
    return readEnvelope(body, ['tag', 'value'], node, site, read);
  },
  fromCbor(value, node, site, check) {
    const object = textKeyedObject(value);
    if (object === undefined) mismatch(site, value, 'a variant: {"$tag": "Tag", "$value": value}');
    // A unit alternative may arrive with `$value: null`; its canonical form leaves $value out.
    return readEnvelope(object, ['$tag', '$value'], node, site, check);
  },
  toSugar: (value, node, site, write) => writeVariant(value, node, site, 'sugar', write),
  toCanonical: (value, node, site, write) => writeVariant(value, node, site, 'canonical', write),
};
