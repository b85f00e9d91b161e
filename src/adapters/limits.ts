// The bounds of the built-in adapters: each one caps memory, time or work per execution.
import { assert } from '../cbor/index.ts';
import { CAS_OBJECT_BYTES_MAX, JOURNAL_RECORD_BYTES_MAX } from '../store/index.ts';

/**
 * Largest HTTP response body the adapter reads (after fetch has decoded any gzip, deflate or br
 * content-encoding, so a compression bomb stops here too). The body is read in chunks and the
 * read is cancelled as soon as the total passes this bound: memory is bounded by it plus one chunk.
 */
export const HTTP_RESPONSE_BYTES_MAX = 16 * 1024 * 1024;
/**
 * Per-request deadline of the HTTP adapter when its options give none; the executor's abort
 * signal (the intent's own deadline) applies as well, whichever comes first. Upstream uses 30 s.
 */
export const HTTP_TIMEOUT_MS_DEFAULT = 30_000;
/** Most redirects an HTTP adapter may be configured to follow (fetch's own limit is 20). */
export const HTTP_REDIRECT_HOPS_MAX = 20;
/**
 * Largest blob `blob.get` returns. Its bytes travel inline in the receipt payload, which is
 * journaled and delivered to the workflow, so this stays well under one journal record.
 */
export const BLOB_GET_BYTES_MAX = 4 * 1024 * 1024;

assert(HTTP_RESPONSE_BYTES_MAX <= CAS_OBJECT_BYTES_MAX, 'a response body that fits the cap fits one CAS object');
assert(HTTP_TIMEOUT_MS_DEFAULT > 0, 'the default HTTP deadline is positive');
assert(HTTP_REDIRECT_HOPS_MAX >= 1, 'redirects can be enabled');
// Leaves room in the record for the receipt envelope, the signature and the ingress stamp.
assert(BLOB_GET_BYTES_MAX * 2 <= JOURNAL_RECORD_BYTES_MAX, 'a blob.get receipt fits one journal record');

/** Longest workspace path, in UTF-8 bytes (a path names one entry of a tree). */
export const WORKSPACE_PATH_BYTES_MAX = 1024;
/** Most segments of a workspace path: bounds the depth of every tree walk. */
export const WORKSPACE_PATH_SEGMENTS_MAX = 64;
/** Longest name of one tree entry (one path segment), in UTF-8 bytes, as on common file systems. */
export const WORKSPACE_NAME_BYTES_MAX = 255;
/** Longest workspace name (the sys/Workspace@1 cell key), in UTF-8 bytes. */
export const WORKSPACE_WORKSPACE_NAME_BYTES_MAX = 128;
/** Most entries of one tree node: a directory larger than this is refused. */
export const WORKSPACE_TREE_ENTRIES_MAX = 10_000;
/** Most entries a `workspace.list` receipt carries; a limit of 0, or one above this, asks for this many. */
export const WORKSPACE_LIST_ENTRIES_MAX = 1_000;
/** Most entries one list or diff walks through: bounds the work and memory of one execution. */
export const WORKSPACE_WALK_ENTRIES_MAX = 100_000;
/** Most changes a `workspace.diff` receipt carries; a larger diff is an error (narrow it with a prefix). */
export const WORKSPACE_DIFF_CHANGES_MAX = 10_000;
/** Largest `workspace.read_bytes` answer: its bytes travel inline in the receipt, like blob.get's. */
export const WORKSPACE_READ_BYTES_MAX = BLOB_GET_BYTES_MAX;

assert(WORKSPACE_NAME_BYTES_MAX <= WORKSPACE_PATH_BYTES_MAX, 'one segment fits a path');
assert(WORKSPACE_LIST_ENTRIES_MAX <= WORKSPACE_WALK_ENTRIES_MAX, 'a full list page fits one walk');
assert(WORKSPACE_DIFF_CHANGES_MAX <= WORKSPACE_WALK_ENTRIES_MAX, 'a full diff fits one walk');

/**
 * Largest host output (exec stdout/stderr, a file read, a grep/glob/list answer) carried inline
 * in a receipt; a larger one goes to the CAS and the receipt carries its blob_ref (upstream's 16 KiB).
 */
export const HOST_INLINE_OUTPUT_BYTES_MAX = 16 * 1024;
/**
 * Wall-clock time one grep or glob may spend matching its pattern (in a worker thread, so a
 * pattern that backtracks catastrophically costs this much and never blocks the node).
 */
export const HOST_PATTERN_DEADLINE_MS = 5_000;
/** Heap of the pattern worker; a match never needs more than the texts it is given. */
export const HOST_PATTERN_WORKER_HEAP_MB = 256;
/** Bytes of a blob output's head repeated inline as its preview, so a reader sees what it is. */
export const HOST_OUTPUT_PREVIEW_BYTES = 512;
/** Most bytes kept of one exec stream (stdout or stderr); the rest is drained and dropped. */
export const HOST_EXEC_OUTPUT_BYTES_MAX = 4 * 1024 * 1024;
/** Deadline of a host.exec that names no timeout_ns. */
export const HOST_EXEC_TIMEOUT_NS_DEFAULT = 30_000_000_000n;
/** Longest deadline a host.exec may ask for (the cap may lower it). */
export const HOST_EXEC_TIMEOUT_NS_MAX = 600_000_000_000n;
/** Longest host session TTL; a session that names none lives this long. */
export const HOST_SESSION_TTL_NS_MAX = 24n * 3_600_000_000_000n;
/** Most host sessions one adapter keeps open; opening another is refused until one closes or expires. */
export const HOST_SESSIONS_MAX = 256;
/** Largest file host.fs.read_file returns (max_bytes larger than this reads this much). */
export const HOST_READ_BYTES_MAX = 4 * 1024 * 1024;
/** Largest content host.fs.write_file writes, and largest file edit_file or apply_patch rewrites. */
export const HOST_WRITE_BYTES_MAX = 4 * 1024 * 1024;
/** Largest v4a patch text host.fs.apply_patch parses. */
export const HOST_PATCH_BYTES_MAX = 1024 * 1024;
/** Most files one patch may touch. */
export const HOST_PATCH_FILES_MAX = 256;
/** Most replacements one host.fs.edit_file makes (replace_all included). */
export const HOST_EDIT_REPLACEMENTS_MAX = 10_000;
/** Most results of grep, glob and list_dir (a larger max_results asks for this many). */
export const HOST_RESULTS_MAX = 10_000;
/** Results of grep, glob and list_dir when max_results is absent. */
export const HOST_RESULTS_DEFAULT = 1_000;
/** Most directory entries one grep or glob walk visits: bounds a walk of a huge tree. */
export const HOST_SCAN_ENTRIES_MAX = 100_000;
/** Most bytes one grep reads across all files. */
export const HOST_SCAN_BYTES_MAX = 64 * 1024 * 1024;
/** Largest single file grep searches; larger files are skipped. */
export const HOST_GREP_FILE_BYTES_MAX = 4 * 1024 * 1024;
/** Longest line of a grep match carried in the answer (longer lines are cut). */
export const HOST_GREP_LINE_CHARS_MAX = 500;
/** Deepest directory nesting a grep or glob walk enters. */
export const HOST_WALK_DEPTH_MAX = 64;

assert(HOST_OUTPUT_PREVIEW_BYTES < HOST_INLINE_OUTPUT_BYTES_MAX, 'a preview is shorter than an inline output');
assert(HOST_EXEC_TIMEOUT_NS_DEFAULT <= HOST_EXEC_TIMEOUT_NS_MAX, 'the default exec deadline is allowed');
assert(HOST_RESULTS_DEFAULT <= HOST_RESULTS_MAX, 'the default result count is allowed');
assert(HOST_READ_BYTES_MAX <= CAS_OBJECT_BYTES_MAX && HOST_EXEC_OUTPUT_BYTES_MAX <= CAS_OBJECT_BYTES_MAX, 'a host output fits one CAS object');
assert(HOST_GREP_FILE_BYTES_MAX <= HOST_SCAN_BYTES_MAX, 'one file fits a scan');

/** Largest bundle host.build_module stores: a module bigger than this is not what an agent writes. */
export const HOST_BUILD_BUNDLE_BYTES_MAX = 4 * 1024 * 1024;
/** Source files one host.build_module may read (the entry, its imports and the SDK's). */
export const HOST_BUILD_INPUTS_MAX = 1_000;
/** Characters of bundler messages a failed host.build_module reports (the model reads them). */
export const HOST_BUILD_MESSAGE_CHARS_MAX = 4 * 1024;

assert(HOST_BUILD_BUNDLE_BYTES_MAX <= CAS_OBJECT_BYTES_MAX, 'a module bundle fits one CAS object');
