// aos.agent/SessionWorkflow@1, keyed by session id (DESIGN §10; upstream-agent.md §1): one cell
// per session, driven by SessionIngress (routed into the Ingress arm) and by the receipts of the
// effects it emits. Its state is aos.agent/SessionState@2: upstream's @1 plus budgets, LLM
// retries, the failed run's code and the context window (agent-air/schemas.air.json); its events
// add SessionLimitsSet@1 (a run's or the session's budget and context window) to upstream's.
// Shipped with AgentOS: `aos build` bundles this file for a world whose manifest lists the module.
//
// Where this differs from upstream (each fixes a gap upstream-agent.md §8 lists):
// - every tool call gets a result the model sees (unknown tool, bad arguments: an error result);
// - the transcript is durable across runs and holds each turn's final answer;
// - steer text is injected into the next turn; follow-up text starts a turn after the answer;
// - pause stops dispatch; cancel settles the run and interrupts host commands still running;
// - a run takes at most RUN_TURNS_MAX LLM turns (next_tool_batch_seq counts the run's batches);
// - LLM failures are retried by code with backoff through timer.set (retry.ts); a run stops at its
//   token or cost budget (budget.ts); older turns are summarised near the context limit (compaction.ts);
// - receipts are matched by issuer_ref (each effect's key), never by guessing.
import { defineWorkflow, RECEIPT_ENVELOPE_SCHEMA, decodeReceipt } from 'agentos/sdk';
import type { AirValue, EffectReceiptEnvelope } from 'agentos/sdk';
import { applyIngress } from './ingress.ts';
import { applyReceipt, applyRejection } from './receipts.ts';
import type { Rejection } from './receipts.ts';
import { countInFlight } from './pending.ts';
import type { Reduction } from './reduction.ts';
import { applyLimits } from './budget.ts';
import { natOf } from './reduction.ts';
import { initialState, runStarted } from './state.ts';
import { advance } from './turn.ts';
import type { LifecycleTag, RunId, SessionIngress, SessionLimitsSet, SessionState } from './types.ts';

const LIFECYCLE_CHANGED = 'aos.agent/SessionLifecycleChanged@1';

type SessionEvent =
  | { $tag: 'Ingress'; $value: SessionIngress }
  | { $tag: 'Receipt'; $value: AirValue }
  | { $tag: 'ReceiptRejected'; $value: Rejection }
  | { $tag: 'StreamFrame'; $value: AirValue }
  | { $tag: 'LimitsSet'; $value: SessionLimitsSet }
  | { $tag: 'Noop'; $value?: AirValue };

function lifecycleChanged(reduction: Reduction, from: LifecycleTag, runBefore: RunId | null): void {
  const state = reduction.state;
  const to = state.lifecycle.$tag;
  if (from === to) return;
  reduction.events.push({
    schema: LIFECYCLE_CHANGED,
    value: {
      session_id: state.session_id, observed_at_ns: state.updated_at, from: { $tag: from }, to: { $tag: to },
      run_id: (state.active_run_id ?? runBefore) as unknown as AirValue, output_ref: state.last_output_ref, in_flight_effects: state.in_flight_effects,
    },
  });
}

export const sessionWorkflow = defineWorkflow<SessionState, SessionEvent>({
  init: initialState,
  step(state, event, ctx) {
    const reduction: Reduction = { state, effects: [], events: [], ...(ctx === null ? {} : { logicalNowNs: ctx.logical_now_ns }) };
    const from = state.lifecycle.$tag;
    const runBefore = state.active_run_id;
    const input = event.value;
    switch (input.$tag) {
      case 'Ingress': {
        const ingress = input.$value;
        if (state.created_at === 0 || state.created_at === 0n) {
          state.session_id = ingress.session_id;
          state.created_at = ingress.observed_at_ns;
        }
        state.updated_at = ingress.observed_at_ns;
        applyIngress(reduction, ingress.ingress);
        // An external verdict names its own code (endRun, called without one, records unknown_failure).
        if (ingress.ingress.$tag === 'RunFailed' && state.run_failure !== null) Object.assign(state.run_failure, ingress.ingress.$value);
        break;
      }
      case 'Receipt':
        applyReceipt(reduction, decodeReceipt({ schema: RECEIPT_ENVELOPE_SCHEMA, value: input.$value }).envelope as EffectReceiptEnvelope);
        break;
      case 'ReceiptRejected':
        applyRejection(reduction, input.$value);
        break;
      case 'LimitsSet':
        if (state.created_at === 0 || state.created_at === 0n) {
          state.session_id = input.$value.session_id;
          state.created_at = input.$value.observed_at_ns;
        }
        state.updated_at = input.$value.observed_at_ns;
        applyLimits(reduction, input.$value);
        break;
      case 'StreamFrame':
      case 'Noop':
        return { state };
    }
    const runNow = state.active_run_id;
    if (runNow !== null && (runBefore === null || natOf(runBefore.run_seq) !== natOf(runNow.run_seq))) runStarted(state);
    advance(reduction);
    state.in_flight_effects = countInFlight(reduction);
    lifecycleChanged(reduction, from, runBefore);
    return { state, effects: reduction.effects, events: reduction.events };
  },
});
