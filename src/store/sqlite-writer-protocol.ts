// What a SqliteDatabase's writer thread (sqlite-writer.ts starts it, sqlite-writer-thread.ts
// runs it) and the database's own thread share: the messages between them, and the words of a
// SharedArrayBuffer that the database's thread reads without waiting for its event loop (it
// blocks on them, with Atomics.wait, when it must read what the writer has not committed yet).
import type { SqliteParameter } from './sqlite-database.ts';

/** One statement of a deferred write, and how many rows it must change (not checked when absent). */
export interface SqliteWrite {
  readonly sql: string;
  readonly parameters: readonly SqliteParameter[];
  readonly changes?: number;
}

/** The thread's workerData. */
export interface WriterStart {
  readonly file: string;
  readonly control: SharedArrayBuffer;
  readonly busyTimeoutMs: number;
}

/** To the writer: commit these writes (numbered in commit order), or close the connection. */
export type ToWriter = { readonly kind: 'write'; readonly seq: number; readonly writes: readonly SqliteWrite[] } | { readonly kind: 'close' };

/** From the writer: every write up to `seq` is durable; or it failed (why is in the control words). */
export type FromWriter = { readonly kind: 'durable'; readonly seq: number } | { readonly kind: 'failed' };

/** Control word: the number of the last write committed. */
export const CONTROL_COMMITTED = 0;
/** Control word: WRITER_RUNNING, WRITER_FAILED or WRITER_CLOSED. */
export const CONTROL_STATE = 1;
/** Control word: the length in bytes of the failure message that follows the words. */
export const CONTROL_MESSAGE_BYTES = 2;
export const CONTROL_WORDS = 4;

export const WRITER_RUNNING = 0;
export const WRITER_FAILED = 1;
export const WRITER_CLOSED = 2;

/** Longest failure message the writer passes back (UTF-8, cut). */
export const WRITER_MESSAGE_BYTES_MAX = 2_048;
/** Size of the control buffer: the words, then the message. */
export const CONTROL_BYTES = CONTROL_WORDS * Int32Array.BYTES_PER_ELEMENT + WRITER_MESSAGE_BYTES_MAX;

/** Why a write that changed `changes` rows breaks its expectation, or null when it does not. */
export function unexpectedChanges(write: SqliteWrite, changes: number): string | null {
  return write.changes === undefined || changes === write.changes ? null : `${write.sql} changed ${changes} rows, not ${write.changes}`;
}

/** Records `text` (UTF-8, cut at WRITER_MESSAGE_BYTES_MAX) as the failure message and the state as failed, waking every waiter. */
export function recordFailure(control: SharedArrayBuffer, text: string): void {
  const words = new Int32Array(control, 0, CONTROL_WORDS);
  const encoded = new TextEncoder().encode(text);
  const length = Math.min(encoded.length, WRITER_MESSAGE_BYTES_MAX);
  new Uint8Array(control, CONTROL_WORDS * Int32Array.BYTES_PER_ELEMENT, WRITER_MESSAGE_BYTES_MAX).set(encoded.subarray(0, length));
  Atomics.store(words, CONTROL_MESSAGE_BYTES, length);
  settleState(control, WRITER_FAILED);
}

/** Sets the writer's state, waking a waiter on either word: one waiting for commits learns the writer will commit no more. */
export function settleState(control: SharedArrayBuffer, state: number): void {
  const words = new Int32Array(control, 0, CONTROL_WORDS);
  Atomics.store(words, CONTROL_STATE, state);
  Atomics.notify(words, CONTROL_STATE);
  Atomics.notify(words, CONTROL_COMMITTED);
}
