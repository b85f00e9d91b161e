// The run/turn loop (upstream-agent.md §1.5, with its gaps fixed): after every event, `advance`
// does the next thing the run needs, if nothing it waits on is open and the run is Running
// (a paused run dispatches nothing). In order:
//   1. a settled tool batch becomes the follow-up messages (the assistant's calls, one result per
//      call), plus any steer text, appended to the transcript as blobs;
//   2. a queued turn first gets pending steer text as user messages;
//   3. a host session is opened when the profile needs one and none is ready;
//   4. tool definitions are written as blobs (once per effective set);
//   5. the turn cap and the run's budget are checked (budget.ts), the window is compacted when
//      it nears the model's context limit (compaction.ts), then llm.generate is emitted with the
//      active window.
// The transcript (conversation_message_refs) is durable: runs append to it and never clear it,
// and the final answer of every turn is appended too.
import { emitSessionEffect, getBlob, putBlob, waitingOnSession } from './pending.ts';
import { jsonBytes } from './json-text.ts';
import { natOf } from './reduction.ts';
import type { Reduction } from './reduction.ts';
import { batchSettled, dispatchBatch } from './tool-batch.ts';
import { RUN_TURNS_MAX } from './limits.ts';
import { offeredTools } from './effective-tools.ts';
import { ZERO_HASH } from './tool-catalog.ts';
import { endRun } from './run-end.ts';
import { budgetSpent } from './budget.ts';
import { activeWindow, emitCompactionGenerate, messagesWritten, needsCompaction, startCompaction, transcriptLength, transcriptUpTo } from './compaction.ts';
import type { Hash, SessionState, ToolBatchId } from './types.ts';

/** Starts assembling `messages` onto the transcript; the next turn is queued once all are written. */
export function appendMessages(reduction: Reduction, messages: readonly unknown[], batchId: ToolBatchId): void {
  const state = reduction.state;
  // The transcript's length, not a copy of it: nothing joins it until these messages are written
  // (advance does nothing else while a follow-up turn is pending).
  state.pending_follow_up_turn = { tool_batch_id: batchId, base_message_count: transcriptLength(state), expected_messages: messages.length, blob_refs_by_index: new Map() };
  let bytes = 0;
  messages.forEach((message, index) => {
    const blob = jsonBytes(message);
    bytes += blob.length;
    putBlob(reduction, blob, { $tag: 'FollowUpMessage', $value: { index } });
  });
  messagesWritten(state, transcriptLength(state), bytes);
}

function nextBatchSlot(state: SessionState): ToolBatchId {
  const runId = state.active_run_id;
  if (runId === null) throw new Error('no active run');
  return { run_id: runId, batch_seq: natOf(state.next_tool_batch_seq) };
}

function userMessages(texts: readonly string[]): unknown[] {
  return texts.map((content) => ({ role: 'user', content }));
}

function followUpMessages(state: SessionState): unknown[] {
  const batch = state.active_tool_batch;
  if (batch === null) return [];
  const calls = batch.plan.observed_calls.map((call) => ({ id: call.call_id, name: call.tool_name, arguments: call.arguments_json === '' ? '{}' : call.arguments_json }));
  const assistant = { role: 'assistant', tool_calls: calls };
  const results = batch.plan.observed_calls.map((call) => {
    const result = batch.llm_results[call.call_id];
    return { type: 'function_call_output', call_id: call.call_id, output: result?.output_json ?? '{"ok":false,"error":"no_result"}', is_error: result?.is_error ?? true };
  });
  return [assistant, ...results];
}

function reasoningText(state: SessionState): string | null {
  const effort = state.active_run_config?.reasoning_effort;
  return effort === null || effort === undefined ? null : effort.$tag.toLowerCase();
}

function emitGenerate(reduction: Reduction, turn: number): void {
  const state = reduction.state;
  const run = state.active_run_config;
  const runId = state.active_run_id;
  if (run === null || runId === null) return;
  const tools = state.effective_tools.ordered_tools;
  const params = {
    correlation_id: `run-${natOf(runId.run_seq)}-turn-${turn}`,
    provider: run.provider,
    model: run.model,
    message_refs: [...(run.prompt_refs ?? []), ...activeWindow(state)],
    runtime: {
      temperature: null, top_p: null, max_tokens: run.max_tokens,
      tool_refs: tools.length === 0 ? null : tools.map((tool) => tool.tool_ref),
      tool_choice: tools.length === 0 ? null : { $tag: 'Auto' },
      reasoning_effort: reasoningText(state), stop_sequences: null, metadata: null, provider_options_ref: null, response_format_ref: null,
    },
    // Provider keys are the node's (its provider table names the secret), as in ladder 07.
    api_key: null,
  };
  state.queued_llm_message_refs = null;
  emitSessionEffect(reduction, 'llm.generate', params, 'llm');
}

function materializeTools(reduction: Reduction): void {
  for (const tool of offeredTools(reduction.state)) {
    if (tool.tool_ref !== ZERO_HASH) continue;
    let parameters: unknown;
    try {
      parameters = JSON.parse(tool.args_schema_json) as unknown;
    } catch {
      parameters = { type: 'object' };
    }
    putBlob(reduction, jsonBytes({ name: tool.tool_name, description: tool.description, parameters }), { $tag: 'ToolDefinition', $value: { tool_id: tool.tool_id } });
  }
  if (Object.keys(reduction.state.pending_blob_puts).length === 0) reduction.state.tool_refs_materialized = true;
}

function hostReady(state: SessionState): boolean {
  return state.tool_runtime_context.host_session_status?.$tag === 'Ready';
}

/** Does the next thing the active run needs, if it can. */
export function advance(reduction: Reduction): void {
  const state = reduction.state;
  if (state.lifecycle.$tag !== 'Running' || state.active_run_id === null) return;
  if (waitingOnSession(reduction) || state.pending_follow_up_turn !== null) return;
  const compaction = state.context.pending;
  if (compaction !== null) {
    // The summarising call goes out once its instruction is written, or again after a backoff.
    if (compaction.generate_key === null) emitCompactionGenerate(reduction);
    return;
  }
  const batch = state.active_tool_batch;
  if (batch !== null && batch.results_ref === null) {
    dispatchBatch(reduction);
    if (!batchSettled(batch)) return;
    appendMessages(reduction, [...followUpMessages(state), ...userMessages(state.pending_steer)], batch.tool_batch_id);
    state.pending_steer = [];
    return;
  }
  if (state.queued_llm_message_refs === null) {
    // A follow-up to a run that had answered (it came back from WaitingInput).
    if (state.pending_follow_up.length > 0) answered(reduction);
    return;
  }
  if (state.pending_steer.length > 0) {
    appendMessages(reduction, userMessages(state.pending_steer), nextBatchSlot(state));
    state.pending_steer = [];
    return;
  }
  if (state.effective_tools.profile_requires_host_session && !hostReady(state)) {
    emitSessionEffect(reduction, 'host.session.open', { target: { $tag: 'local', $value: { mounts: null, workdir: null, env: null, network_mode: 'none' } }, session_ttl_ns: null, labels: null }, 'host');
    return;
  }
  if (!state.tool_refs_materialized) {
    materializeTools(reduction);
    if (!state.tool_refs_materialized) return;
  }
  const turn = natOf(state.next_tool_batch_seq) + 1;
  if (turn > RUN_TURNS_MAX) {
    endRun(reduction, 'Failed', { code: 'turn_cap_reached', detail: `the run took its ${RUN_TURNS_MAX} turns without a final answer` });
    return;
  }
  const spent = budgetSpent(state);
  if (spent !== null) {
    endRun(reduction, 'Failed', spent);
    return;
  }
  if (needsCompaction(state)) {
    startCompaction(reduction, turn);
    return;
  }
  emitGenerate(reduction, turn);
}

/**
 * The turn answered without tool calls (its answer, if any, is in the transcript): queued
 * follow-up text starts the next turn; without any the run waits for input.
 */
export function answered(reduction: Reduction): void {
  const state = reduction.state;
  if (state.pending_follow_up.length === 0) {
    state.lifecycle = { $tag: 'WaitingInput' };
    return;
  }
  state.queued_llm_message_refs = [...state.conversation_message_refs];
  appendMessages(reduction, userMessages(state.pending_follow_up), nextBatchSlot(state));
  state.pending_follow_up = [];
}

/**
 * Messages written: the transcript grows. Tool results and steer or follow-up text (a turn is
 * queued) lead to the next turn; a final answer (nothing queued) ends the turn.
 */
export function messagesAppended(reduction: Reduction, refs: readonly Hash[]): void {
  const state = reduction.state;
  const pending = state.pending_follow_up_turn;
  if (pending === null) return;
  state.conversation_message_refs = [...transcriptUpTo(state, natOf(pending.base_message_count)), ...refs];
  state.pending_follow_up_turn = null;
  const batch = state.active_tool_batch;
  if (batch !== null && batch.results_ref === null) {
    batch.results_ref = refs[refs.length - 1] ?? null;
    state.queued_llm_message_refs = [...state.conversation_message_refs];
    return;
  }
  if (state.queued_llm_message_refs !== null) {
    state.queued_llm_message_refs = [...state.conversation_message_refs];
    return;
  }
  answered(reduction);
}

/** Reads an LLM output envelope (the receipt names it). */
export function readOutput(reduction: Reduction, outputRef: Hash): void {
  reduction.state.last_output_ref = outputRef;
  getBlob(reduction, outputRef, { $tag: 'LlmOutputEnvelope' });
}
