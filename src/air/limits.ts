import { assert } from '../cbor/index.ts';

/**
 * Deepest TypeAST we accept, counting every node on the way down, ref hops included. Bounds
 * the recursion of type expansion and the size of the messages that name a cycle.
 */
export const TYPE_DEPTH_MAX = 64;
/**
 * Most nodes a fully expanded TypeAST may have. Refs are shared in authoring but copied by
 * expansion, so a few schemas that each use the next twice expand to 2^n nodes; this bounds
 * the memory and hashing time of a schema hash.
 */
export const TYPE_NODES_MAX = 100_000;
/**
 * Deepest a typed value may nest while it is read or written (one level per record, variant,
 * list, set, map or option on the way down). A schema that passed expansion nests at most
 * TYPE_DEPTH_MAX levels, so this only trips on recursive schemas that were never expanded.
 */
export const VALUE_DEPTH_MAX = 128;
/** Longest decimal text a dec128 is read from: a canonical one needs at most 42 characters. */
export const DECIMAL_TEXT_CHARS_MAX = 256;

assert(VALUE_DEPTH_MAX >= TYPE_DEPTH_MAX, 'every value of an accepted schema can be read');
assert(TYPE_NODES_MAX >= TYPE_DEPTH_MAX, 'a type as deep as allowed is not too large');
/** Largest AIR file we read: bounds memory for hostile input. */
export const AIR_FILE_BYTES_MAX = 8 * 1024 * 1024;
/** Most nodes one file may hold. */
export const AIR_NODES_PER_FILE_MAX = 10_000;
/** Most `.air.json` files one world folder may hold. */
export const AIR_FILES_PER_WORLD_MAX = 1_000;
/** Most patch operations in one patch document. */
export const PATCH_OPS_MAX = 1_000;
