import { assert, CBOR_INPUT_BYTES_MAX } from '../cbor/index.ts';

/** Most deliveries (module steps) one input may cause, counting emitted events routed in turn: bounds runaway event loops. */
export const DELIVERIES_PER_INPUT_MAX = 10_000;
/** Most records one input may append to the journal. */
export const RECORDS_PER_INPUT_MAX = 50_000;
/** Bytes of entropy stamped on every ingress input. */
export const ENTROPY_BYTES = 64;
/** Heights between automatic snapshots: bounds how much a restart must replay. */
export const SNAPSHOT_INTERVAL_HEIGHTS = 10_000;
/** Largest event value accepted at ingress. */
export const EVENT_VALUE_BYTES_MAX = 1024 * 1024;

/**
 * Most entries in one leaf of the cell index; a fuller leaf splits into a branch, and a branch
 * whose subtree shrinks to this many collapses back into a leaf. Part of the index format,
 * recorded in every snapshot: changing it changes every root hash. Upstream uses 64; with a
 * fanout of 16 that made 10,000 cells 273 nodes, each its own fsync'd CAS file at every
 * snapshot (~1.5 s of the keyed benchmark's snapshots), where 1,024 makes them 17. Lookups in
 * a leaf are binary searches, so a large leaf costs only its decode on a cold read.
 */
export const CELL_INDEX_LEAF_ENTRIES_MAX = 1_024;
/**
 * Largest cell state kept inline in its index leaf; a larger state spills to a CAS blob of its
 * own, so rewriting a leaf for one small cell never rewrites its neighbours' big states. Part
 * of the index format, recorded in every snapshot.
 */
export const CELL_STATE_INLINE_BYTES_MAX = 4 * 1024;
/** Clean cells the hot cache holds (cells read or written since they were last evicted). */
export const CELL_CACHE_CELLS_MAX = 16_384;
/** Approximate bytes (keys, states, open intents) the hot cache holds. */
export const CELL_CACHE_BYTES_MAX = 64 * 1024 * 1024;
/**
 * Encoded bytes of the index nodes kept decoded in memory (decoded, they take a few times more).
 * Decoding a leaf costs ~5 µs per entry here, so a cold lookup is dear: with 200,000 cells and
 * 64-entry leaves, 64 MiB instead of 16 took updates through a 10,000-cell cache from 2.6k to
 * 7k cells/s.
 */
export const CELL_INDEX_NODE_CACHE_BYTES_MAX = 64 * 1024 * 1024;
/**
 * Dirty cells held in memory before they are written to the index ahead of a snapshot. Checked
 * between inputs, so the delta can exceed it by one input's deliveries (DELIVERIES_PER_INPUT_MAX).
 */
export const CELL_DELTA_CELLS_MAX = 65_536;
/** Index nodes handed to the store in one putMany (within the file CAS's own bound of 4,096). */
export const CELL_INDEX_WRITE_BATCH_MAX = 1_024;

/** Bytes of a raw ed25519 public key (RFC 8032). */
export const ED25519_PUBLIC_KEY_BYTES = 32;
/** Bytes of a receipt signature: one ed25519 signature (RFC 8032). */
export const RECEIPT_SIGNATURE_BYTES = 64;
/**
 * Public keys whose node:crypto KeyObject is kept: building one costs about as much as a
 * verification, and a world's receipts come from a few adapter keys. Rebuilt on a miss.
 */
export const PUBLIC_KEY_OBJECTS_CACHED_MAX = 1_024;

/**
 * Longest failure message an error or timeout receipt may carry as its payload (canonical CBOR
 * text, in bytes of UTF-8): the executor's message when an adapter throws or misses its deadline.
 */
export const RECEIPT_FAILURE_MESSAGE_BYTES_MAX = 4 * 1024;
/**
 * Intents settled most recently whose hashes are remembered, so a duplicate receipt is refused as
 * DUPLICATE_RECEIPT rather than UNKNOWN_INTENT. Only the error code depends on it: both are fenced.
 */
export const RECEIPT_FENCE_RECENT_MAX = 4_096;

/**
 * Bytes of a refused receipt's signature kept in its receipt_rejected record: a longer one is cut
 * to this (it stays evidence of a wrong length), so a refusal cannot write an unbounded record.
 */
export const REJECTED_SIGNATURE_BYTES_MAX = 2 * RECEIPT_SIGNATURE_BYTES;

/**
 * Longest denial message journaled in a cap_decision: a custom enforcer's message is cut to it,
 * so a module cannot write an unbounded record.
 */
export const DENY_MESSAGE_CHARS_MAX = 1_024;
/** Longest value (a URL, a path, a name) quoted inside a denial message; longer ones are cut. */
export const DENY_QUOTED_CHARS_MAX = 160;

/**
 * Charges kept per grant with a windowed budget. Past it the two oldest merge into one, stamped
 * at the later time: the merged charge leaves the window later, so a budget only gets stricter.
 */
export const BUDGET_WINDOW_CHARGES_MAX = 1_024;
/** Largest payload of one stream frame (bigger chunks go to a blob): bounds a frame record. */
export const STREAM_FRAME_PAYLOAD_BYTES_MAX = 64 * 1024;
/** Longest frame_kind of a stream frame. */
export const STREAM_FRAME_KIND_CHARS_MAX = 64;
/** Frames one intent may stream before its receipt. */
export const STREAM_FRAMES_PER_INTENT_MAX = 1_000_000;
/** Keys one key_rotation record may trust and retire together. */
export const TRUSTED_KEYS_PER_ROTATION_MAX = 16;
/** Principals' approvals kept per pending intent: an approval policy's quorum cannot need more. */
export const APPROVALS_PER_INTENT_MAX = 64;

assert(DENY_QUOTED_CHARS_MAX * 4 <= DENY_MESSAGE_CHARS_MAX, 'a built-in message quoting a few values fits in a journaled message');
assert(RECORDS_PER_INPUT_MAX > DELIVERIES_PER_INPUT_MAX, 'every delivery can journal at least its event');
assert(CELL_INDEX_LEAF_ENTRIES_MAX >= 2, 'a leaf that overflows can split');
// A leaf of inline states must decode in one piece, with room for its keys.
assert(CELL_INDEX_LEAF_ENTRIES_MAX * CELL_STATE_INLINE_BYTES_MAX <= CBOR_INPUT_BYTES_MAX / 4, 'an index leaf decodes whole');
assert(CELL_DELTA_CELLS_MAX >= DELIVERIES_PER_INPUT_MAX, 'one input fits in the delta');

/** Reasons a rejected proposal keeps (the first ones; the count of the rest is noted). */
export const GOVERNANCE_REASONS_MAX = 16;
/** Characters of a rejection's reason a principal may sign. */
export const GOVERNANCE_REASON_CHARS_MAX = 1_024;
/** Proposals not yet applied or rejected a world holds at once: a proposal is work for approvers. */
export const GOVERNANCE_PROPOSALS_OPEN_MAX = 64;
