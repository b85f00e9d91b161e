// Ending the active run: the lifecycle goes terminal and every per-run wait is dropped, so late
// receipts find nothing to settle and are ignored. The transcript, the last output and the
// settled batch stay for inspection (the next run clears the batch).
import { checkTransition } from './lifecycle.ts';
import type { Reduction } from './reduction.ts';

export function endRun(reduction: Reduction, to: 'Completed' | 'Failed' | 'Cancelled'): void {
  const state = reduction.state;
  checkTransition(state.lifecycle.$tag, to);
  state.lifecycle = { $tag: to };
  state.active_run_id = null;
  state.active_run_config = null;
  state.pending_effects = {};
  state.pending_blob_gets = {};
  state.pending_blob_puts = {};
  state.pending_follow_up_turn = null;
  state.queued_llm_message_refs = null;
  if (state.active_tool_batch !== null) state.active_tool_batch.pending_effects = {};
}
