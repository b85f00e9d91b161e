/** The primitive kinds of the AIR type language. */
export type PrimitiveKind = 'bool' | 'int' | 'nat' | 'dec128' | 'bytes' | 'text' | 'time' | 'duration' | 'hash' | 'uuid' | 'unit';
/** Primitive kinds that may key a map. */
export type MapKeyKind = 'int' | 'nat' | 'text' | 'uuid' | 'hash';

type Empty = Record<string, never>;

/** A type expression exactly as AIR writes it in JSON (`{"nat":{}}`, `{"record":{…}}`, `{"ref":"ns/Name@1"}`). */
export type TypeAst =
  | { readonly bool: Empty } | { readonly int: Empty } | { readonly nat: Empty } | { readonly dec128: Empty }
  | { readonly bytes: Empty } | { readonly text: Empty } | { readonly time: Empty } | { readonly duration: Empty }
  | { readonly hash: Empty } | { readonly uuid: Empty } | { readonly unit: Empty }
  | { readonly record: Readonly<Record<string, TypeAst>> }
  | { readonly variant: Readonly<Record<string, TypeAst>> }
  | { readonly list: TypeAst }
  | { readonly set: TypeAst }
  | { readonly map: { readonly key: TypeAst; readonly value: TypeAst } }
  | { readonly option: TypeAst }
  | { readonly ref: string };

/** Finds the TypeAST of a named schema, or undefined when the name is unknown. */
export interface SchemaResolver {
  resolve(name: string): TypeAst | undefined;
}

export const PRIMITIVE_KINDS: readonly PrimitiveKind[] = ['bool', 'int', 'nat', 'dec128', 'bytes', 'text', 'time', 'duration', 'hash', 'uuid', 'unit'];
export const MAP_KEY_KINDS: readonly MapKeyKind[] = ['int', 'nat', 'text', 'uuid', 'hash'];
