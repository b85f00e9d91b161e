// demo/SafeUpgrade@1: Start{url} (ignored while Fetching) takes the next request id, resets the
// statuses and emits one GET; its http.request receipt (while pending) completes it with the
// response's status as primary_status and one request observed.
import { decodeReceipt, defineWorkflow, effect, RECEIPT_ENVELOPE_SCHEMA } from 'agentos/sdk';
import type { AirValue } from 'agentos/sdk';

type Nat = number | bigint;
type Pc = { $tag: 'Idle' } | { $tag: 'Fetching' } | { $tag: 'Completed' };
interface SafeUpgradeState {
  readonly pc: Pc;
  readonly next_request_id: Nat;
  readonly pending_request: Nat | null;
  readonly primary_status: Nat | null;
  readonly follow_status: Nat | null;
  readonly requests_observed: Nat;
}
type SafeUpgradeEvent = { $tag: 'Start'; $value: { url: string } } | { $tag: 'Receipt'; $value: AirValue };

const successor = (id: Nat): Nat => (typeof id === 'bigint' ? id + 1n : id + 1);

defineWorkflow<SafeUpgradeState, SafeUpgradeEvent>({
  init: () => ({ pc: { $tag: 'Idle' }, next_request_id: 0, pending_request: null, primary_status: null, follow_status: null, requests_observed: 0 }),
  step(state, event) {
    const input = event.value;
    if (input.$tag === 'Start') {
      if (state.pc.$tag === 'Fetching') return { state };
      return {
        state: { pc: { $tag: 'Fetching' }, next_request_id: successor(state.next_request_id), pending_request: state.next_request_id, primary_status: null, follow_status: null, requests_observed: 0 },
        effects: [effect.http({ method: 'GET', url: input.$value.url, headers: {}, body_ref: null }, { cap_slot: 'default' })],
      };
    }
    if (state.pending_request === null) return { state };
    const receipt = decodeReceipt({ schema: RECEIPT_ENVELOPE_SCHEMA, value: input.$value });
    if (receipt.kind !== 'http.request') return { state };
    const status = receipt.payload.status as Nat;
    return { state: { ...state, pc: { $tag: 'Completed' }, pending_request: null, primary_status: status, follow_status: null, requests_observed: 1 } };
  },
});
