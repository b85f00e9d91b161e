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
/**
 * Per-intent deadline of the effect executor when its route sets none: past it the intent settles
 * as a `timeout` receipt. Covers an LLM call (upstream allows 120 s); the HTTP adapter's own
 * 30 s deadline comes first for requests. Timers have no deadline: they wait for their time.
 */
export const EFFECT_DEADLINE_MS_DEFAULT = 120_000;
/** Intents the executor runs at once; the rest wait in order of emission. */
export const EXECUTOR_INTENTS_IN_FLIGHT_MAX = 64;
/** Longest wait one timer setTimeout may take (node's limit is 2^31-1 ms); longer waits are chained. */
export const TIMER_WAIT_MS_MAX = 2_147_483_647;

assert(EFFECT_DEADLINE_MS_DEFAULT > 0 && EXECUTOR_INTENTS_IN_FLIGHT_MAX >= 1, 'the executor has a deadline and runs at least one intent');
assert(WORLD_OPEN_DEADLINE_MS > WORLD_INPUT_DEADLINE_MS, 'opening may take longer than one input');

/** Largest secret value the vault stores: API keys and tokens are far smaller. */
export const VAULT_VALUE_BYTES_MAX = 64 * 1024;
/** Longest vault entry name (a binding_id such as `llm/openai_api`). */
export const VAULT_NAME_CHARS_MAX = 128;
/** Most versions one entry keeps: each put adds one, and none are dropped. */
export const VAULT_VERSIONS_MAX = 1_000;
/** Most entries a vault lists or scans. */
export const VAULT_ENTRIES_MAX = 10_000;
/** Largest vault file read back: a sealed value in base64 plus its metadata. */
export const VAULT_FILE_BYTES_MAX = 2 * VAULT_VALUE_BYTES_MAX + 4 * 1024;
/** Largest `.env` file read. */
export const DOTENV_BYTES_MAX = 1024 * 1024;

assert(VAULT_FILE_BYTES_MAX > Math.ceil(VAULT_VALUE_BYTES_MAX * 4 / 3), 'an entry file holds the base64 of the largest value');
assert(VAULT_VERSIONS_MAX >= 1 && VAULT_ENTRIES_MAX >= 1, 'a vault holds at least one entry of one version');
