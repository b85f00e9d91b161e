// demo/ChainComp@1: a saga with compensation. Start (accepted when no saga runs) charges the
// customer, then reserves the SKU, then notifies; when the reservation fails, it refunds the
// charge instead. Each step is one http.request on the `default` slot tagged with a fixed
// issuer_ref ("charge", "reserve", "notify", "refund"); a receipt moves the saga only when its
// issuer_ref is the current phase's step, so stale or foreign receipts are ignored.
// Where upstream's module is flawed, this one is not (none of it changes the fixture's run):
// - A step succeeded only when its receipt is `ok` and the HTTP status is below 400. Upstream
//   ignored the charge's status and every envelope status, so a failed charge still reserved
//   stock; here a failed charge ends the saga in Failed, with nothing to compensate.
// - A failed refund is not reported as Refunded: the saga stops in Failed (a person must look).
//   A failed notification still completes the order (money and stock are settled) but is
//   recorded in last_error.
// - Upstream's requests carried nothing of the order (the refund had no amount): every request
//   here carries x-order-id, the charge and refund x-customer-id and x-amount-cents, the
//   reservation x-reserve-sku. (Bodies would need a blob.put the module may not emit.)
import { decodeReceipt, defineWorkflow, effect, RECEIPT_ENVELOPE_SCHEMA } from 'agentos/sdk';
import type { AirValue, EffectIntent } from 'agentos/sdk';

type Nat = number | bigint;
type Step = 'charge' | 'reserve' | 'notify' | 'refund';
type Phase = 'Idle' | 'Charging' | 'Reserving' | 'Notifying' | 'Refunding' | 'Completed' | 'Refunded' | 'Failed';
interface Target { readonly name: string; readonly method: string; readonly url: string }
interface Saga {
  readonly request_id: Nat;
  readonly order_id: string;
  readonly customer_id: string;
  readonly amount_cents: Nat;
  readonly reserve_sku: string;
  readonly charge_status: Nat | null;
  readonly reserve_status: Nat | null;
  readonly notify_status: Nat | null;
  readonly refund_status: Nat | null;
  readonly last_error: string | null;
  readonly charge_target: Target;
  readonly reserve_target: Target;
  readonly notify_target: Target;
  readonly refund_target: Target;
}
interface ChainState {
  readonly phase: { readonly $tag: Phase };
  readonly next_request_id: Nat;
  readonly current_saga: Saga | null;
}
interface ChainStart {
  readonly order_id: string;
  readonly customer_id: string;
  readonly amount_cents: Nat;
  readonly reserve_sku: string;
  readonly charge: Target;
  readonly reserve: Target;
  readonly notify: Target;
  readonly refund: Target;
}
type ChainEvent = { $tag: 'Start'; $value: ChainStart } | { $tag: 'Receipt'; $value: AirValue };

/** The step whose receipt each waiting phase expects. */
const STEP_OF: Readonly<Partial<Record<Phase, Step>>> = Object.freeze({ Charging: 'charge', Reserving: 'reserve', Notifying: 'notify', Refunding: 'refund' });
/** Phases in which a new saga may start: no step is in flight. */
const AT_REST: readonly Phase[] = Object.freeze(['Idle', 'Completed', 'Refunded', 'Failed']);

const successor = (id: Nat): Nat => (typeof id === 'bigint' ? id + 1n : id + 1);
const phase = (tag: Phase): ChainState['phase'] => ({ $tag: tag });

/** The order's fields a step's request carries as headers. */
function headersOf(saga: Saga, step: Step): Record<string, string> {
  const order = { 'x-order-id': saga.order_id };
  if (step === 'charge' || step === 'refund') return { ...order, 'x-customer-id': saga.customer_id, 'x-amount-cents': String(saga.amount_cents) };
  if (step === 'reserve') return { ...order, 'x-reserve-sku': saga.reserve_sku };
  return order;
}

function request(saga: Saga, step: Step): EffectIntent {
  const target = saga[`${step}_target`];
  return effect.http({ method: target.method, url: target.url, headers: headersOf(saga, step), body_ref: null }, { cap_slot: 'default', issuer_ref: step });
}

/** What a step's receipt says: the HTTP status when a response came, and whether the step succeeded. */
interface StepResult { readonly status: Nat | null; readonly succeeded: boolean; readonly why: string }

/** `payload` is a sys/HttpRequestReceipt@1 when a response came; an executor's timeout carries a failure message instead. */
function resultOf(envelopeStatus: string, payload: unknown, step: Step): StepResult {
  const response = payload as { status?: unknown; body_ref?: unknown } | null;
  const status = response !== null && typeof response === 'object' && (typeof response.status === 'number' || typeof response.status === 'bigint') ? response.status : null;
  if (envelopeStatus !== 'ok' || status === null) {
    return { status, succeeded: false, why: `${step} failed: the http.request receipt is ${envelopeStatus}${status === null ? '' : ` (status=${status})`}` };
  }
  const bodyRef = typeof response?.body_ref === 'string' ? ` body_ref=${response.body_ref}` : '';
  return { status, succeeded: BigInt(status) < 400n, why: `${step} failed: status=${status}${bodyRef}` };
}

function start(state: ChainState, input: ChainStart): { state: ChainState; effects?: EffectIntent[] } {
  if (!AT_REST.includes(state.phase.$tag)) return { state };
  const saga: Saga = {
    request_id: state.next_request_id, order_id: input.order_id, customer_id: input.customer_id, amount_cents: input.amount_cents, reserve_sku: input.reserve_sku,
    charge_status: null, reserve_status: null, notify_status: null, refund_status: null, last_error: null,
    charge_target: input.charge, reserve_target: input.reserve, notify_target: input.notify, refund_target: input.refund,
  };
  return { state: { phase: phase('Charging'), next_request_id: successor(state.next_request_id), current_saga: saga }, effects: [request(saga, 'charge')] };
}

/** The saga after `step`'s receipt: its status recorded, the next phase, and the next request if any. */
function advance(state: ChainState, saga: Saga, step: Step, result: StepResult): { state: ChainState; effects?: EffectIntent[] } {
  const recorded: Saga = { ...saga, [`${step}_status`]: result.status, last_error: result.succeeded ? saga.last_error : result.why };
  const next = (tag: Phase, then?: Step) => ({ state: { ...state, phase: phase(tag), current_saga: recorded }, ...(then === undefined ? {} : { effects: [request(recorded, then)] }) });
  switch (step) {
    case 'charge': return result.succeeded ? next('Reserving', 'reserve') : next('Failed');
    case 'reserve': return result.succeeded ? next('Notifying', 'notify') : next('Refunding', 'refund');
    case 'notify': return next('Completed');
    case 'refund': return result.succeeded ? next('Refunded') : next('Failed');
  }
}

defineWorkflow<ChainState, ChainEvent>({
  init: () => ({ phase: phase('Idle'), next_request_id: 0, current_saga: null }),
  step(state, event) {
    const input = event.value;
    if (input.$tag === 'Start') return start(state, input.$value);
    const step = STEP_OF[state.phase.$tag];
    const saga = state.current_saga;
    if (step === undefined || saga === null) return { state };
    const receipt = decodeReceipt({ schema: RECEIPT_ENVELOPE_SCHEMA, value: input.$value });
    if (receipt.kind !== 'http.request' || receipt.envelope.issuer_ref !== step) return { state };
    return advance(state, saga, step, resultOf(receipt.envelope.status, receipt.payload, step));
  },
});
