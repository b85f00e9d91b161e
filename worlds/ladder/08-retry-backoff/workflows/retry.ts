// demo/RetrySM@1: one unit of work POSTed to a URL, retried with exponential backoff. Start
// (ignored while Requesting or in Backoff) makes attempt 1: http.request POST with headers
// x-request-id and x-attempt. Its receipt ends the work Done (status < 400) or Failed (a 4xx,
// or no attempts left), or, when the server failed (5xx) and attempts remain, sets a timer:
// attempt n+1 is due at anchor_ns + base_delay_ms · 2^(n−1) ms, keyed by req_id. The timer's
// receipt (through the Receipt arm; one with another key is ignored) sends the next attempt.
// As upstream, the schedule is anchored at Start (anchor_ns = the event's now_ns), not at each
// failure: the fixture pins the timers at exactly 11 ms and 21 ms after 0 for an anchor of 1 ms,
// which only an anchored schedule gives (one from the failure time puts the second at ≥ 31 ms).
// Unlike upstream, the receipt's status is read: an http.request that got no response (an
// `error` or `timeout` receipt: connection refused, deadline passed) is a failed attempt like a
// 5xx, retried while attempts remain, with last_status null (there is no HTTP status); a timer
// that did not fire `ok` fails the work instead of retrying without its backoff.
// As upstream, `payload` is kept in state and not sent: a request body would need a blob.put,
// which this module does not emit.
import { decodeReceipt, defineWorkflow, effect, RECEIPT_ENVELOPE_SCHEMA } from 'agentos/sdk';
import type { AirValue, EffectIntent } from 'agentos/sdk';

type Nat = number | bigint;
type Pc = 'Idle' | 'Requesting' | 'Backoff' | 'Done' | 'Failed';
interface StartWork {
  readonly req_id: string;
  readonly payload: string;
  readonly url: string;
  readonly max_attempts: Nat;
  readonly base_delay_ms: Nat;
  readonly now_ns: Nat;
}
interface RetryState {
  readonly pc: { readonly $tag: Pc };
  readonly attempt: Nat;
  readonly max_attempts: Nat;
  readonly base_delay_ms: Nat;
  readonly anchor_ns: Nat;
  readonly payload: string;
  readonly req_id: string;
  readonly url: string;
  readonly pending_request: boolean;
  readonly last_status: Nat | null;
  readonly timers_scheduled: Nat;
}
type RetryEvent = { $tag: 'Start'; $value: StartWork } | { $tag: 'Receipt'; $value: AirValue };
type Outcome = { state: RetryState; effects?: EffectIntent[] };

const NS_PER_MS = 1_000_000n;
const pc = (tag: Pc): RetryState['pc'] => ({ $tag: tag });
const atLeastOne = (n: Nat): bigint => (BigInt(n) < 1n ? 1n : BigInt(n));

function request(state: RetryState): EffectIntent {
  return effect.http({ method: 'POST', url: state.url, headers: { 'x-request-id': state.req_id, 'x-attempt': String(state.attempt) }, body_ref: null });
}

function start(state: RetryState, work: StartWork): Outcome {
  if (state.pc.$tag === 'Requesting' || state.pc.$tag === 'Backoff') return { state };
  const next: RetryState = {
    pc: pc('Requesting'), attempt: 1, max_attempts: atLeastOne(work.max_attempts), base_delay_ms: atLeastOne(work.base_delay_ms), anchor_ns: work.now_ns,
    payload: work.payload, req_id: work.req_id, url: work.url, pending_request: true, last_status: null, timers_scheduled: 0,
  };
  return { state: next, effects: [request(next)] };
}

/** The attempt's result: the HTTP status when a response came (null when none did). */
function answered(state: RetryState, envelopeStatus: string, payload: unknown): Outcome {
  const response = payload as { status?: unknown } | null;
  const status = envelopeStatus === 'ok' && response !== null && typeof response === 'object' && (typeof response.status === 'number' || typeof response.status === 'bigint') ? response.status : null;
  const settled: RetryState = { ...state, pending_request: false, last_status: status };
  if (status !== null && BigInt(status) < 400n) return { state: { ...settled, pc: pc('Done') } };
  const retryable = status === null || BigInt(status) >= 500n;
  if (!retryable || BigInt(state.attempt) >= BigInt(state.max_attempts)) return { state: { ...settled, pc: pc('Failed') } };
  const delayNs = BigInt(state.base_delay_ms) * 2n ** (BigInt(state.attempt) - 1n) * NS_PER_MS;
  return {
    state: { ...settled, pc: pc('Backoff'), attempt: BigInt(state.attempt) + 1n, timers_scheduled: BigInt(state.timers_scheduled) + 1n },
    effects: [effect.timer({ deliver_at_ns: BigInt(state.anchor_ns) + delayNs, key: state.req_id })],
  };
}

defineWorkflow<RetryState, RetryEvent>({
  init: () => ({ pc: pc('Idle'), attempt: 0, max_attempts: 0, base_delay_ms: 0, anchor_ns: 0, payload: '', req_id: '', url: '', pending_request: false, last_status: null, timers_scheduled: 0 }),
  step(state, event) {
    const input = event.value;
    if (input.$tag === 'Start') return start(state, input.$value);
    const receipt = decodeReceipt({ schema: RECEIPT_ENVELOPE_SCHEMA, value: input.$value });
    if (receipt.kind === 'http.request' && state.pc.$tag === 'Requesting' && state.pending_request) {
      return answered(state, receipt.envelope.status, receipt.payload);
    }
    if (receipt.kind === 'timer.set' && state.pc.$tag === 'Backoff') {
      if (receipt.envelope.status !== 'ok') return { state: { ...state, pc: pc('Failed') } };
      if (receipt.payload.key !== state.req_id) return { state };
      const next: RetryState = { ...state, pc: pc('Requesting'), pending_request: true };
      return { state: next, effects: [request(next)] };
    }
    return { state };
  },
});
