// Ending the active run: the lifecycle goes terminal and every per-run wait is dropped, so late
// receipts (a backoff timer, a summarisation) find nothing to settle and are ignored. The
// transcript, the last output, the settled batch and the run's usage stay for inspection (the
// next run clears the batch and the usage). A failed run records why in run_failure.
import type { FailureCode } from './failure.ts';
import { checkTransition } from './lifecycle.ts';
import type { Reduction } from './reduction.ts';

/** Why a run failed, when the session knows: a code and what happened. */
export interface RunFailureReason { readonly code: FailureCode | string; readonly detail: string }

const UNKNOWN: RunFailureReason = { code: 'unknown_failure', detail: 'the run failed without a recorded reason' };

export function endRun(reduction: Reduction, to: 'Completed' | 'Failed' | 'Cancelled', failure: RunFailureReason = UNKNOWN): void {
  const state = reduction.state;
  checkTransition(state.lifecycle.$tag, to);
  if (to === 'Failed' && state.active_run_id !== null) state.run_failure = { run_id: state.active_run_id, code: failure.code, detail: failure.detail };
  state.lifecycle = { $tag: to };
  state.active_run_id = null;
  state.active_run_config = null;
  state.pending_effects = {};
  state.pending_blob_gets = {};
  state.pending_blob_puts = {};
  state.pending_follow_up_turn = null;
  state.queued_llm_message_refs = null;
  state.llm_retry = null;
  state.context.pending = null;
  // A transcript segment still being written is dropped with its put; the next compaction writes it again.
  state.context.archiving_count = null;
  if (state.active_tool_batch !== null) state.active_tool_batch.pending_effects = {};
}
