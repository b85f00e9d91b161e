// The per-run budget (DESIGN §10): a run may cap its total tokens and its cost in cents. Each
// llm.generate receipt's usage (the payload's token_usage; the envelope's cost_cents, else the
// payload's) is summed into run_usage; when the next turn would start with a cap reached, the run
// fails with budget_exhausted and emits no further llm.generate. The transcript keeps everything.
// Limits come from SessionLimitsSet: scope Session sets the default every later run starts with,
// scope Run changes the active run's.
import type { AirValue, EffectReceiptEnvelope } from 'agentos/sdk';
import { refuse } from './failure.ts';
import { hasActiveRun } from './lifecycle.ts';
import { natOf } from './reduction.ts';
import type { Reduction } from './reduction.ts';
import type { RunFailureReason } from './run-end.ts';
import type { Nat, RunLimits, RunUsage, SessionLimitsSet, SessionState } from './types.ts';

export function noLimits(): RunLimits {
  return { max_total_tokens: null, max_cost_cents: null, context_tokens_max: null };
}

export function zeroUsage(): RunUsage {
  return { llm_calls: 0, prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, cost_cents: 0 };
}

function count(value: unknown): number {
  return typeof value === 'number' || typeof value === 'bigint' ? natOf(value as Nat) : 0;
}

/** Adds one llm.generate receipt's usage and cost to the active run's. */
export function recordUsage(state: SessionState, envelope: EffectReceiptEnvelope, payload: AirValue): void {
  const record = typeof payload === 'object' && payload !== null && !(payload instanceof Uint8Array) ? payload as Record<string, unknown> : {};
  const tokens = (typeof record['token_usage'] === 'object' && record['token_usage'] !== null ? record['token_usage'] : {}) as { prompt?: unknown; completion?: unknown; total?: unknown };
  const prompt = count(tokens.prompt);
  const completion = count(tokens.completion);
  const total = tokens.total === null || tokens.total === undefined ? prompt + completion : count(tokens.total);
  const cost = envelope.cost_cents !== null && envelope.cost_cents !== undefined ? count(envelope.cost_cents) : count(record['cost_cents']);
  const usage = state.run_usage;
  state.run_usage = {
    llm_calls: natOf(usage.llm_calls) + 1, prompt_tokens: natOf(usage.prompt_tokens) + prompt, completion_tokens: natOf(usage.completion_tokens) + completion,
    total_tokens: natOf(usage.total_tokens) + total, cost_cents: natOf(usage.cost_cents) + cost,
  };
}

/** The budget_exhausted failure when the active run has reached a cap, else null. */
export function budgetSpent(state: SessionState): RunFailureReason | null {
  const limits = state.run_limits;
  if (limits === null) return null;
  const usage = state.run_usage;
  if (limits.max_total_tokens !== null && natOf(usage.total_tokens) >= natOf(limits.max_total_tokens)) {
    return { code: 'budget_exhausted', detail: `the run used ${natOf(usage.total_tokens)} tokens of its budget of ${natOf(limits.max_total_tokens)}` };
  }
  if (limits.max_cost_cents !== null && natOf(usage.cost_cents) >= natOf(limits.max_cost_cents)) {
    return { code: 'budget_exhausted', detail: `the run cost ${natOf(usage.cost_cents)} cents of its budget of ${natOf(limits.max_cost_cents)}` };
  }
  return null;
}

/** A new run starts with the session's limits and no usage. */
export function startRunBudget(state: SessionState): void {
  state.run_limits = { ...state.session_limits };
  state.run_usage = zeroUsage();
}

/** SessionLimitsSet: the session default, or the active run's limits. */
export function applyLimits(reduction: Reduction, set: SessionLimitsSet): void {
  const state = reduction.state;
  const limits = set.limits;
  if (limits.context_tokens_max !== null && natOf(limits.context_tokens_max) === 0) {
    refuse('invalid_limits', 'context_tokens_max is 0, which leaves no room for any turn; give the model\'s window in tokens, or null for the model\'s default');
  }
  if (set.scope.$tag === 'Session') {
    state.session_limits = { ...limits };
    return;
  }
  if (!hasActiveRun(state.lifecycle.$tag) || state.lifecycle.$tag === 'Cancelling') {
    refuse('run_not_active', `run-scoped limits need an active run; the session is ${state.lifecycle.$tag} (use scope Session for later runs)`);
  }
  state.run_limits = { ...limits };
}
