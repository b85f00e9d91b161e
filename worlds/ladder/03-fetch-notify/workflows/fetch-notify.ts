// demo/FetchNotify@1: Start{url, method} (ignored while Fetching) takes the next request id,
// clears the last result and emits one http.request on the `default` slot; its receipt,
// delivered through the Receipt arm, makes it Done with the response's status and body_ref.
// As upstream, the envelope status is not checked: our HTTP adapter's error and timeout
// receipts are HttpRequestReceipt values too (status 0, no body_ref), so they are recorded.
// A payload that is not an HttpRequestReceipt fails the step (upstream's decode failure).
import { decodeReceipt, defineWorkflow, effect, RECEIPT_ENVELOPE_SCHEMA } from 'agentos/sdk';
import type { AirValue } from 'agentos/sdk';

type Nat = number | bigint;
type Pc = { $tag: 'Idle' } | { $tag: 'Fetching' } | { $tag: 'Done' };
interface FetchNotifyState {
  readonly pc: Pc;
  readonly next_request_id: Nat;
  readonly pending_request: Nat | null;
  readonly last_status: Nat | null;
  readonly last_body_ref: string | null;
}
type FetchNotifyEvent =
  | { $tag: 'Start'; $value: { url: string; method: string } }
  | { $tag: 'Receipt'; $value: AirValue };

const successor = (id: Nat): Nat => (typeof id === 'bigint' ? id + 1n : id + 1);

defineWorkflow<FetchNotifyState, FetchNotifyEvent>({
  init: () => ({ pc: { $tag: 'Idle' }, next_request_id: 0, pending_request: null, last_status: null, last_body_ref: null }),
  step(state, event) {
    const input = event.value;
    if (input.$tag === 'Start') {
      if (state.pc.$tag === 'Fetching') return { state };
      const { url, method } = input.$value;
      return {
        state: { pc: { $tag: 'Fetching' }, next_request_id: successor(state.next_request_id), pending_request: state.next_request_id, last_status: null, last_body_ref: null },
        effects: [effect.http({ method, url, headers: {}, body_ref: null }, { cap_slot: 'default' })],
      };
    }
    if (state.pending_request === null) return { state };
    const receipt = decodeReceipt({ schema: RECEIPT_ENVELOPE_SCHEMA, value: input.$value });
    if (receipt.kind !== 'http.request') return { state };
    const { status, body_ref: bodyRef } = receipt.payload;
    if ((typeof status !== 'number' && typeof status !== 'bigint') || (bodyRef !== null && typeof bodyRef !== 'string')) {
      throw new Error(`the http.request receipt ${receipt.envelope.intent_id} is not a sys/HttpRequestReceipt@1 (status ${typeof status}, body_ref ${typeof bodyRef})`);
    }
    return { state: { ...state, pc: { $tag: 'Done' }, pending_request: null, last_status: status, last_body_ref: bodyRef } };
  },
});
