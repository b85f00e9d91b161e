// A checked view of one TypeAST node, and ref resolution with cycle detection.
import type { PrimitiveKind, TypeAst } from '../type-ast.ts';
import { PRIMITIVE_KINDS } from '../type-ast.ts';
import { TYPE_DEPTH_MAX } from '../limits.ts';
import { describeJson, isEmptyObject, isJsonObject, quote } from './json-shape.ts';
import type { JsonObject } from './json-shape.ts';
import { fail } from './site.ts';
import type { Site } from './site.ts';

/** One TypeAST node, its shape checked, children still TypeASTs. */
type TypeNode =
  | { readonly kind: PrimitiveKind }
  | { readonly kind: 'record'; readonly fields: ReadonlyArray<readonly [string, TypeAst]> }
  | { readonly kind: 'variant'; readonly alternatives: ReadonlyArray<readonly [string, TypeAst]> }
  | { readonly kind: 'list' | 'set' | 'option'; readonly item: TypeAst }
  | { readonly kind: 'map'; readonly key: TypeAst; readonly value: TypeAst }
  | { readonly kind: 'ref'; readonly name: string };

/** A node that is not a ref. */
type ResolvedNode = Exclude<TypeNode, { readonly kind: 'ref' }>;

const COMPOSITE_KINDS = ['record', 'variant', 'list', 'set', 'map', 'option', 'ref'] as const;
const ALL_KINDS: readonly string[] = [...PRIMITIVE_KINDS, ...COMPOSITE_KINDS];
/** Keys a TypeAST node may carry besides its kind: upstream AIR annotates types with `$comment`. */
const ANNOTATION_KEY = '$comment';

// Nodes read so far, by TypeAST. TypeASTs are immutable (as everywhere in AIR), so a node read
// once holds; values are checked against the same few schemas over and over, and reading a node
// afresh (its keys, its entries) was a third of a small value's check. Only nodes that were read
// without fault are kept: a bad one is refused again, at the site that reaches it.
const nodes = new WeakMap<JsonObject, TypeNode>();

/** Reads one TypeAST node, refusing anything that is not a well-formed type expression. */
export function typeNodeOf(type: TypeAst, site: Site): TypeNode {
  const json: unknown = type;
  const known = typeof json === 'object' && json !== null ? nodes.get(json as JsonObject) : undefined;
  if (known !== undefined) return known;
  if (!isJsonObject(json)) fail(site, 'SCHEMA_VIOLATION', `found ${describeJson(json)} where a type was expected`);
  const node = readNode(json, site);
  nodes.set(json, node);
  return node;
}

function readNode(json: JsonObject, site: Site): TypeNode {
  const kinds = Object.keys(json).filter((key) => key !== ANNOTATION_KEY);
  const kind = kinds[0];
  if (kinds.length !== 1 || kind === undefined || !ALL_KINDS.includes(kind)) {
    fail(site, 'UNKNOWN_KIND', `found a type with key${kinds.length === 1 ? '' : 's'} ${kinds.map(quote).join(', ') || '(none)'}; ` +
      `expected exactly one of ${ALL_KINDS.join(', ')}`);
  }
  return nodeOfKind(kind, json[kind], site);
}

function nodeOfKind(kind: string, body: unknown, site: Site): TypeNode {
  switch (kind) {
    case 'record': return { kind, fields: typeEntries(body, kind, site) };
    case 'variant': return { kind, alternatives: typeEntries(body, kind, site) };
    case 'list': case 'set': case 'option': return { kind, item: typeBody(body, kind, site) };
    case 'map': return mapNode(body, site);
    case 'ref':
      if (typeof body !== 'string') fail(site, 'SCHEMA_VIOLATION', `a ref names a schema as text; found ${describeJson(body)}`);
      return { kind, name: body };
    default:
      if (!isPrimitiveKind(kind)) fail(site, 'UNKNOWN_KIND', `unknown type kind ${quote(kind)}`);
      if (!isEmptyObject(body)) fail(site, 'SCHEMA_VIOLATION', `the primitive type ${kind} is written {"${kind}": {}}; found ${describeJson(body)} inside`);
      return { kind };
  }
}

function isPrimitiveKind(kind: string): kind is PrimitiveKind {
  return (PRIMITIVE_KINDS as readonly string[]).includes(kind);
}

function typeEntries(body: unknown, kind: string, site: Site): Array<readonly [string, TypeAst]> {
  if (!isJsonObject(body)) fail(site, 'SCHEMA_VIOLATION', `a ${kind} type maps names to types; found ${describeJson(body)}`);
  return Object.entries(body).map(([name, child]) => [name, typeBody(child, kind, site)] as const);
}

function typeBody(body: unknown, kind: string, site: Site): TypeAst {
  if (!isJsonObject(body)) fail(site, 'SCHEMA_VIOLATION', `a ${kind} type holds type expressions; found ${describeJson(body)}`);
  return asTypeAst(body);
}

function mapNode(body: unknown, site: Site): TypeNode {
  if (!isJsonObject(body) || Object.keys(body).length !== 2 || !Object.hasOwn(body, 'key') || !Object.hasOwn(body, 'value')) {
    fail(site, 'SCHEMA_VIOLATION', `a map type is {"map": {"key": <type>, "value": <type>}}; found ${describeJson(body)}`);
  }
  return { kind: 'map', key: typeBody(body['key'], 'map', site), value: typeBody(body['value'], 'map', site) };
}

/** The shape is checked node by node as the walk reaches it (typeNodeOf), so a plain object is taken as a TypeAST here. */
function asTypeAst(body: JsonObject): TypeAst {
  return body as unknown as TypeAst;
}

/**
 * Follows refs until a node that is not a ref. A chain that comes back to a name it passed
 * is a RECURSIVE_SCHEMA naming the cycle; an unknown name is a DANGLING_REF.
 */
export function resolveNode(type: TypeAst, site: Site): ResolvedNode {
  const chain: string[] = [];
  let node = typeNodeOf(type, site);
  while (node.kind === 'ref') {
    const name = node.name;
    if (chain.includes(name)) fail(site, 'RECURSIVE_SCHEMA', `schema refs form a cycle: ${[...chain.slice(chain.indexOf(name)), name].join(' → ')}`);
    if (chain.length >= TYPE_DEPTH_MAX) fail(site, 'TYPE_TOO_DEEP', `more than ${TYPE_DEPTH_MAX} refs in a row starting at ${chain[0] ?? name}`);
    chain.push(name);
    const target = site.schemas.resolve(name);
    if (target === undefined) fail(site, 'DANGLING_REF', `the type refers to schema ${quote(name)}, which is not defined`);
    node = typeNodeOf(target, site);
  }
  return node;
}
