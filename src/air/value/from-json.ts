// JSON in either lens → canonical typed value. The lens is decided at each position (ambiguity rule below).
import type { CborValue } from '../../cbor/index.ts';
import type { AirWhere } from '../errors.ts';
import type { SchemaResolver, TypeAst } from '../type-ast.ts';
import type { CompositeCodec } from './composite-codec.ts';
import { canonicalBody, isNoneJson } from './json-shape.ts';
import { LEAF_CODECS } from './leaf-codecs.ts';
import { list } from './kinds/list.ts';
import { map } from './kinds/map.ts';
import { record } from './kinds/record.ts';
import { set } from './kinds/set.ts';
import { variant } from './kinds/variant.ts';
import { deeperSite, rootSite } from './site.ts';
import type { Site } from './site.ts';
import { resolveNode } from './type-node.ts';

/**
 * Reads a typed value from JSON in the sugar lens, the canonical (tagged) lens, or a mix.
 *
 * Ambiguity rule: at each position, an object with exactly one key that is the canonical tag
 * of the expected kind (`{"nat": …}` where a nat is expected, `{"record": …}` where a record is)
 * is read as the canonical lens; anything else as sugar. Where an option is expected, `null`
 * and `{"null": {}}` are none. So a record whose only field is named `record`, a text-keyed map
 * whose only key is `map`, a variant alternative named `variant` or `$tag`, and a some-value
 * whose sugar is `{"null": {}}` must be written another way (canonical lens, [[key, value]]
 * pairs, the `$tag` form); valueToSugarJson does so. Upstream fixtures only ever put canonical
 * wrappers there, so they read as intended.
 */
export function valueFromJson(json: unknown, type: TypeAst, schemas: SchemaResolver, where: AirWhere): CborValue {
  return readJson(json, type, rootSite(schemas, where));
}

function readJson(json: unknown, type: TypeAst, site: Site): CborValue {
  const node = resolveNode(type, site);
  switch (node.kind) {
    case 'option': return isNoneJson(json) ? null : readJson(json, node.item, deeperSite(site));
    case 'record': return readComposite(record, node, json, site);
    case 'variant': return readComposite(variant, node, json, site);
    case 'list': return readComposite(list, node, json, site);
    case 'set': return readComposite(set, node, json, site);
    case 'map': return readComposite(map, node, json, site);
    default: {
      const codec = LEAF_CODECS[node.kind];
      const wrapped = canonicalBody(json, codec.canonicalTag);
      return wrapped.found ? codec.fromCanonical(wrapped.body, site) : codec.fromSugar(json, site);
    }
  }
}

function readComposite<N>(codec: CompositeCodec<N>, node: N, json: unknown, site: Site): CborValue {
  const wrapped = canonicalBody(json, codec.canonicalTag);
  return wrapped.found ? codec.fromCanonical(wrapped.body, node, site, readJson) : codec.fromSugar(json, node, site, readJson);
}
