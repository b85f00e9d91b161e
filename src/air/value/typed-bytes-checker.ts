// Is this already the canonical typed form? A one-pass byte check, compiled once per schema, that
// lets canonicalisation skip decode → check → encode for the bytes that need none of it.
import { CBOR_INPUT_BYTES_MAX } from '../../cbor/index.ts';
import type { SchemaResolver, TypeAst } from '../type-ast.ts';
import { ByteScan } from './byte-scan.ts';
import { compileType, newCompilation } from './compile-check.ts';
import type { ItemCheck } from './leaf-checks.ts';
import { rootSite } from './site.ts';

/**
 * True only when `bytes` (no self-describe prefix) are exactly
 * `encodeCanonical(valueFromCbor(decodeCanonical(bytes), type, schemas), {selfDescribe: false})`.
 * False means "not vouched for": the bytes may still be valid, and the full path decides.
 */
export type TypedBytesCheck = (bytes: Uint8Array) => boolean;

/**
 * Most checkers kept per resolver for schemas named by ref. Each costs about what its schema's
 * TypeAST does; past the bound the oldest is dropped and compiled again when next needed.
 */
export const CHECKERS_PER_RESOLVER_MAX = 1_024;

/** A compiled checker, and whether a schema it was compiled from has since been rebound. */
interface Compiled {
  readonly run: TypedBytesCheck;
  stale: boolean;
}

interface ResolverCheckers {
  /** Checkers of `{ref: name}`, the form canonicalTyped asks for, in insertion order for eviction. */
  readonly byName: Map<string, Compiled>;
  /** Checkers of any other TypeAST, held only while the TypeAST lives. */
  readonly byType: WeakMap<TypeAst, Compiled>;
}

/** Held weakly: a resolver that is dropped (a superseded manifest's index) takes its checkers with it. */
const checkersByResolver = new WeakMap<SchemaResolver, ResolverCheckers>();

/**
 * The checker of `type` under `schemas`, compiled on first use and cached. It never says true
 * where the full path would refuse the bytes or produce others (see TypedBytesCheck). A resolver
 * may rebind names (a DefIndex is mutable): every run first confirms that each name the checker
 * was compiled from still resolves to the same TypeAST object, and a checker that finds one
 * rebound says false from then on and is compiled again on the next call. TypeASTs themselves
 * are taken as immutable, as everywhere in AIR.
 */
export function typedBytesChecker(type: TypeAst, schemas: SchemaResolver): TypedBytesCheck {
  let checkers = checkersByResolver.get(schemas);
  if (checkers === undefined) {
    checkers = { byName: new Map(), byType: new WeakMap() };
    checkersByResolver.set(schemas, checkers);
  }
  const name = plainRefName(type);
  if (name === undefined) {
    let compiled = checkers.byType.get(type);
    if (compiled === undefined || compiled.stale) {
      compiled = compile(type, schemas);
      checkers.byType.set(type, compiled);
    }
    return compiled.run;
  }
  let compiled = checkers.byName.get(name);
  if (compiled === undefined || compiled.stale) {
    compiled = compile(type, schemas);
    checkers.byName.delete(name);
    if (checkers.byName.size >= CHECKERS_PER_RESOLVER_MAX) {
      const oldest = checkers.byName.keys().next();
      if (oldest.done !== true) checkers.byName.delete(oldest.value);
    }
    checkers.byName.set(name, compiled);
  }
  return compiled.run;
}

/** The name of a plain `{"ref": name}` node (any such object compiles alike), else undefined. */
function plainRefName(type: TypeAst): string | undefined {
  if (!('ref' in type) || typeof type.ref !== 'string') return undefined;
  if (Object.getPrototypeOf(type) !== Object.prototype || Object.keys(type).length !== 1) return undefined;
  return type.ref;
}

/** A name a checker was compiled from, and the TypeAST it resolved to then (undefined: it did not resolve). */
interface Pin {
  readonly name: string;
  readonly type: TypeAst | undefined;
}

function compile(type: TypeAst, schemas: SchemaResolver): Compiled {
  // Record every name the compilation resolves, and what it resolved to first, to pin them below.
  const resolved = new Map<string, TypeAst | undefined>();
  const recording: SchemaResolver = {
    resolve(name) {
      const found = schemas.resolve(name);
      if (!resolved.has(name)) resolved.set(name, found);
      return found;
    },
  };
  const root = compileType(type, newCompilation(rootSite(recording, {})), 0);
  const pins: Pin[] = [...resolved].map(([name, pinned]) => ({ name, type: pinned }));
  // A resolver that answers with a fresh object each time would make every run stale and every
  // call recompile: such a resolver gets a checker that always declines instead.
  if (!pins.every((pin) => schemas.resolve(pin.name) === pin.type)) return { run: () => false, stale: false };
  const compiled: Compiled = { run: (bytes) => runPinned(compiled, root, bytes, schemas, pins), stale: false };
  return compiled;
}

function runPinned(compiled: Compiled, root: ItemCheck, bytes: Uint8Array, schemas: SchemaResolver, pins: readonly Pin[]): boolean {
  // decodeCanonical refuses larger input and empty input, whatever they hold.
  if (compiled.stale || bytes.length === 0 || bytes.length > CBOR_INPUT_BYTES_MAX) return false;
  for (const pin of pins) {
    if (schemas.resolve(pin.name) !== pin.type) {
      compiled.stale = true;
      return false;
    }
  }
  const scan = new ByteScan(bytes);
  return root(scan, 0) && scan.position === bytes.length;
}
