// What crosses between a WorldWorker and its thread: plain data, structured-cloned.
import type { EventInput } from '../kernel/index.ts';

export type ThreadRequest =
  | { readonly id: number; readonly type: 'send'; readonly event: EventInput; readonly aborts: readonly number[] }
  | { readonly id: number; readonly type: 'state'; readonly module: string; readonly key: Uint8Array | null }
  | { readonly id: number; readonly type: 'snapshot' };

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
