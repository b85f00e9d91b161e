// Receipts back to the session (upstream-agent.md §1.5-1.7). Each is matched by its issuer_ref:
// a session effect or blob operation by its key, a tool call by its call_id. A receipt that
// matches nothing (late, after a cancel or a verdict) changes nothing. A failed llm.generate or
// a failed blob operation of the loop fails the run; a failed tool call is a result the model sees.
import { decodeCbor, utf8Decode } from 'agentos/sdk';
import type { AirValue, EffectReceiptEnvelope } from 'agentos/sdk';
import { refreshTools } from './effective-tools.ts';
import { parseJsonBytes } from './json-text.ts';
import { getBlob } from './pending.ts';
import { natMapEntries } from './reduction.ts';
import type { Reduction } from './reduction.ts';
import { endRun } from './run-end.ts';
import type { RunFailureReason } from './run-end.ts';
import { argumentsArrived, openBatch, toolReceipt } from './tool-batch.ts';
import { resultBlobArrived } from './tool-result-blobs.ts';
import { answered, appendMessages, messagesAppended } from './turn.ts';
import { hasActiveRun } from './lifecycle.ts';
import { compactionBlobPut, compactionOutput, transcriptArchived } from './compaction.ts';
import { llmSettled, retryTimerFired } from './retry.ts';
import type { Hash, PendingBlobGetKind, PendingBlobPutKind, ToolCallObserved } from './types.ts';

/** The slice of a rejection the session reads (sys/EffectReceiptRejected@1). */
export interface Rejection {
  readonly issuer_ref: string | null;
  readonly effect_kind: string;
  /** "denied" when the kernel refused the effect itself (its grant, enforcer, policy or budget); else the refused receipt's status. */
  readonly status: string;
  readonly error_code: string;
  readonly error_message: string;
}

function failRun(reduction: Reduction, reason?: RunFailureReason): void {
  if (hasActiveRun(reduction.state.lifecycle.$tag) && reduction.state.lifecycle.$tag !== 'Cancelling') endRun(reduction, 'Failed', reason);
}

/** The run's failure for a rejected session effect: a denial by its canonical code, a refused receipt as an adapter error. */
function rejectionFailure(rejection: Rejection): RunFailureReason {
  const detail = `${rejection.effect_kind} was refused (${rejection.error_code}): ${rejection.error_message}`;
  if (rejection.status !== 'denied') return { code: 'adapter_error', detail };
  const code = rejection.error_code.startsWith('policy_') ? 'policy_denied' : rejection.error_code === 'budget_exhausted' ? 'budget_exhausted' : 'capability_denied';
  return { code, detail };
}

/** Arguments blobs hold the JSON text exactly as the provider sent it. */
function textOf(bytes: Uint8Array): string {
  try {
    return utf8Decode(bytes);
  } catch {
    return '';
  }
}

function observedCalls(list: unknown): ToolCallObserved[] | null {
  if (!Array.isArray(list)) return null;
  const calls: ToolCallObserved[] = [];
  for (const item of list as unknown[]) {
    const call = item as { call_id?: unknown; tool_name?: unknown; arguments_ref?: unknown; provider_call_id?: unknown };
    if (typeof call.call_id !== 'string' || typeof call.tool_name !== 'string') return null;
    calls.push({
      call_id: call.call_id, tool_name: call.tool_name, arguments_json: '',
      arguments_ref: typeof call.arguments_ref === 'string' ? call.arguments_ref : null,
      provider_call_id: typeof call.provider_call_id === 'string' ? call.provider_call_id : null,
    });
  }
  return calls;
}

function outputArrived(reduction: Reduction, bytes: Uint8Array): void {
  const envelope = parseJsonBytes(bytes) as { assistant_text?: unknown; tool_calls_ref?: unknown } | undefined;
  if (typeof envelope !== 'object' || envelope === null) return failRun(reduction);
  const state = reduction.state;
  if (typeof envelope.tool_calls_ref === 'string') {
    getBlob(reduction, envelope.tool_calls_ref, { $tag: 'LlmToolCalls' });
    return;
  }
  // The final answer of the turn joins the transcript (upstream kept it only behind last_output_ref).
  const text = typeof envelope.assistant_text === 'string' ? envelope.assistant_text : '';
  const runId = state.active_run_id;
  if (runId === null) return;
  if (text === '') {
    answered(reduction);
    return;
  }
  appendMessages(reduction, [{ role: 'assistant', content: text }], { run_id: runId, batch_seq: state.next_tool_batch_seq });
}

function blobGot(reduction: Reduction, waiter: PendingBlobGetKind, bytes: Uint8Array): void {
  switch (waiter.$tag) {
    case 'LlmOutputEnvelope':
      outputArrived(reduction, bytes);
      return;
    case 'LlmToolCalls': {
      const calls = observedCalls(parseJsonBytes(bytes));
      if (calls === null) return failRun(reduction);
      openBatch(reduction, calls, reduction.state.last_output_ref ?? '');
      return;
    }
    case 'ToolCallArguments':
      argumentsArrived(reduction, waiter.$value.call_id, textOf(bytes));
      return;
    case 'ToolResultBlob':
      resultBlobArrived(reduction, waiter.$value, bytes);
      return;
    case 'CompactionOutput':
      compactionOutput(reduction, bytes);
      return;
  }
}

function blobPut(reduction: Reduction, waiter: PendingBlobPutKind, ref: Hash): void {
  const state = reduction.state;
  if (waiter.$tag === 'ToolDefinition') {
    // A registry of the session's own keeps the ref; the built-in one (held as {}) is shared and
    // never written: its refs live in the effective set (computeEffectiveTools carries them over).
    const spec = state.tool_registry[waiter.$value.tool_id];
    if (spec !== undefined) spec.tool_ref = ref;
    for (const tool of state.effective_tools.ordered_tools) if (tool.tool_id === waiter.$value.tool_id) tool.tool_ref = ref;
    return;
  }
  if (waiter.$tag === 'CompactionPrompt' || waiter.$tag === 'CompactionSummary') return compactionBlobPut(reduction, waiter.$tag, ref);
  if (waiter.$tag === 'TranscriptSegment') return transcriptArchived(reduction, ref);
  const pending = state.pending_follow_up_turn;
  if (pending === null) return;
  const refs = new Map(natMapEntries(pending.blob_refs_by_index));
  refs.set(Number(waiter.$value.index), ref);
  pending.blob_refs_by_index = refs;
  if (refs.size < Number(pending.expected_messages)) return;
  const ordered = [...refs].sort(([a], [b]) => a - b).map(([, value]) => value);
  messagesAppended(reduction, ordered);
}

export function applyReceipt(reduction: Reduction, envelope: EffectReceiptEnvelope): void {
  const state = reduction.state;
  const key = envelope.issuer_ref;
  if (key === null) return;
  const get = state.pending_blob_gets[key];
  if (get !== undefined) {
    delete state.pending_blob_gets[key];
    if (envelope.status !== 'ok') return failRun(reduction);
    const payload = decodeCbor(envelope.receipt_payload) as { bytes?: AirValue };
    const bytes = payload.bytes instanceof Uint8Array ? payload.bytes : new Uint8Array(0);
    for (const waiter of get.waiters) blobGot(reduction, waiter.kind, bytes);
    return;
  }
  const put = state.pending_blob_puts[key];
  if (put !== undefined) {
    delete state.pending_blob_puts[key];
    if (envelope.status !== 'ok') return failRun(reduction);
    const ref = (decodeCbor(envelope.receipt_payload) as { blob_ref?: AirValue }).blob_ref;
    if (typeof ref !== 'string') return failRun(reduction);
    for (const waiter of put.waiters) blobPut(reduction, waiter.kind, ref);
    if (Object.keys(state.pending_blob_puts).length === 0 && state.effective_tools.ordered_tools.every((tool) => tool.tool_ref !== `sha256:${'0'.repeat(64)}`)) state.tool_refs_materialized = true;
    return;
  }
  const pending = state.pending_effects[key];
  if (pending !== undefined) {
    delete state.pending_effects[key];
    sessionEffectSettled(reduction, pending.effect_kind, envelope);
    return;
  }
  toolReceipt(reduction, envelope, decodeCbor(envelope.receipt_payload));
}

function sessionEffectSettled(reduction: Reduction, kind: string, envelope: EffectReceiptEnvelope): void {
  const state = reduction.state;
  const payload = decodeCbor(envelope.receipt_payload) as Record<string, AirValue>;
  if (kind === 'llm.generate') return llmSettled(reduction, envelope, payload);
  if (kind === 'timer.set') return retryTimerFired(reduction, envelope);
  if (kind === 'host.session.open') {
    const ready = envelope.status === 'ok' && payload['status'] === 'ready' && typeof payload['session_id'] === 'string' && payload['session_id'] !== '';
    if (!ready) return failRun(reduction);
    state.tool_runtime_context = { host_session_id: payload['session_id'] as string, host_session_status: { $tag: 'Ready' } };
    refreshTools(state);
  }
}

export function applyRejection(reduction: Reduction, rejection: Rejection): void {
  const state = reduction.state;
  const key = rejection.issuer_ref;
  if (key === null) return;
  if (state.pending_blob_gets[key] !== undefined || state.pending_blob_puts[key] !== undefined || state.pending_effects[key] !== undefined) {
    delete state.pending_blob_gets[key];
    delete state.pending_blob_puts[key];
    delete state.pending_effects[key];
    failRun(reduction, rejectionFailure(rejection));
    return;
  }
  toolReceipt(reduction, { issuer_ref: key, status: 'error' }, undefined, { code: rejection.error_code, message: rejection.error_message });
}

