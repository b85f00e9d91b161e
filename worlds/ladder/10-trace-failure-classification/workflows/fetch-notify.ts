// demo/FetchNotify@1, ladder 10's variant: as ladder 03 (Start{url, method}, ignored while
// Fetching, takes the next request id, clears the last result and emits one http.request on
// the `default` slot), but the receipt is read by its envelope status: "ok" records the
// response's status and body_ref, "timeout" records status -2 and "error" status -1 (no body
// either way), and any other status fails the step. Each accepted receipt makes it Done.
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

/** What `last_status` records for a receipt without a response (upstream's values). */
const STATUS_TIMEOUT = -2;
const STATUS_ERROR = -1;

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
    const done = { ...state, pc: { $tag: 'Done' } as Pc, pending_request: null };
    switch (receipt.envelope.status) {
      case 'ok': {
        const { status, body_ref: bodyRef } = receipt.payload;
        if ((typeof status !== 'number' && typeof status !== 'bigint') || (bodyRef !== null && typeof bodyRef !== 'string')) {
          throw new Error(`the ok http.request receipt ${receipt.envelope.intent_id} is not a sys/HttpRequestReceipt@1 (status ${typeof status}, body_ref ${typeof bodyRef})`);
        }
        return { state: { ...done, last_status: status, last_body_ref: bodyRef } };
      }
      case 'timeout': return { state: { ...done, last_status: STATUS_TIMEOUT, last_body_ref: null } };
      case 'error': return { state: { ...done, last_status: STATUS_ERROR, last_body_ref: null } };
      default: throw new Error(`the http.request receipt ${receipt.envelope.intent_id} has status "${receipt.envelope.status}"; this workflow knows ok, timeout and error`);
    }
  },
});
