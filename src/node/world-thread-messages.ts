// What crosses between a WorldWorker and its thread: plain data, structured-cloned.
import type { EventInput } from '../kernel/index.ts';

export type ThreadRequest =
  | { readonly id: number; readonly type: 'send'; readonly event: EventInput; readonly aborts: readonly number[] }
  /** Several events in one transaction (group commit); answered with one SentOrRefused per event, in order. */
  | { readonly id: number; readonly type: 'sendBatch'; readonly events: readonly EventInput[] }
  | { readonly id: number; readonly type: 'state'; readonly module: string; readonly key: Uint8Array | null }
  | { readonly id: number; readonly type: 'snapshot' }
  /** A node's read or write of the hosted world by name (node-world-ops.ts); answered as an OpResult. */
  | { readonly id: number; readonly type: 'call'; readonly op: string; readonly args: unknown };

/** What a `call` answers: its value, or the error it failed with (code and hint kept for the API). */
export type OpResult =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly error: { readonly name: string; readonly code: string; readonly message: string; readonly hint?: string } };

/**
 * Slots of the progress buffer a WorldWorker shares with its thread: the delivery index about
 * to step (slot 0), and whether the thread is outside any request (slot 1: a hosted world's
 * executor steps receipts between requests, which no input's abort may be blamed for).
 */
export const PROGRESS_SLOTS = 2;
export const OUTSIDE_REQUEST_SLOT = 1;

/** Said by a thread on its own (no request id): the journal grew to `height`. */
export interface ThreadNotice { readonly notice: 'head'; readonly height: number }

export type ThreadResponse =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly error: { readonly name: string; readonly code: string; readonly message: string } };

/** What the thread says once its world is open (or could not be). */
export type ThreadReady = { readonly ready: true; readonly height: number } | { readonly ready: false; readonly error: { readonly code: string; readonly message: string } };

/** A summary of one input's records, as the caller is told. */
export interface SentInput {
  readonly heights: readonly number[];
  readonly kinds: readonly string[];
  readonly head: string | null;
  readonly aborted: readonly number[];
}

/** One event's outcome in a sendBatch: its records, or the kernel's refusal (it took nothing with it). */
export type SentOrRefused =
  | { readonly ok: true; readonly sent: SentInput }
  | { readonly ok: false; readonly error: { readonly name: string; readonly code: string; readonly message: string } };
