import { assert } from '../cbor/index.ts';

/** Wall-clock budget of one input in a world thread; past it the thread is terminated and the step aborted. */
export const WORLD_INPUT_DEADLINE_MS = 5_000;
/** Wall-clock budget for a world thread to open its world (modules loaded, snapshot + tail replayed). */
export const WORLD_OPEN_DEADLINE_MS = 120_000;
/** Most aborts one input may need before it is refused (each abort skips one delivery). */
export const INPUT_ABORTS_MAX = 16;
/**
 * Events a world's thread admits in one group (one transaction, one fsync) when sends queue up
 * behind the one being serviced: the group commit of the node's API.
 */
export const WORLD_SEND_GROUP_MAX = 64;
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
/** Receipts an executor admits in one transaction (group commit); more wait for the next group. */
export const EXECUTOR_RECEIPT_GROUP_MAX = 64;
/**
 * Longest the executor admits settled receipts back to back before it lets the event loop turn.
 * A chain of in-store effects (blob puts) never waits on anything, so without a bound it would
 * hold the thread until it ends: API requests, timers and the world's deferred writes wait at
 * most this long. The receipt groups admitted within one turn are written in one transaction.
 */
export const EXECUTOR_TURN_MS_MAX = 5;
/** Records of deferred receipt groups a world holds unwritten at most; reaching it writes them at once. */
export const WORLD_UNWRITTEN_RECORDS_MAX = 4_096;
/** Records replay --verify's stretches from snapshots must cover to run on a thread of their own beside the replay from genesis (a thread starts in ~0.1 s). */
export const VERIFY_THREAD_MIN_RECORDS = 10_000;
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
/** Values staged for vault.put and not yet consumed (vault-staging.ts): bounds what waits sealed in the vault. */
export const VAULT_STAGED_VALUES_MAX = 1_000;
/** Largest vault file read back: a sealed value in base64 plus its metadata. */
export const VAULT_FILE_BYTES_MAX = 2 * VAULT_VALUE_BYTES_MAX + 4 * 1024;
/** Largest `.env` file read. */
export const DOTENV_BYTES_MAX = 1024 * 1024;

assert(VAULT_FILE_BYTES_MAX > Math.ceil(VAULT_VALUE_BYTES_MAX * 4 / 3), 'an entry file holds the base64 of the largest value');
assert(VAULT_VERSIONS_MAX >= 1 && VAULT_ENTRIES_MAX >= 1, 'a vault holds at least one entry of one version');

/** Journaled inputs a shadow run replays by default (`aos gov shadow --inputs`). */
export const SHADOW_INPUTS_DEFAULT = 100;
/** Journaled inputs a shadow run replays at most. */
export const SHADOW_INPUTS_MAX = 10_000;
/** Journal records a shadow run looks back through for inputs. */
export const SHADOW_JOURNAL_SCAN_MAX = 100_000;
/** Journal records a shadow run reads per page while it looks back (a journal read returns at most 8,192). */
export const SHADOW_JOURNAL_PAGE_RECORDS = 1_024;
/** Characters of an effect's params a shadow report shows. */
export const SHADOW_PARAMS_CHARS_MAX = 240;
/** Cells per workflow a shadow report compares (the rest are counted, not compared). */
export const SHADOW_CELLS_COMPARED_MAX = 1_000;
/** Differing paths a shadow report lists per cell. */
export const SHADOW_PATHS_PER_CELL_MAX = 32;
/** Times `aos gov apply --wait` looks again for quiescence before it gives up. */
export const GOV_APPLY_WAIT_POLLS_MAX = 600;
/** Milliseconds between those looks. */
export const GOV_APPLY_WAIT_POLL_MS = 500;
/** Bytes of <root>/.aos/workflow-principals.json read at most: a map of module names to key names. */
export const WORKFLOW_PRINCIPALS_FILE_BYTES_MAX = 64 * 1024;

/** Port of the local node's control API when `aos node up` is given none (upstream's too). */
export const NODE_PORT_DEFAULT = 9010;
/** Most journal records one API page returns. */
export const NODE_JOURNAL_PAGE_MAX = 1_000;
/** Largest JSON request body the control API reads. */
export const NODE_BODY_BYTES_MAX = 1024 * 1024;
/** Largest blob PUT to the control API's CAS route. */
export const NODE_CAS_BLOB_BYTES_MAX = 16 * 1024 * 1024;
/** How long `aos node up --background` waits for the node to answer its health check. */
export const NODE_START_WAIT_MS = 30_000;
/** How long `aos node down` waits for the node to exit after SIGTERM. */
export const NODE_STOP_WAIT_MS = 15_000;
/** A comment line on every open journal stream this often, so proxies keep it open. */
export const NODE_SSE_HEARTBEAT_MS = 15_000;
/** Records after its root one API trace reads (it runs under the world's input watchdog); past it the graph is marked truncated. */
export const NODE_TRACE_RECORDS_MAX = 20_000;
/** Random bytes of a generated node token (hex in its file). */
export const NODE_TOKEN_BYTES = 32;
/** Largest token file read. */
export const NODE_TOKEN_FILE_BYTES_MAX = 4096;
/** How long the CLI waits for a node's /health before treating it as not running. */
export const NODE_HEALTH_TIMEOUT_MS = 2_000;
/** Open journal streams one node serves at once. */
export const NODE_SSE_STREAMS_MAX = 256;

/** Largest world bundle `aos world export` writes and `aos world import` reads (it is read whole into memory). */
export const BUNDLE_BYTES_MAX = 1024 * 1024 * 1024;
/** Journal records one bundle holds. */
export const BUNDLE_RECORDS_MAX = 10_000_000;
/** CAS objects one bundle holds (the closure of the world's journal and meta). */
export const BUNDLE_OBJECTS_MAX = 1_000_000;
/** Journal records read per page while exporting, importing or forking a world. */
export const LIFECYCLE_PAGE_RECORDS = 4_096;

/** Records after its root one `aos trace`/`aos diagnose` reads, on a folder or through a node (the same walk); past it the graph is marked truncated. */
export const TRACE_WALK_RECORDS_MAX = 200_000;
/** Audits (with their replay) one node runs at once: each reads a whole journal and replays it, on a thread of its own (read-job.ts). */
export const NODE_AUDITS_AT_ONCE_MAX = 1;
/** Exports one node runs at once: each holds its world's journal in memory (up to BUNDLE_BYTES_MAX of bundle) on a thread of its own (read-job.ts). */
export const NODE_EXPORTS_AT_ONCE_MAX = 2;
/** Largest body of a workspace push through a node: the list of files (path, blob hash, mode) of one folder, up to WORKSPACE_WALK_ENTRIES_MAX of them. */
export const NODE_WS_PUSH_BODY_BYTES_MAX = 32 * 1024 * 1024;
/** Records read per page when a walk covers a world's whole journal (audits, approvals). */
export const JOURNAL_WALK_PAGE_RECORDS = 4_096;
