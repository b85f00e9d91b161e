import type { Hash } from '../cbor/index.ts';
import type { AirWhere } from './errors.ts';
import type { Def, DefKind } from './defs.ts';
import type { SchemaResolver, TypeAst } from './type-ast.ts';

/** A validated def with its canonical bytes, hash and origin. */
export interface DefEntry<T extends Def = Def> {
  readonly def: T;
  readonly hash: Hash;
  readonly bytes: Uint8Array;
  readonly where: AirWhere;
  readonly builtin: boolean;
}

/** All defs a world can see, by kind and name: its own, its imports, and the built-in catalog. */
export class DefIndex implements SchemaResolver {
  private readonly entries = new Map<string, DefEntry>();

  static key(kind: DefKind, name: string): string {
    return `${kind} ${name}`;
  }

  get<K extends DefKind>(kind: K, name: string): DefEntry<Extract<Def, { $kind: K }>> | undefined {
    return this.entries.get(DefIndex.key(kind, name)) as DefEntry<Extract<Def, { $kind: K }>> | undefined;
  }

  set(entry: DefEntry): void {
    this.entries.set(DefIndex.key(entry.def.$kind, entry.def.name), entry);
  }

  all(): IterableIterator<DefEntry> {
    return this.entries.values();
  }

  ofKind<K extends DefKind>(kind: K): Array<DefEntry<Extract<Def, { $kind: K }>>> {
    return [...this.entries.values()].filter((entry) => entry.def.$kind === kind) as Array<DefEntry<Extract<Def, { $kind: K }>>>;
  }

  resolve(name: string): TypeAst | undefined {
    return this.get('defschema', name)?.def.type;
  }

  /** A copy that later additions do not affect (used to layer a world over the catalog). */
  fork(): DefIndex {
    const copy = new DefIndex();
    for (const entry of this.entries.values()) copy.set(entry);
    return copy;
  }
}
