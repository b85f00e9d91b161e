import { assert } from './assert.ts';

/** Largest CBOR document we decode: bounds memory for anything read from outside. */
export const CBOR_INPUT_BYTES_MAX = 64 * 1024 * 1024;
/** Deepest nesting of arrays, maps and tags we accept on decode or encode. */
export const CBOR_DEPTH_MAX = 256;
/** The self-describe tag 55799 that prefixes every canonical node (RFC 8949 §3.4.6). */
export const SELF_DESCRIBE_PREFIX: Uint8Array = Uint8Array.of(0xd9, 0xd9, 0xf7);
/** Tag for dec128 values: 16 bytes of IEEE 754 decimal128 (BID). */
export const DEC128_TAG = 2000;
/** Payload length of a dec128 value. */
export const DEC128_BYTES = 16;

assert(CBOR_DEPTH_MAX > 0 && CBOR_DEPTH_MAX <= 1024, 'decode depth is bounded and positive');
