// Decoded CBOR data (a module's output, a journal entry) → canonical typed value, or an AirError.
import type { CborValue } from '../../cbor/index.ts';
import type { AirWhere } from '../errors.ts';
import type { SchemaResolver, TypeAst } from '../type-ast.ts';
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
 * Checks CBOR data against a schema and returns its canonical form: integers as numbers when
 * safe, dec128 with trailing zeros stripped, uuids lowercase, sets sorted and deduplicated,
 * maps with canonical unique keys (a Map unless keys are text), variants as {$tag, $value},
 * missing option fields as null. Anything that does not conform is an AirError.
 */
export function valueFromCbor(value: CborValue, type: TypeAst, schemas: SchemaResolver, where: AirWhere): CborValue {
  return checkCbor(value, type, rootSite(schemas, where));
}

function checkCbor(value: CborValue, type: TypeAst, site: Site): CborValue {
  const node = resolveNode(type, site);
  switch (node.kind) {
    case 'option': return value === null ? null : checkCbor(value, node.item, deeperSite(site));
    case 'record': return record.fromCbor(value, node, site, checkCbor);
    case 'variant': return variant.fromCbor(value, node, site, checkCbor);
    case 'list': return list.fromCbor(value, node, site, checkCbor);
    case 'set': return set.fromCbor(value, node, site, checkCbor);
    case 'map': return map.fromCbor(value, node, site, checkCbor);
    default: return LEAF_CODECS[node.kind].fromCbor(value, site);
  }
}
