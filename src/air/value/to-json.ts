// Canonical typed value → JSON in the canonical (tagged) or the sugar lens.
import type { CborValue } from '../../cbor/index.ts';
import type { SchemaResolver, TypeAst } from '../type-ast.ts';
import type { CompositeCodec, Lens } from './composite-codec.ts';
import { valueFromCbor } from './from-cbor.ts';
import { canonicalBody, isNoneJson, setOwn } from './json-shape.ts';
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
 * The value in the canonical JSON lens (`{"nat": 42}`, `{"record": {…}}`, none as `{"null": {}}`).
 * Integers stay numbers when safe and bigints otherwise. The value is checked first, so any
 * CborValue either renders or fails with an AirError.
 */
export function valueToCanonicalJson(value: CborValue, type: TypeAst, schemas: SchemaResolver): unknown {
  return writeJson(valueFromCbor(value, type, schemas, {}), type, 'canonical', rootSite(schemas, {}));
}

/**
 * The value in the sugar lens: plain JSON (bytes as base64, time as RFC 3339 in UTC, dec128 as
 * text, unsafe integers as bigints, variants as {"Tag": value} or "Tag"). Where sugar would be
 * misread by valueFromJson (see its ambiguity rule), that position is written in the canonical
 * lens instead, so the result always reads back to the same value.
 */
export function valueToSugarJson(value: CborValue, type: TypeAst, schemas: SchemaResolver): unknown {
  return writeJson(valueFromCbor(value, type, schemas, {}), type, 'sugar', rootSite(schemas, {}));
}

function writeJson(value: CborValue, type: TypeAst, lens: Lens, site: Site): unknown {
  const node = resolveNode(type, site);
  switch (node.kind) {
    case 'option': {
      if (value === null) return lens === 'canonical' ? { null: {} } : null;
      const inner = writeJson(value, node.item, lens, deeperSite(site));
      // A some-value whose sugar reads as none (e.g. a record {"null": {}}) is written canonically.
      return lens === 'sugar' && isNoneJson(inner) ? writeJson(value, node.item, 'canonical', deeperSite(site)) : inner;
    }
    case 'record': return writeComposite(record, node, value, lens, site);
    case 'variant': return writeComposite(variant, node, value, lens, site);
    case 'list': return writeComposite(list, node, value, lens, site);
    case 'set': return writeComposite(set, node, value, lens, site);
    case 'map': return writeComposite(map, node, value, lens, site);
    default: {
      const codec = LEAF_CODECS[node.kind];
      return lens === 'sugar' ? codec.toSugar(value) : wrap(codec.canonicalTag, codec.toCanonical(value));
    }
  }
}

function writeComposite<N>(codec: CompositeCodec<N>, node: N, value: CborValue, lens: Lens, site: Site): unknown {
  if (lens === 'sugar') {
    const sugar = codec.toSugar(value, node, site, writeJson);
    // Sugar that looks like this kind's canonical wrapper would be misread: write the canonical lens.
    if (!canonicalBody(sugar, codec.canonicalTag).found) return sugar;
  }
  return wrap(codec.canonicalTag, codec.toCanonical(value, node, site, writeJson));
}

function wrap(tag: string, body: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  setOwn(out, tag, body);
  return out;
}
