// Schema expansion: refs replaced by their definitions, as schema identity requires.
import { hashValue } from '../../cbor/index.ts';
import type { Hash } from '../../cbor/index.ts';
import { childPath } from '../errors.ts';
import type { AirWhere } from '../errors.ts';
import { MAP_KEY_KINDS } from '../type-ast.ts';
import type { PrimitiveKind, SchemaResolver, TypeAst } from '../type-ast.ts';
import { TYPE_DEPTH_MAX, TYPE_NODES_MAX } from '../limits.ts';
import { setOwn } from './json-shape.ts';
import { fail, rootSite } from './site.ts';
import type { Site } from './site.ts';
import { typeNodeOf } from './type-node.ts';

/** An expanded type with its size (nodes) and how many levels it took to reach its leaves (refs count). */
interface Expansion {
  readonly type: TypeAst;
  readonly nodes: number;
  readonly height: number;
}

/**
 * The type with every ref replaced by its definition and `$comment` annotations dropped, so two
 * spellings of the same type expand alike. Refuses cycles (RECURSIVE_SCHEMA, naming the cycle),
 * types deeper than TYPE_DEPTH_MAX levels counting ref hops (TYPE_TOO_DEEP), expansions of more
 * than TYPE_NODES_MAX nodes (TYPE_TOO_LARGE), unknown names (DANGLING_REF) and map keys other
 * than int, nat, text, uuid or hash (BAD_MAP_KEY).
 */
export function expandType(type: TypeAst, schemas: SchemaResolver, where: AirWhere): TypeAst {
  return new Expander().expand(type, rootSite(schemas, where), 1, []).type;
}

/** A schema's identity: the hash of the canonical CBOR of its expanded TypeAST. */
export function schemaHash(type: TypeAst, schemas: SchemaResolver, where: AirWhere): Hash {
  return hashValue(expandType(type, schemas, where));
}

class Expander {
  /** Each named schema is expanded once per call; later uses share the result. */
  private readonly done = new Map<string, Expansion>();

  expand(type: TypeAst, site: Site, depth: number, refs: readonly string[]): Expansion {
    if (depth > TYPE_DEPTH_MAX) fail(site, 'TYPE_TOO_DEEP', `the type nests deeper than ${TYPE_DEPTH_MAX} levels (ref hops count as levels)`);
    const node = typeNodeOf(type, site);
    const at = (key: string) => ({ ...site, path: `${site.path}.${key}` });
    switch (node.kind) {
      case 'ref': return this.expandRef(node.name, site, depth, refs);
      case 'record': case 'variant': {
        const entries = node.kind === 'record' ? node.fields : node.alternatives;
        const body: Record<string, TypeAst> = {};
        const children: Expansion[] = [];
        for (const [name, child] of entries) {
          const expanded = this.expand(child, { ...site, path: childPath(at(node.kind).path, name) }, depth + 1, refs);
          setOwn(body, name, expanded.type);
          children.push(expanded);
        }
        return sized(node.kind === 'record' ? { record: body } : { variant: body }, children, site);
      }
      case 'list': case 'set': case 'option': {
        const item = this.expand(node.item, at(node.kind), depth + 1, refs);
        const wrapped: TypeAst = node.kind === 'list' ? { list: item.type } : node.kind === 'set' ? { set: item.type } : { option: item.type };
        return sized(wrapped, [item], site);
      }
      case 'map': {
        const key = this.expand(node.key, at('map.key'), depth + 1, refs);
        checkMapKey(key.type, at('map.key'));
        const value = this.expand(node.value, at('map.value'), depth + 1, refs);
        return sized({ map: { key: key.type, value: value.type } }, [key, value], site);
      }
      default: return { type: primitiveType(node.kind), nodes: 1, height: 1 };
    }
  }

  private expandRef(name: string, site: Site, depth: number, refs: readonly string[]): Expansion {
    if (refs.includes(name)) {
      fail(site, 'RECURSIVE_SCHEMA', `schema ${name} contains itself: ${[...refs.slice(refs.indexOf(name)), name].join(' → ')}; AIR types are not recursive`);
    }
    let target = this.done.get(name);
    if (target === undefined) {
      const definition = site.schemas.resolve(name);
      if (definition === undefined) fail(site, 'DANGLING_REF', `the type refers to schema "${name}", which is not defined`);
      target = this.expand(definition, { ...site, path: `${site.path}→${name}` }, depth + 1, [...refs, name]);
      this.done.set(name, target);
    }
    if (depth + target.height > TYPE_DEPTH_MAX) {
      fail(site, 'TYPE_TOO_DEEP', `the type nests deeper than ${TYPE_DEPTH_MAX} levels through schema ${name} (ref hops count as levels)`);
    }
    return { type: target.type, nodes: target.nodes, height: target.height + 1 };
  }
}

function sized(type: TypeAst, children: readonly Expansion[], site: Site): Expansion {
  let nodes = 1;
  let height = 0;
  for (const child of children) {
    nodes += child.nodes;
    height = Math.max(height, child.height);
  }
  if (nodes > TYPE_NODES_MAX) fail(site, 'TYPE_TOO_LARGE', `the expanded type has more than ${TYPE_NODES_MAX} nodes (refs are copied where they are used)`);
  return { type, nodes, height: height + 1 };
}


function checkMapKey(key: TypeAst, site: Site): void {
  const kind = Object.keys(key)[0];
  if (!(MAP_KEY_KINDS as readonly string[]).includes(kind ?? '')) {
    fail(site, 'BAD_MAP_KEY', `a map key has type ${kind ?? '(none)'}; map keys must be one of ${MAP_KEY_KINDS.join(', ')}`);
  }
}

const PRIMITIVE_TYPES = {
  bool: { bool: {} }, int: { int: {} }, nat: { nat: {} }, dec128: { dec128: {} }, bytes: { bytes: {} }, text: { text: {} },
  time: { time: {} }, duration: { duration: {} }, hash: { hash: {} }, uuid: { uuid: {} }, unit: { unit: {} },
} satisfies Record<PrimitiveKind, TypeAst>;

function primitiveType(kind: PrimitiveKind): TypeAst {
  return PRIMITIVE_TYPES[kind];
}
