// demo/SafeUpgrade@2: Start as in @1 (it also keeps the URL's origin). The first receipt records
// primary_status and emits a follow-up GET of <origin>/follow.json; the second records
// follow_status and completes it with two requests observed. Upstream's follow-up URL is fixed
// (https://example.com/follow.json); ours goes to the same origin as the Start URL, so the ladder
// serves it on loopback, and the state (demo/SafeUpgradeState@2) keeps that origin.
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
  readonly origin: string | null;
}
type SafeUpgradeEvent = { $tag: 'Start'; $value: { url: string } } | { $tag: 'Receipt'; $value: AirValue };

const successor = (id: Nat): Nat => (typeof id === 'bigint' ? id + 1n : id + 1);

/** `scheme://host[:port]` of a URL: everything before the first `/` after the `//`. */
function originOf(url: string): string {
  const start = url.indexOf('//');
  const end = url.indexOf('/', start + 2);
  return end === -1 ? url : url.slice(0, end);
}

defineWorkflow<SafeUpgradeState, SafeUpgradeEvent>({
  init: () => ({ pc: { $tag: 'Idle' }, next_request_id: 0, pending_request: null, primary_status: null, follow_status: null, requests_observed: 0, origin: null }),
  step(state, event) {
    const input = event.value;
    if (input.$tag === 'Start') {
      if (state.pc.$tag === 'Fetching') return { state };
      return {
        state: {
          pc: { $tag: 'Fetching' }, next_request_id: successor(state.next_request_id), pending_request: state.next_request_id,
          primary_status: null, follow_status: null, requests_observed: 0, origin: originOf(input.$value.url),
        },
        effects: [effect.http({ method: 'GET', url: input.$value.url, headers: {}, body_ref: null }, { cap_slot: 'default' })],
      };
    }
    if (state.pending_request === null) return { state };
    const receipt = decodeReceipt({ schema: RECEIPT_ENVELOPE_SCHEMA, value: input.$value });
    if (receipt.kind !== 'http.request') return { state };
    const status = receipt.payload.status as Nat;
    if (state.primary_status === null) {
      return {
        state: { ...state, primary_status: status, requests_observed: 1 },
        effects: [effect.http({ method: 'GET', url: `${state.origin ?? ''}/follow.json`, headers: {}, body_ref: null }, { cap_slot: 'default' })],
      };
    }
    return { state: { ...state, pc: { $tag: 'Completed' }, pending_request: null, follow_status: status, requests_observed: 2 } };
  },
});
