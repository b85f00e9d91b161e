import { assert } from '../cbor/index.ts';

/** Most deliveries (module steps) one input may cause, counting emitted events routed in turn: bounds runaway event loops. */
export const DELIVERIES_PER_INPUT_MAX = 10_000;
/** Most records one input may append to the journal. */
export const RECORDS_PER_INPUT_MAX = 50_000;
/** Bytes of entropy stamped on every ingress input. */
export const ENTROPY_BYTES = 64;
/** Heights between automatic snapshots: bounds how much a restart must replay. */
export const SNAPSHOT_INTERVAL_HEIGHTS = 10_000;
/** Cells written into one snapshot chunk node in CAS. */
export const SNAPSHOT_CELLS_PER_CHUNK = 1_024;
/** Largest event value accepted at ingress. */
export const EVENT_VALUE_BYTES_MAX = 1024 * 1024;

assert(RECORDS_PER_INPUT_MAX > DELIVERIES_PER_INPUT_MAX, 'every delivery can journal at least its event');
assert(SNAPSHOT_CELLS_PER_CHUNK > 0, 'snapshot chunks hold cells');
