import { assert } from '../cbor/index.ts';

/**
 * Most records one `append` may carry. An append is one transaction held in memory until it
 * commits; the node batches queued inputs up to this many records per group commit.
 */
export const JOURNAL_APPEND_ENTRIES_MAX = 16_384;
/**
 * Largest journal record. Large payloads go to CAS and the record keeps their hash, so this
 * only bounds the memory of one record and of one row in the database.
 */
export const JOURNAL_RECORD_BYTES_MAX = 8 * 1024 * 1024;
/** Longest record kind (`domain_event`, `effect_receipt`, …): bounds the stored column. */
export const JOURNAL_KIND_CHARS_MAX = 64;
/** Most records one `read` returns; upstream replays in batches of 8,192 too. */
export const JOURNAL_READ_ENTRIES_MAX = 8_192;
/**
 * Record bytes after which `read` stops early (it always returns at least one record), so
 * a read of large records never holds more than about this much plus one record.
 */
export const JOURNAL_READ_BYTES_MAX = 64 * 1024 * 1024;
/** Most records one append may hold in bytes: bounds the memory of one transaction. */
export const JOURNAL_APPEND_BYTES_MAX = 256 * 1024 * 1024;

/** Largest CAS object; readers load whole objects into memory. */
export const CAS_OBJECT_BYTES_MAX = 256 * 1024 * 1024;
/** Most objects one `putMany` may carry: bounds the temp files open at once and its memory. */
export const CAS_PUT_MANY_OBJECTS_MAX = 4_096;

/**
 * Largest object the node CAS keeps in node.sqlite3 rather than in a file: small objects then
 * commit with the journal record that names them (one fsync instead of three); larger ones
 * stay files, so the database and its WAL never carry big payloads.
 */
export const CAS_INLINE_BYTES_MAX = 64 * 1024;
/** Most staged objects held in memory before they are flushed on their own. */
export const CAS_STAGED_OBJECTS_MAX = 4_096;

/** Most snapshots indexed per world; a node prunes old ones with `remove` before this. */
export const SNAPSHOTS_PER_WORLD_MAX = 4_096;
/** Most worlds one node holds: bounds `worlds()`. */
export const WORLDS_PER_NODE_MAX = 10_000;
/** Longest world id; ids appear in file names, URLs and log lines. */
export const WORLD_ID_CHARS_MAX = 128;
/** Most entries in one meta table (per world or for the node): bounds `keys()`. */
export const META_ENTRIES_MAX = 10_000;
/** Longest meta key. */
export const META_KEY_CHARS_MAX = 256;
/** Largest meta value: the table holds pointers and small records, not payloads (use CAS). */
export const META_VALUE_BYTES_MAX = 1024 * 1024;

/**
 * How long a statement waits for another connection's write lock before it fails with BUSY.
 * One process writes a world, so a wait this long means another process holds the node.
 */
export const SQLITE_BUSY_TIMEOUT_MS = 5_000;
/**
 * Deferred writes a database commits on its own thread before it starts a writer thread for
 * the rest (sqlite-writer.ts): a thread costs ~30 ms to start (~130 ms from sources), worth it
 * for a world that keeps executing effects, not for one that writes a few receipts and closes.
 */
export const SQLITE_WRITER_MIN_WRITES = 64;
/**
 * Deferred writes a writer thread may hold uncommitted before the next one waits for them, so a
 * disk slower than the world bounds its memory instead of a queue (a world hands over one write
 * per turn of its event loop).
 */
export const SQLITE_WRITER_QUEUE_MAX = 64;
/**
 * Longest a database's thread waits for its writer thread to commit what it posted: the
 * writer's own wait for a busy lock, with room to spare. Past it the database stops (IO).
 */
export const SQLITE_WRITER_WAIT_MS_MAX = 4 * SQLITE_BUSY_TIMEOUT_MS;

assert(JOURNAL_RECORD_BYTES_MAX <= JOURNAL_READ_BYTES_MAX, 'a read can return any single record whole');
assert(JOURNAL_RECORD_BYTES_MAX <= JOURNAL_APPEND_BYTES_MAX, 'an append can carry any single record');
assert(JOURNAL_RECORD_BYTES_MAX <= CAS_OBJECT_BYTES_MAX, 'any record can be moved into CAS');

/**
 * Most distinct SQL texts the prepared-statement cache holds. Every statement is a constant
 * in src/store, so passing this means SQL is being built from data: a bug.
 */
export const SQLITE_STATEMENTS_MAX = 64;
