// Session ingress (upstream-agent.md §1.3) with its gaps fixed: provider and model are checked
// on every RunRequested; the transcript carries over to the next run; steer text is injected
// into the next turn and follow-up text starts the next turn once the current one has answered
// (a follow-up to a waiting run resumes it); pause stops dispatch until resume; cancel settles the
// run at once and interrupts the host commands still running for it.
import { effect } from 'agentos/sdk';
import { checkOverrideIds, checkRegistry, refreshTools } from './effective-tools.ts';
import { profilesOf, registryOf } from './tool-catalog.ts';
import { refuse } from './failure.ts';
import { checkTransition, hasActiveRun, isTerminal } from './lifecycle.ts';
import { PENDING_TEXTS_MAX } from './limits.ts';
import { natOf } from './reduction.ts';
import type { Reduction } from './reduction.ts';
import { endRun } from './run-end.ts';
import { batchSettled, cancelOpenCalls } from './tool-batch.ts';
import type { HostCommandKind, RunConfig, SessionConfig, SessionIngressKind, SessionState } from './types.ts';

function runConfigOf(config: SessionConfig): RunConfig {
  return {
    provider: config.provider, model: config.model, reasoning_effort: config.reasoning_effort, max_tokens: config.max_tokens,
    prompt_refs: config.default_prompt_refs, tool_profile: config.default_tool_profile,
    tool_enable: config.default_tool_enable, tool_disable: config.default_tool_disable, tool_force: config.default_tool_force,
  };
}

function startRun(reduction: Reduction, inputRef: string, overrides: SessionConfig | null): void {
  const state = reduction.state;
  const config = overrides ?? state.session_config;
  if (config.provider.trim() === '') refuse('missing_provider', 'RunRequested has no provider; name one in run_overrides (or the session config)');
  if (config.model.trim() === '') refuse('missing_model', 'RunRequested has no model; name one in run_overrides (or the session config)');
  if (hasActiveRun(state.lifecycle.$tag)) refuse('run_already_active', `run ${String(state.active_run_id?.run_seq)} is still active (${state.lifecycle.$tag}); complete, fail or cancel it first`);
  checkTransition(state.lifecycle.$tag, 'Running');
  state.session_config = config;
  state.lifecycle = { $tag: 'Running' };
  state.next_run_seq = natOf(state.next_run_seq) + 1;
  state.active_run_id = { session_id: state.session_id, run_seq: state.next_run_seq };
  state.active_run_config = runConfigOf(config);
  // Per run: the batch counter (it is also the run's turn counter), the batch, the plan hash.
  state.next_tool_batch_seq = 0;
  state.active_tool_batch = null;
  state.last_tool_plan_hash = null;
  state.conversation_message_refs = [...state.conversation_message_refs, inputRef];
  state.queued_llm_message_refs = [...state.conversation_message_refs];
  refreshTools(state);
}

function pushText(list: string[], text: string, what: string): void {
  if (list.length >= PENDING_TEXTS_MAX) refuse('too_many_pending_texts', `${PENDING_TEXTS_MAX} ${what} texts are already queued; wait for the next turn to take them`);
  list.push(text);
}

/** True when the run still has work of its own (so resuming goes back to Running, not WaitingInput). */
function runHasWork(state: SessionState): boolean {
  const batch = state.active_tool_batch;
  return state.queued_llm_message_refs !== null || state.pending_follow_up_turn !== null || Object.keys(state.pending_effects).length > 0
    || Object.keys(state.pending_blob_gets).length > 0 || Object.keys(state.pending_blob_puts).length > 0 || (batch !== null && batch.results_ref === null && !batchSettled(batch))
    || state.pending_follow_up.length > 0;
}

function cancelRun(reduction: Reduction, reason: string | null): void {
  const state = reduction.state;
  const tag = state.lifecycle.$tag;
  if (!hasActiveRun(tag) || tag === 'Cancelling') refuse('host_command_rejected', `Cancel needs an active run; the session is ${tag}`);
  const open = state.active_tool_batch === null ? [] : cancelOpenCalls(state.active_tool_batch);
  for (const pending of Object.values(state.pending_effects)) open.push(pending.effect_kind);
  const hostId = state.tool_runtime_context.host_session_id;
  // Host commands run on after their intent: interrupt them (the session itself stays open).
  if (hostId !== null && open.some((kind) => kind.startsWith('host.') && kind !== 'host.session.open')) {
    reduction.effects.push(effect.custom('host.session.signal', { session_id: hostId, signal: 'interrupt', grace_timeout_ns: null }, { cap_slot: 'host', issuer_ref: `cancel:run-${String(state.active_run_id?.run_seq)}:${reason ?? ''}` }));
  }
  checkTransition(tag, 'Cancelling');
  state.lifecycle = { $tag: 'Cancelling' };
  state.pending_steer = [];
  state.pending_follow_up = [];
  endRun(reduction, 'Cancelled');
}

function hostCommand(reduction: Reduction, command: HostCommandKind): void {
  const state = reduction.state;
  const tag = state.lifecycle.$tag;
  switch (command.$tag) {
    case 'Steer':
      if (isTerminal(tag) || tag === 'Idle') refuse('host_command_rejected', `Steer needs an open run; the session is ${tag}`);
      pushText(state.pending_steer, command.$value.text, 'steer');
      return;
    case 'FollowUp':
      if (!hasActiveRun(tag) || tag === 'Cancelling') refuse('host_command_rejected', `FollowUp needs an open run; the session is ${tag} (start a run with RunRequested)`);
      pushText(state.pending_follow_up, command.$value.text, 'follow-up');
      if (tag === 'WaitingInput') state.lifecycle = { $tag: 'Running' };
      return;
    case 'Pause':
      if (tag !== 'Running' && tag !== 'WaitingInput') refuse('host_command_rejected', `Pause needs a Running or WaitingInput run; the session is ${tag}`);
      state.lifecycle = { $tag: 'Paused' };
      return;
    case 'Resume':
      if (tag !== 'Paused') refuse('host_command_rejected', `Resume needs a Paused run; the session is ${tag}`);
      state.lifecycle = { $tag: runHasWork(state) ? 'Running' : 'WaitingInput' };
      return;
    case 'Cancel':
      cancelRun(reduction, command.$value.reason);
      return;
    case 'Noop':
      return;
  }
}

function verdict(reduction: Reduction, to: 'Completed' | 'Failed' | 'Cancelled'): void {
  const tag = reduction.state.lifecycle.$tag;
  if (!hasActiveRun(tag)) refuse('run_not_active', `Run${to} needs an active run; the session is ${tag}`);
  endRun(reduction, to);
}

export function applyIngress(reduction: Reduction, ingress: SessionIngressKind): void {
  const state = reduction.state;
  switch (ingress.$tag) {
    case 'RunRequested':
      startRun(reduction, ingress.$value.input_ref, ingress.$value.run_overrides);
      return;
    case 'HostCommandReceived':
      hostCommand(reduction, ingress.$value.command);
      return;
    case 'ToolRegistrySet': {
      // An empty registry (or profiles) is the built-in one: the state holds it as {}.
      const { registry, profiles, default_profile: defaultProfile } = ingress.$value;
      const nextProfiles = profiles ?? state.tool_profiles;
      checkRegistry(registryOf({ tool_registry: registry }), profilesOf({ tool_profiles: nextProfiles }));
      if (defaultProfile !== null && profilesOf({ tool_profiles: nextProfiles })[defaultProfile] === undefined) refuse('tool_profile_unknown', `default profile ${defaultProfile} is not among the profiles`);
      state.tool_registry = registry;
      state.tool_profiles = nextProfiles;
      if (defaultProfile !== null) state.tool_profile = defaultProfile;
      state.effective_tools = { profile_id: '', profile_requires_host_session: false, ordered_tools: [] };
      refreshTools(state);
      return;
    }
    case 'ToolProfileSelected':
      if (profilesOf(state)[ingress.$value.profile_id] === undefined) refuse('tool_profile_unknown', `no tool profile ${ingress.$value.profile_id}; known: ${Object.keys(profilesOf(state)).join(', ')}`);
      state.tool_profile = ingress.$value.profile_id;
      if (state.active_run_config !== null) state.active_run_config.tool_profile = null;
      refreshTools(state);
      return;
    case 'ToolOverridesSet': {
      const { scope, enable, disable, force } = ingress.$value;
      checkOverrideIds(state, [...(enable ?? []), ...(disable ?? []), ...(force ?? [])]);
      if (scope.$tag === 'Run') {
        const run = state.active_run_config;
        if (run === null) refuse('run_not_active', 'run-scoped tool overrides need an active run; use scope Session');
        run.tool_enable = enable; run.tool_disable = disable; run.tool_force = force;
      } else {
        const config = state.session_config;
        config.default_tool_enable = enable; config.default_tool_disable = disable; config.default_tool_force = force;
      }
      refreshTools(state);
      return;
    }
    case 'HostSessionUpdated':
      state.tool_runtime_context = { host_session_id: ingress.$value.host_session_id, host_session_status: ingress.$value.host_session_status };
      refreshTools(state);
      return;
    case 'RunCompleted':
      verdict(reduction, 'Completed');
      return;
    case 'RunFailed':
      verdict(reduction, 'Failed');
      return;
    case 'RunCancelled':
      verdict(reduction, 'Cancelled');
      return;
    case 'Noop':
      return;
  }
}
