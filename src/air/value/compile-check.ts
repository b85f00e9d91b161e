// Compiles a TypeAST into a byte check once, resolving refs and reading every node exactly as the
// value walk (from-cbor.ts) does; a node the walk would refuse compiles to DECLINE.
import { TYPE_NODES_MAX } from '../limits.ts';
import { AirError } from '../errors.ts';
import { MAP_KEY_KINDS } from '../type-ast.ts';
import type { MapKeyKind, TypeAst } from '../type-ast.ts';
import { CHECK_DEPTH_MAX, DECLINE, encodedText, listCheck, mapCheck, optionCheck, recordCheck, setCheck, variantCheck } from './composite-checks.ts';
import type { AlternativeCheck, FieldCheck } from './composite-checks.ts';
import { LEAF_CHECKS } from './leaf-checks.ts';
import type { ItemCheck } from './leaf-checks.ts';
import type { Site } from './site.ts';
import { resolveNode, typeNodeOf } from './type-node.ts';

type ResolvedNode = ReturnType<typeof resolveNode>;

/** A named schema being compiled: `forward` stands in for it until it is done, so recursive schemas compile once. */
interface RefSlot {
  check: ItemCheck;
  done: boolean;
  readonly forward: ItemCheck;
}

/** The state of one compilation: where refs resolve, and what is compiled already. */
interface Compilation {
  readonly site: Site;
  readonly refs: Map<string, RefSlot>;
  readonly nodes: Map<TypeAst, ItemCheck>;
}

/** A fresh compilation resolving refs through `site.schemas`. */
export function newCompilation(site: Site): Compilation {
  return { site, refs: new Map(), nodes: new Map() };
}

/**
 * The check of `type`; `nesting` is how deep the node sits (as value depth counts). Bounded by
 * CHECK_DEPTH_MAX nesting (which also stops a TypeAST whose objects form a cycle) and by
 * TYPE_NODES_MAX distinct nodes and names: past either, the subtree declines.
 */
export function compileType(type: TypeAst, compilation: Compilation, nesting: number): ItemCheck {
  if (nesting > CHECK_DEPTH_MAX || compilation.nodes.size + compilation.refs.size >= TYPE_NODES_MAX) return DECLINE;
  const node = orUndefined(() => typeNodeOf(type, compilation.site));
  if (node === undefined) return DECLINE;
  if (node.kind === 'ref') return compileRef(type, node.name, compilation, nesting);
  const known = compilation.nodes.get(type);
  if (known !== undefined) return known;
  const check = compileNode(node, compilation, nesting);
  compilation.nodes.set(type, check);
  return check;
}

function compileRef(type: TypeAst, name: string, compilation: Compilation, nesting: number): ItemCheck {
  const known = compilation.refs.get(name);
  if (known !== undefined) return known.done ? known.check : known.forward;
  const slot: RefSlot = { check: DECLINE, done: false, forward: (scan, depth) => slot.check(scan, depth) };
  compilation.refs.set(name, slot);
  // resolveNode follows the whole chain of refs and refuses cycles, dangling names and long chains.
  const target = orUndefined(() => resolveNode(type, compilation.site));
  if (target !== undefined) slot.check = compileNode(target, compilation, nesting);
  slot.done = true;
  return slot.check;
}

function compileNode(node: ResolvedNode, compilation: Compilation, nesting: number): ItemCheck {
  switch (node.kind) {
    case 'record': return compileRecord(node.fields, compilation, nesting);
    case 'variant': return compileVariant(node.alternatives, compilation, nesting);
    case 'list': return listCheck(compileType(node.item, compilation, nesting + 1));
    case 'set': return setCheck(compileType(node.item, compilation, nesting + 1));
    case 'option': return optionCheck(compileType(node.item, compilation, nesting + 1));
    case 'map': return compileMap(node.key, node.value, compilation, nesting);
    default: return LEAF_CHECKS[node.kind];
  }
}

/**
 * A field whose name would not survive a UTF-8 round trip could never be matched by decoded
 * input, and `__proto__` is a key decoders must special-case on plain objects: the checker
 * leaves both to the full path.
 */
function compileRecord(fields: ReadonlyArray<readonly [string, TypeAst]>, compilation: Compilation, nesting: number): ItemCheck {
  const checks: FieldCheck[] = [];
  for (const [name, type] of fields) {
    const key = encodedText(name);
    if (key === undefined || name === '__proto__') return DECLINE;
    checks.push({ key, check: compileType(type, compilation, nesting + 1) });
  }
  return recordCheck(checks);
}

/** Alternatives the walk would refuse (a tag that cannot decode to its name, a type that does not resolve) are left out, so their values decline. */
function compileVariant(alternatives: ReadonlyArray<readonly [string, TypeAst]>, compilation: Compilation, nesting: number): ItemCheck {
  const checks: AlternativeCheck[] = [];
  for (const [name, type] of alternatives) {
    const tag = encodedText(name);
    const target = orUndefined(() => resolveNode(type, compilation.site));
    if (tag === undefined || target === undefined) continue;
    checks.push({ tag, payload: target.kind === 'unit' ? undefined : compileType(type, compilation, nesting + 1) });
  }
  return variantCheck(checks);
}

/** The walk resolves a map's key type before looking at any entry, so a bad key type declines even the empty map. */
function compileMap(key: TypeAst, value: TypeAst, compilation: Compilation, nesting: number): ItemCheck {
  const keyNode = orUndefined(() => resolveNode(key, compilation.site));
  if (keyNode === undefined || !isMapKeyKind(keyNode.kind)) return DECLINE;
  return mapCheck(LEAF_CHECKS[keyNode.kind], compileType(value, compilation, nesting + 1), keyNode.kind === 'text');
}

function isMapKeyKind(kind: string): kind is MapKeyKind {
  return (MAP_KEY_KINDS as readonly string[]).includes(kind);
}

/** The node, or undefined where the value walk would raise an AirError: the checker then declines, and the full path reports it. */
function orUndefined<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch (error) {
    if (error instanceof AirError) return undefined;
    throw error;
  }
}
