import { assert } from '../cbor/index.ts';

/** Wall-clock budget of one input in a world thread; past it the thread is terminated and the step aborted. */
export const WORLD_INPUT_DEADLINE_MS = 5_000;
/** Wall-clock budget for a world thread to open its world (modules loaded, snapshot + tail replayed). */
export const WORLD_OPEN_DEADLINE_MS = 120_000;
/** Most aborts one input may need before it is refused (each abort skips one delivery). */
export const INPUT_ABORTS_MAX = 16;
/** Longest key name: it is a file name in <root>/.aos/keys/ and, for adapter keys, the adapter_id. */
export const KEY_NAME_CHARS_MAX = 64;
/** Largest key or key metadata file read back (an ed25519 PEM is about 120 bytes). */
export const KEY_FILE_BYTES_MAX = 16 * 1024;

assert(WORLD_OPEN_DEADLINE_MS > WORLD_INPUT_DEADLINE_MS, 'opening may take longer than one input');
