// The contract of the composite kinds (record, variant, list, set, map): they recurse through the walk.
import type { CborValue } from '../../cbor/index.ts';
import type { TypeAst } from '../type-ast.ts';
import type { Site } from './site.ts';

/** The two JSON lenses: plain JSON read through the schema, and the tagged canonical JSON. */
export type Lens = 'sugar' | 'canonical';

/** Reads a child from JSON (either lens, decided at the child). */
export type ReadChild = (json: unknown, type: TypeAst, site: Site) => CborValue;
/** Checks and canonicalises a child held as CBOR data. */
export type CheckChild = (value: CborValue, type: TypeAst, site: Site) => CborValue;
/** Writes a checked child in a lens. */
export type WriteChild = (value: CborValue, type: TypeAst, lens: Lens, site: Site) => unknown;

/** Reads and writes the values of one composite kind; `N` is its checked TypeAST node. */
export interface CompositeCodec<N> {
  /** The key that wraps this kind in the canonical JSON lens: `{"record": {…}}`. */
  readonly canonicalTag: string;
  fromSugar(json: unknown, node: N, site: Site, read: ReadChild): CborValue;
  fromCanonical(body: unknown, node: N, site: Site, read: ReadChild): CborValue;
  fromCbor(value: CborValue, node: N, site: Site, check: CheckChild): CborValue;
  toSugar(value: CborValue, node: N, site: Site, write: WriteChild): unknown;
  /** The body of the canonical wrapper. */
  toCanonical(value: CborValue, node: N, site: Site, write: WriteChild): unknown;
}
