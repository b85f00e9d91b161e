// LLM failures retried by failure code (upstream-agent.md §1.11: the workflow owns the retries of
// the codes it can get past). A settled llm.generate, a turn's or a summarisation's, is read here:
// its usage joins the run's budget; a failure with a retryable code (provider_retryable,
// adapter_timeout, adapter_error) sets a timer.set in logical time, LLM_RETRY_DELAY_BASE_MS
// doubling per attempt up to LLM_RETRY_DELAY_CAP_MS, and the same turn is sent again when the
// timer's receipt comes back; a terminal code, or the LLM_ATTEMPTS_MAX-th failure, fails the run
// with that code. The timer is a session effect (pending_effects, keyed by its params hash), so
// nothing else dispatches while it runs, and a cancel or verdict drops it like any other wait.
import { effect } from 'agentos/sdk';
import type { AirValue, EffectReceiptEnvelope } from 'agentos/sdk';
import { recordUsage } from './budget.ts';
import { compactionGenerated, isCompactionCall, windowMeasured } from './compaction.ts';
import { isRetryable, llmFailureOf } from './failure.ts';
import type { LlmFailureOf } from './failure.ts';
import { LLM_ATTEMPTS_MAX, LLM_RETRY_DELAY_BASE_MS, LLM_RETRY_DELAY_CAP_MS } from './limits.ts';
import { paramsHash } from './pending.ts';
import { natOf, nowOf } from './reduction.ts';
import type { Reduction } from './reduction.ts';
import { endRun } from './run-end.ts';
import { readOutput } from './turn.ts';
import type { Nat } from './types.ts';

const NS_PER_MS = 1_000_000n;

/** The backoff before attempt `attempt + 1`, after `attempt` failures (attempt ≥ 1). */
export function retryDelayMs(attempt: number): number {
  return Math.min(LLM_RETRY_DELAY_BASE_MS * 2 ** (attempt - 1), LLM_RETRY_DELAY_CAP_MS);
}

function tokensOf(payload: AirValue, field: 'prompt' | 'completion'): number {
  const usage = (payload as { token_usage?: Record<string, unknown> } | null)?.token_usage;
  const value = usage?.[field];
  return typeof value === 'number' || typeof value === 'bigint' ? natOf(value) : 0;
}

/** An llm.generate of the session settled (its pending entry is already removed). */
export function llmSettled(reduction: Reduction, envelope: EffectReceiptEnvelope, payload: AirValue): void {
  const state = reduction.state;
  const compaction = isCompactionCall(state, envelope.issuer_ref);
  recordUsage(state, envelope, payload);
  const failure = llmFailureOf(envelope.status, payload);
  if (failure !== null) {
    retryOrFail(reduction, failure);
    return;
  }
  state.llm_retry = null;
  const outputRef = (payload as { output_ref: string }).output_ref;
  if (compaction) {
    compactionGenerated(reduction, outputRef);
    return;
  }
  windowMeasured(state, tokensOf(payload, 'prompt'), tokensOf(payload, 'completion'));
  readOutput(reduction, outputRef);
}

function retryOrFail(reduction: Reduction, failure: LlmFailureOf): void {
  const state = reduction.state;
  const runId = state.active_run_id;
  if (runId === null) return;
  const turn = state.context.pending !== null ? natOf(state.context.pending.turn) : natOf(state.next_tool_batch_seq) + 1;
  const previous = state.llm_retry !== null && natOf(state.llm_retry.turn) === turn ? natOf(state.llm_retry.attempt) : 0;
  const attempt = previous + 1;
  if (!isRetryable(failure.code)) {
    endRun(reduction, 'Failed', failure);
    return;
  }
  if (attempt >= LLM_ATTEMPTS_MAX) {
    endRun(reduction, 'Failed', { code: failure.code, detail: `${failure.detail} (attempt ${attempt} of ${LLM_ATTEMPTS_MAX}; no attempt left)` });
    return;
  }
  const now = BigInt(reduction.logicalNowNs ?? nowOf(reduction));
  const deliverAt: Nat = now + BigInt(retryDelayMs(attempt)) * NS_PER_MS;
  const params = { deliver_at_ns: deliverAt, key: `llm-retry:run-${natOf(runId.run_seq)}-turn-${turn}-attempt-${attempt + 1}` };
  const key = paramsHash(params);
  state.pending_effects[key] = { effect_kind: 'timer.set', params_hash: key, intent_id: null, issuer_ref: key, cap_slot: null, emitted_at_ns: nowOf(reduction), last_stream_seq: 0 };
  // The default slot: the manifest's one timer grant answers it, so worlds bind no slot for it.
  reduction.effects.push(effect.timer(params, { issuer_ref: key }));
  state.llm_retry = { turn, attempt, code: failure.code, timer_key: key, deliver_at_ns: deliverAt };
}

/** The backoff timer came back: the turn (or the summarisation) goes out again. */
export function retryTimerFired(reduction: Reduction, envelope: EffectReceiptEnvelope): void {
  const state = reduction.state;
  const retry = state.llm_retry;
  if (retry === null || retry.timer_key !== envelope.issuer_ref) return;
  if (envelope.status !== 'ok') {
    endRun(reduction, 'Failed', { code: 'adapter_error', detail: `the backoff timer before attempt ${natOf(retry.attempt) + 1} came back ${envelope.status}; the last LLM failure was ${retry.code}` });
    return;
  }
  retry.timer_key = null;
  // The turn (or the summarisation, whose call key is cleared) goes out from advance, so a
  // paused run sends it only once resumed.
  if (state.context.pending !== null) {
    state.context.pending.generate_key = null;
    return;
  }
  state.queued_llm_message_refs = [...state.conversation_message_refs];
}
