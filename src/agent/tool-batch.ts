// A turn's tool batch: created from the model's call list, its arguments fetched (each arrives as
// a blob), then its groups run in order, each call as an effect with issuer_ref = call_id.
// Every call ends Succeeded or Failed with a result the model sees, in observed-call order.
import { effect } from 'agentos/sdk';
import { airToJson } from './json-text.ts';
import { getBlob, paramsHash } from './pending.ts';
import { jsonBytes } from './json-text.ts';
import { sha256Hash } from 'agentos/sdk';
import { natOf, nowOf } from './reduction.ts';
import type { Reduction } from './reduction.ts';
import { offeredTools } from './effective-tools.ts';
import { planCalls } from './tool-plan.ts';
import { mapCall, ToolArgsError } from './tool-mappers.ts';
import { isComposite, nextStep, slotOf } from './workspace-tools.ts';
import { TOOL_RESULT_TEXT_BYTES_MAX } from './limits.ts';
import { fetchResultBlobs } from './tool-result-blobs.ts';
import { resultJson } from './introspect-results.ts';
import type { ActiveToolBatch, PlannedToolCall, ToolCallObserved, ToolCallStatus } from './types.ts';
import type { AirValue, EffectReceiptEnvelope } from 'agentos/sdk';

const QUEUED: ToolCallStatus = Object.freeze({ $tag: 'Queued' });
const PENDING: ToolCallStatus = Object.freeze({ $tag: 'Pending' });
const SUCCEEDED: ToolCallStatus = Object.freeze({ $tag: 'Succeeded' });

function terminal(status: ToolCallStatus | undefined): boolean {
  return status !== undefined && status.$tag !== 'Queued' && status.$tag !== 'Pending';
}

function cut(text: string): string {
  return text.length > TOOL_RESULT_TEXT_BYTES_MAX ? `${text.slice(0, TOOL_RESULT_TEXT_BYTES_MAX)}…[truncated]` : text;
}

function settle(batch: ActiveToolBatch, call: ToolCallObserved, toolId: string, status: ToolCallStatus, output: unknown): void {
  batch.call_status[call.call_id] = status;
  batch.llm_results[call.call_id] = { call_id: call.call_id, tool_id: toolId, tool_name: call.tool_name, is_error: status.$tag !== 'Succeeded', output_json: cut(JSON.stringify(output)) };
  for (const group of batch.execution.groups) if (group.keys.includes(call.call_id) && !group.terminal_keys.includes(call.call_id)) group.terminal_keys.push(call.call_id);
  delete batch.pending_effects[call.call_id];
}

function fail(batch: ActiveToolBatch, call: ToolCallObserved, toolId: string, code: string, detail: string): void {
  settle(batch, call, toolId, { $tag: 'Failed', $value: { code, detail } }, { ok: false, error: code, detail });
}

/**
 * Opens the batch for a turn's calls; the arguments of each accepted call are fetched first.
 * `outputRef` (the turn's LLM output) stands in the batch's intent_id: the module never sees the
 * kernel's intent id of the llm.generate before it plans.
 */
export function openBatch(reduction: Reduction, observed: ToolCallObserved[], outputRef: string): void {
  const state = reduction.state;
  const runId = state.active_run_id;
  if (runId === null) return;
  const plan = planCalls(observed, offeredTools(state));
  // A repeated call id cannot get a result of its own (results are matched by id): the first call
  // with an id is the one the batch runs and answers.
  const unique = observed.filter((call, index) => observed.findIndex((other) => other.call_id === call.call_id) === index);
  const batchId = { run_id: runId, batch_seq: natOf(state.next_tool_batch_seq) + 1 };
  state.next_tool_batch_seq = batchId.batch_seq;
  const batch: ActiveToolBatch = {
    tool_batch_id: batchId, intent_id: outputRef, params_hash: null,
    plan: { observed_calls: unique, planned_calls: plan.planned, execution_plan: { groups: plan.groups } },
    call_status: {}, pending_effects: {}, execution: { groups: plan.groups.map((keys) => ({ keys, terminal_keys: [] })), next_group_index: 0 },
    llm_results: {}, results_ref: null,
  };
  state.active_tool_batch = batch;
  state.last_tool_plan_hash = sha256Hash(jsonBytes(batch.plan));
  for (const rejected of plan.rejected) if (rejected.code !== 'duplicate_call_id') fail(batch, rejected.call, '', rejected.code, rejected.detail);
  for (const call of plan.planned) {
    batch.call_status[call.call_id] = call.arguments_ref === null ? QUEUED : PENDING;
    if (call.arguments_ref !== null) getBlob(reduction, call.arguments_ref, { $tag: 'ToolCallArguments', $value: { tool_batch_id: batchId, call_id: call.call_id } });
  }
}

/** A call's arguments arrived: kept as text (checked when the call is mapped). */
export function argumentsArrived(reduction: Reduction, callId: string, text: string): void {
  const batch = reduction.state.active_tool_batch;
  if (batch === null || batch.call_status[callId]?.$tag !== 'Pending') return;
  for (const list of [batch.plan.observed_calls, batch.plan.planned_calls]) {
    for (const call of list) if (call.call_id === callId) call.arguments_json = text;
  }
  batch.call_status[callId] = QUEUED;
}

function observedOf(batch: ActiveToolBatch, callId: string): ToolCallObserved {
  const call = batch.plan.observed_calls.find((candidate) => candidate.call_id === callId);
  if (call === undefined) throw new Error(`batch has no observed call ${callId}`);
  return call;
}

function parseArgs(call: PlannedToolCall): Record<string, unknown> {
  if (call.arguments_json.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(call.arguments_json) as unknown;
  } catch {
    throw new ToolArgsError('tool_arguments_not_json', 'the arguments are not valid JSON; send a JSON object');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ToolArgsError('tool_invalid_args', 'the arguments must be a JSON object');
  return parsed as Record<string, unknown>;
}

function startCall(reduction: Reduction, batch: ActiveToolBatch, call: PlannedToolCall): void {
  const observed = observedOf(batch, call.call_id);
  if (isComposite(call.mapper.$tag)) {
    continueChain(reduction, batch, call, []);
    return;
  }
  try {
    const mapped = mapCall(call.mapper.$tag, parseArgs(call), reduction.state, nowOf(reduction));
    if (mapped.kind === 'event') {
      reduction.events.push({ schema: mapped.schema, value: mapped.value });
      settle(batch, observed, call.tool_id, SUCCEEDED, { tool: call.tool_name, ok: true, status: 'ok', result: airToJson(mapped.value) });
      return;
    }
    const capSlot = call.executor.$tag === 'Effect' ? call.executor.$value.cap_slot : null;
    reduction.effects.push(effect.custom(mapped.effectKind, mapped.params, { ...(capSlot === null ? {} : { cap_slot: capSlot }), issuer_ref: call.call_id }));
    batch.call_status[call.call_id] = PENDING;
    batch.pending_effects[call.call_id] = { effect_kind: mapped.effectKind, params_hash: paramsHash(mapped.params), intent_id: null, issuer_ref: call.call_id, cap_slot: capSlot, emitted_at_ns: nowOf(reduction), last_stream_seq: 0 };
  } catch (error) {
    if (!(error instanceof ToolArgsError)) throw error;
    fail(batch, observed, call.tool_id, error.code, error.message);
  }
}

/** The receipts a workspace tool's chain has had so far (kept in its result slot while it runs). */
function chainResults(batch: ActiveToolBatch, callId: string): unknown[] {
  const slot = batch.llm_results[callId];
  if (slot === undefined) return [];
  const parsed = JSON.parse(slot.output_json) as { chain?: unknown[] };
  return Array.isArray(parsed.chain) ? parsed.chain : [];
}

/** Takes a workspace tool's chain one step on: its next effect (issuer `<call_id>#<n>`), or its result. */
function continueChain(reduction: Reduction, batch: ActiveToolBatch, call: PlannedToolCall, results: unknown[]): void {
  const observed = observedOf(batch, call.call_id);
  try {
    const step = nextStep(call.mapper.$tag, parseArgs(call), results as Array<Record<string, unknown>>);
    if (step.kind === 'done') {
      settle(batch, observed, call.tool_id, SUCCEEDED, { tool: call.tool_name, ok: true, status: 'ok', result: step.result });
      return;
    }
    const key = `${call.call_id}#${results.length}`;
    const capSlot = slotOf(step.effectKind);
    reduction.effects.push(effect.custom(step.effectKind, step.params, { cap_slot: capSlot, issuer_ref: key }));
    batch.call_status[call.call_id] = PENDING;
    batch.pending_effects[key] = { effect_kind: step.effectKind, params_hash: paramsHash(step.params), intent_id: null, issuer_ref: key, cap_slot: capSlot, emitted_at_ns: nowOf(reduction), last_stream_seq: 0 };
    batch.llm_results[call.call_id] = { call_id: call.call_id, tool_id: call.tool_id, tool_name: call.tool_name, is_error: false, output_json: JSON.stringify({ chain: results }) };
  } catch (error) {
    if (!(error instanceof ToolArgsError)) throw error;
    fail(batch, observed, call.tool_id, error.code, error.message);
  }
}

/** The call an effect key belongs to: the call id itself, or `<call_id>#<n>` for a chain step. */
function callOfKey(batch: ActiveToolBatch, key: string): PlannedToolCall | undefined {
  return batch.plan.planned_calls.find((call) => key === call.call_id || (key.startsWith(`${call.call_id}#`) && /^\d+$/.test(key.slice(call.call_id.length + 1))));
}

/** True when every group has run and every call is terminal. */
export function batchSettled(batch: ActiveToolBatch): boolean {
  return natOf(batch.execution.next_group_index) >= batch.execution.groups.length && batch.plan.observed_calls.every((call) => terminal(batch.call_status[call.call_id]));
}

/** Runs the current group (once all arguments are in), and the next ones as groups finish. */
export function dispatchBatch(reduction: Reduction): void {
  const batch = reduction.state.active_tool_batch;
  if (batch === null) return;
  if (batch.plan.planned_calls.some((call) => batch.call_status[call.call_id]?.$tag === 'Pending' && batch.pending_effects[call.call_id] === undefined)) return;
  while (natOf(batch.execution.next_group_index) < batch.execution.groups.length) {
    const group = batch.execution.groups[natOf(batch.execution.next_group_index)];
    if (group === undefined) return;
    for (const key of group.keys) {
      const call = batch.plan.planned_calls.find((candidate) => candidate.call_id === key);
      if (call !== undefined && batch.call_status[key]?.$tag === 'Queued') startCall(reduction, batch, call);
    }
    if (group.terminal_keys.length < group.keys.length) return;
    batch.execution.next_group_index = natOf(batch.execution.next_group_index) + 1;
  }
}

function payloadError(payload: unknown): string | null {
  if (typeof payload !== 'object' || payload === null) return null;
  const { status, error_code: code } = payload as { status?: unknown; error_code?: unknown };
  if (typeof code === 'string' && code !== '') return code;
  if (typeof status === 'string' && /error|failed|forbidden|not_found|timeout/.test(status)) return status;
  return null;
}

/** A tool call's receipt (or its rejection): records the result the model sees, or takes a chain on. */
export function toolReceipt(reduction: Reduction, envelope: Pick<EffectReceiptEnvelope, 'issuer_ref' | 'status'>, payload: AirValue | undefined, rejection?: { code: string; message: string }): boolean {
  const batch = reduction.state.active_tool_batch;
  const key = envelope.issuer_ref;
  if (batch === null || key === null || batch.pending_effects[key] === undefined) return false;
  const call = callOfKey(batch, key);
  if (call === undefined) return false;
  const kind = batch.pending_effects[key]?.effect_kind ?? call.tool_id;
  delete batch.pending_effects[key];
  const observed = observedOf(batch, call.call_id);
  if (rejection !== undefined) {
    fail(batch, observed, call.tool_id, rejection.code, rejection.message);
    return true;
  }
  const result = resultJson(kind, payload);
  if (key !== call.call_id) {
    if (envelope.status !== 'ok') fail(batch, observed, call.tool_id, envelope.status, `the ${kind} step of ${call.tool_name} settled ${envelope.status}${typeof result === 'string' ? `: ${result}` : ''}`);
    else continueChain(reduction, batch, call, [...chainResults(batch, call.call_id), result]);
    return true;
  }
  const error = envelope.status !== 'ok' ? envelope.status : payloadError(result);
  // Outputs stored as blobs are read and inlined before the follow-up turn (tool-result-blobs.ts).
  fetchResultBlobs(reduction, batch.tool_batch_id, call.call_id, result);
  const output = { tool: call.tool_name, ok: error === null, status: envelope.status, result };
  settle(batch, observed, call.tool_id, error === null ? SUCCEEDED : { $tag: 'Failed', $value: { code: error, detail: `the ${kind} receipt reports ${error}` } }, output);
  return true;
}

/** Cancels the calls still open (the run was cancelled); returns the effect kinds that were in flight. */
export function cancelOpenCalls(batch: ActiveToolBatch): string[] {
  const open = Object.values(batch.pending_effects).map((pending) => pending.effect_kind);
  for (const call of batch.plan.observed_calls) if (!terminal(batch.call_status[call.call_id])) batch.call_status[call.call_id] = { $tag: 'Cancelled' };
  batch.pending_effects = {};
  return open;
}
