// The contract between a JS bundle and the js runtime. The SDK (bundled into modules)
// imports this file directly, not through src/sandbox/index.ts, because it must stay
// sandbox-safe: constants and types only, no imports.
//
// Values cross the QuickJS edge as one JSON text each way, so QuickJS parses and prints them
// with its native JSON code; CBOR is read and written on the host (json-input.ts,
// json-output.ts). What JSON cannot hold travels as a marker, an object with one key:
//   {"$bytes": [offset, length]}   bytes, their content in a side ArrayBuffer
//   {"$int": "<decimal digits>"}   an integer outside ±(2^53 − 1)
//   {"$dec128": <$bytes marker>}   dec128 (tag 2000 around 16 bytes)
//   {"$map": [[key, value], …]}    a map with a key that is not text
// Markers cannot be confused with records that happen to have such a key: the host lists
// where its markers are (`markers`, paths in post-order), and the prelude checks that every
// marker-looking object in its output is one it made, or re-prints the output with every
// record key that starts with "$" escaped as "$$…" (see prelude-bridge.ts).

/** Global a bundle sets during init to a ModuleEntry; the runtime reads it, then freezes globals. */
export const ENTRY_GLOBAL = '__aos_entry';
/** Global the prelude sets to `{seed(bytes), clear()}`: the only way to make Math.random usable. */
export const RANDOM_GLOBAL = '__aos_random';
/**
 * Global the prelude sets to `sha256(bytes) → "sha256:<64 hex>"`, computed by the host (SHA-256
 * interpreted in QuickJS costs ~1 ms per 100 bytes; the host's is native). A pure function of
 * its input, so it keeps steps deterministic; its bytes are charged to the step's fuel.
 */
export const HASH_GLOBAL = '__aos_sha256';
/**
 * Globals the prelude sets to the host's UTF-8 codec, `utf8Encode(text) → Uint8Array` and
 * strict `utf8Decode(bytes) → text` (QuickJS has no TextEncoder; a JS loop costs ~1 µs a
 * character). Pure, like HASH_GLOBAL, and charged to fuel the same way.
 */
export const UTF8_ENCODE_GLOBAL = '__aos_utf8_encode';
export const UTF8_DECODE_GLOBAL = '__aos_utf8_decode';
/**
 * Global the prelude sets to `cborDecode(bytes) → value | undefined`: the host reads canonical
 * CBOR into the wire form of the inputs (markers and all) and QuickJS parses it natively, ~4x
 * faster than the SDK's interpreted decoder on a receipt payload. Undefined means the host did
 * not take the bytes (not canonical, or not valid): the SDK then decodes them itself, so a value
 * and every refusal are exactly what the interpreted decoder gives. Pure; charged to fuel.
 */
export const CBOR_DECODE_GLOBAL = '__aos_cbor_decode';
/** Name of the error a deliberate failure throws; the runtime also reads its `code`. */
export const MODULE_FAILURE_NAME = 'ModuleFailure';
/** Version of this contract; a bundle built by an SDK with another version is refused at load. */
export const ENTRY_PROTOCOL = 2;
/** The tag of dec128 values, the only tag in AIR. */
export const DEC128_TAG = 2000;

/** The marker keys, in the order above. */
export const MARKER_KEYS = Object.freeze(['$bytes', '$int', '$dec128', '$map'] as const);

/** A path from the root of a wire input to one marker: record keys and list indices. */
export type MarkerPath = ReadonlyArray<string | number>;

// The top level of the wire forms is a tuple, not a record: QuickJS's JSON.parse and
// JSON.stringify spend ~0.3 µs on each key here, about 2 µs a step for the envelope's.

/** Bit of a wire input's `flags`: the state is present (absent parts are null). */
export const WIRE_HAS_STATE = 1;
/** Bit of a wire input's `flags`: the event has a cell key. */
export const WIRE_HAS_KEY = 2;
/** Bit of a wire input's `flags`: a call context is present. */
export const WIRE_HAS_CTX = 4;

/**
 * A workflow input: `[markers, flags, schema, value, state, key, ctx]`. `markers` is 0, or
 * the marker paths (consumed by the prelude, which sets it to 0). State is absent when the
 * instance has none yet (the envelope's `state: null`).
 */
export type WireWorkflowInput = readonly [markers: 0 | readonly MarkerPath[], flags: number, schema: string, value: unknown, state: unknown, key: Uint8Array | null, ctx: unknown];

/** A pure input: `[markers, flags, input, ctx]`. */
export type WirePureInput = readonly [markers: 0 | readonly MarkerPath[], flags: number, input: unknown, ctx: unknown];

/** One emitted event in a wire output; the host encodes `value` as canonical CBOR. */
export interface WireEvent {
  readonly schema: string;
  readonly value: unknown;
  readonly key?: Uint8Array;
}

/** One emitted effect in a wire output; the host encodes `params` into `params_cbor`. */
export interface WireEffect {
  readonly kind: string;
  readonly params: unknown;
  readonly cap_slot?: string;
  readonly issuer_ref?: string;
  readonly idempotency_key?: Uint8Array;
}

/**
 * A workflow output: `[state, events, effects]`, or `[state, events, effects, ann]` when
 * the step gave an annotation. `state: null` deletes the cell; empty lists are 0.
 */
export type WireWorkflowOutput =
  | readonly [state: unknown, events: 0 | readonly WireEvent[], effects: 0 | readonly WireEffect[]]
  | readonly [state: unknown, events: 0 | readonly WireEvent[], effects: 0 | readonly WireEffect[], ann: unknown];

/** A pure output: `[output]`. */
export type WirePureOutput = readonly [output: unknown];

/** The SDK's class for tagged values; the prelude builds dec128 values with it. */
export type TaggedClass = new (tag: number, value: Uint8Array) => { readonly tag: number; readonly value: unknown };

/** What a bundle registers: one function from a wire input to a wire output. */
export type ModuleEntry =
  | { readonly kind: 'workflow'; readonly protocol: number; readonly Tagged: TaggedClass; call(input: WireWorkflowInput): WireWorkflowOutput }
  | { readonly kind: 'pure'; readonly protocol: number; readonly Tagged: TaggedClass; call(input: WirePureInput): WirePureOutput };

/** The prelude's hook for a seeded Math.random, scoped to one step. */
export interface RandomHook {
  seed(entropy: Uint8Array): void;
  clear(): void;
}
