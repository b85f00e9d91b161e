// demo/Aggregator@1: Start{topic, primary, secondary, tertiary} (ignored while Running) takes
// the next request id and emits one http.request per target, in that order, each with
// issuer_ref = the target's name. Receipts, delivered through the Receipt arm in any order,
// are matched by issuer_ref: each settles its target once, appending {source, status, body_ref}
// to last_responses (kept sorted by source); the last one makes the aggregation Done.
// As upstream: a receipt without issuer_ref fails the step, an unknown or settled issuer is
// ignored, the envelope status is not checked (our HTTP adapter's error receipts carry status
// 0), and pending_by_hash is keyed by target name (duplicate names would collide).
import { decodeReceipt, defineWorkflow, effect, RECEIPT_ENVELOPE_SCHEMA } from 'agentos/sdk';
import type { AirValue, EffectIntent } from 'agentos/sdk';

type Nat = number | bigint;
type Pc = { $tag: 'Idle' } | { $tag: 'Running' } | { $tag: 'Done' };
interface Target { readonly name: string; readonly url: string; readonly method: string }
interface AggregateResponse { readonly source: string; readonly status: Nat; readonly body_ref: string | null }
interface AggregatorState {
  readonly pc: Pc;
  readonly next_request_id: Nat;
  readonly pending_request: Nat | null;
  readonly current_topic: string | null;
  readonly pending_targets: readonly string[];
  readonly pending_by_hash: Readonly<Record<string, string>>;
  readonly last_responses: readonly AggregateResponse[];
}
type AggregatorEvent =
  | { $tag: 'Start'; $value: { topic: string; primary: Target; secondary: Target; tertiary: Target } }
  | { $tag: 'Receipt'; $value: AirValue };

const successor = (id: Nat): Nat => (typeof id === 'bigint' ? id + 1n : id + 1);
const bySource = (a: AggregateResponse, b: AggregateResponse): number => (a.source < b.source ? -1 : a.source > b.source ? 1 : 0);

defineWorkflow<AggregatorState, AggregatorEvent>({
  init: () => ({ pc: { $tag: 'Idle' }, next_request_id: 0, pending_request: null, current_topic: null, pending_targets: [], pending_by_hash: {}, last_responses: [] }),
  step(state, event) {
    const input = event.value;
    if (input.$tag === 'Start') {
      if (state.pc.$tag === 'Running') return { state };
      const { topic, primary, secondary, tertiary } = input.$value;
      const targets = [primary, secondary, tertiary];
      const effects: EffectIntent[] = targets.map((target) => effect.http({ method: target.method, url: target.url, headers: {}, body_ref: null }, { cap_slot: 'default', issuer_ref: target.name }));
      return {
        state: {
          pc: { $tag: 'Running' }, next_request_id: successor(state.next_request_id), pending_request: state.next_request_id, current_topic: topic,
          pending_targets: targets.map((target) => target.name), pending_by_hash: Object.fromEntries(targets.map((target) => [target.name, target.name])), last_responses: [],
        },
        effects,
      };
    }
    if (state.pending_request === null) return { state };
    const receipt = decodeReceipt({ schema: RECEIPT_ENVELOPE_SCHEMA, value: input.$value });
    if (receipt.kind !== 'http.request') return { state };
    const source = receipt.envelope.issuer_ref;
    if (source === null) throw new Error(`the http.request receipt ${receipt.envelope.intent_id} has no issuer_ref; every aggregation request is emitted with one`);
    if (!Object.hasOwn(state.pending_by_hash, source)) return { state };
    const { status, body_ref: bodyRef } = receipt.payload;
    if ((typeof status !== 'number' && typeof status !== 'bigint') || (bodyRef !== null && typeof bodyRef !== 'string')) {
      throw new Error(`the http.request receipt ${receipt.envelope.intent_id} is not a sys/HttpRequestReceipt@1 (status ${typeof status}, body_ref ${typeof bodyRef})`);
    }
    const pendingByHash = Object.fromEntries(Object.entries(state.pending_by_hash).filter(([name]) => name !== source));
    const done = Object.keys(pendingByHash).length === 0;
    return {
      state: {
        ...state,
        pc: done ? { $tag: 'Done' } : state.pc,
        pending_request: done ? null : state.pending_request,
        pending_targets: state.pending_targets.filter((name) => name !== source),
        pending_by_hash: pendingByHash,
        last_responses: [...state.last_responses, { source, status, body_ref: bodyRef }].sort(bySource),
      },
    };
  },
});
