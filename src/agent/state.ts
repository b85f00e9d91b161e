// The state of a new session (its first event creates it): the built-in tools and profiles, no run,
// no limits (aos.agent/SessionState@2: upstream's @1 plus budgets, retries, failures and context).
import { computeEffectiveTools } from './effective-tools.ts';
import { noLimits, startRunBudget, zeroUsage } from './budget.ts';
import { emptyContext, startRunContext } from './compaction.ts';
import type { SessionState } from './types.ts';

export function initialState(): SessionState {
  const state: SessionState = {
    session_id: '00000000-0000-0000-0000-000000000000',
    lifecycle: { $tag: 'Idle' },
    next_run_seq: 0,
    next_tool_batch_seq: 0,
    session_config: { provider: '', model: '', reasoning_effort: null, max_tokens: null, default_prompt_refs: null, default_tool_profile: null, default_tool_enable: null, default_tool_disable: null, default_tool_force: null },
    active_run_id: null,
    active_run_config: null,
    active_tool_batch: null,
    pending_effects: {},
    pending_blob_gets: {},
    pending_blob_puts: {},
    pending_follow_up_turn: null,
    queued_llm_message_refs: null,
    conversation_message_refs: [],
    last_output_ref: null,
    tool_refs_materialized: false,
    in_flight_effects: 0,
    // The built-in registry and profiles, held by reference (tool-catalog.ts registryOf).
    tool_registry: {},
    tool_profiles: {},
    tool_profile: '',
    tool_runtime_context: { host_session_id: null, host_session_status: null },
    effective_tools: { profile_id: '', profile_requires_host_session: false, ordered_tools: [] },
    last_tool_plan_hash: null,
    pending_steer: [],
    pending_follow_up: [],
    created_at: 0,
    updated_at: 0,
    session_limits: noLimits(),
    run_limits: null,
    run_usage: zeroUsage(),
    llm_retry: null,
    run_failure: null,
    context: emptyContext(),
  };
  state.effective_tools = computeEffectiveTools(state);
  return state;
}

/** A run just started (RunRequested): its budget, usage, failure and retries start afresh. */
export function runStarted(state: SessionState): void {
  startRunBudget(state);
  startRunContext(state);
  state.llm_retry = null;
  state.run_failure = null;
}
