// The AIR typed-value layer: typed values in both JSON lenses and as canonical CBOR data.
export { valueFromJson } from './from-json.ts';
export { valueFromCbor } from './from-cbor.ts';
export { valueToCanonicalJson, valueToSugarJson } from './to-json.ts';
export { expandType, schemaHash } from './expand-type.ts';
export { hashTypedValue } from './typed-hash.ts';
export { decodeDec128, encodeDec128 } from './dec128.ts';
export { toTaggedLens } from './untyped-lens.ts';
export { CHECKERS_PER_RESOLVER_MAX, typedBytesChecker } from './typed-bytes-checker.ts';
export type { TypedBytesCheck } from './typed-bytes-checker.ts';
