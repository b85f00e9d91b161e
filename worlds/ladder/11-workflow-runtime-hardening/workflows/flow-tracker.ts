// demo/FlowTracker@1: requests of several URLs each, fanned out only once approved. Start{id,
// urls} records (or replaces) request `id` as unapproved, one worker per URL, and drops any
// pending workers of an earlier request with that id. Approval{id, approved: true} of a known
// request that is neither approved nor done approves it and emits one GET per URL, tagged
// issuer_ref "<id>:<i>" and filed in pending_by_hash ("<id>:<i>" → id); with no URLs it
// finalizes at once. Each worker's receipt (through the Receipt arm) settles that worker; the
// last one marks the request done and finalizes it: pending entries purged, completed_count
// incremented, last_request_id and last_worker_count set.
// As upstream: an http.request receipt without issuer_ref fails the step (every worker is
// emitted with one), an unknown issuer_ref is ignored, and a worker counts as completed
// whatever its receipt's status or HTTP status: this fixture is about the runtime carrying
// work across a restart, and a settled worker is done. Unlike upstream, a worker's entry leaves
// pending_by_hash when its receipt arrives, so pending_by_hash always lists the workers still
// out and a worker can never be counted twice.
import { decodeReceipt, defineWorkflow, effect, RECEIPT_ENVELOPE_SCHEMA } from 'agentos/sdk';
import type { AirValue, EffectIntent } from 'agentos/sdk';

type Nat = number | bigint;
interface FlowRequest {
  readonly request_id: Nat;
  readonly approved: boolean;
  readonly worker_count: Nat;
  readonly completed_workers: Nat;
  readonly urls: readonly string[];
  readonly done: boolean;
}
interface FlowState {
  readonly completed_count: Nat;
  readonly last_request_id: Nat | null;
  readonly last_worker_count: Nat | null;
  readonly requests: readonly FlowRequest[];
  readonly pending_by_hash: Readonly<Record<string, Nat>>;
}
type FlowEvent =
  | { $tag: 'Start'; $value: { request_id: Nat; urls: readonly string[] } }
  | { $tag: 'Approval'; $value: { request_id: Nat; approved: boolean } }
  | { $tag: 'Receipt'; $value: AirValue };
type Outcome = { state: FlowState; effects?: EffectIntent[] };

const same = (a: Nat, b: Nat): boolean => BigInt(a) === BigInt(b);
const workerRef = (id: Nat, index: number): string => `${id}:${index}`;

/** pending_by_hash without the workers of request `id`. */
function withoutWorkersOf(pending: FlowState['pending_by_hash'], id: Nat): FlowState['pending_by_hash'] {
  return Object.fromEntries(Object.entries(pending).filter(([, owner]) => !same(owner, id)));
}

/** The state with request `id` replaced by `update(request)`. */
function updated(state: FlowState, id: Nat, update: (request: FlowRequest) => FlowRequest): FlowState {
  return { ...state, requests: state.requests.map((request) => (same(request.request_id, id) ? update(request) : request)) };
}

/** Request `id` is done: its workers leave pending_by_hash and it becomes the last one completed. */
function finalize(state: FlowState, request: FlowRequest): FlowState {
  const done = updated(state, request.request_id, (current) => ({ ...current, done: true }));
  return {
    ...done, pending_by_hash: withoutWorkersOf(done.pending_by_hash, request.request_id), completed_count: BigInt(done.completed_count) + 1n,
    last_request_id: request.request_id, last_worker_count: request.worker_count,
  };
}

function start(state: FlowState, id: Nat, urls: readonly string[]): Outcome {
  const fresh: FlowRequest = { request_id: id, approved: false, worker_count: urls.length, completed_workers: 0, urls, done: false };
  const known = state.requests.some((request) => same(request.request_id, id));
  const requests = known ? state.requests.map((request) => (same(request.request_id, id) ? fresh : request)) : [...state.requests, fresh];
  return { state: { ...state, requests, pending_by_hash: withoutWorkersOf(state.pending_by_hash, id) } };
}

function approve(state: FlowState, id: Nat, approved: boolean): Outcome {
  const request = state.requests.find((candidate) => same(candidate.request_id, id));
  if (!approved || request === undefined || request.done || request.approved) return { state };
  const marked = { ...request, approved: true };
  const next = updated(state, id, () => marked);
  if (request.urls.length === 0) return { state: finalize(next, marked) };
  const refs = request.urls.map((_, index) => workerRef(id, index));
  return {
    state: { ...next, pending_by_hash: { ...next.pending_by_hash, ...Object.fromEntries(refs.map((ref) => [ref, id])) } },
    effects: request.urls.map((url, index) => effect.http({ method: 'GET', url, headers: {}, body_ref: null }, { cap_slot: 'default', issuer_ref: workerRef(id, index) })),
  };
}

function settleWorker(state: FlowState, ref: string): Outcome {
  const owner = state.pending_by_hash[ref];
  if (owner === undefined) return { state };
  const request = state.requests.find((candidate) => same(candidate.request_id, owner));
  const pending = Object.fromEntries(Object.entries(state.pending_by_hash).filter(([other]) => other !== ref));
  // Start drops a request's workers when it replaces it, and requests are never removed: an owner is always known.
  if (request === undefined) return { state: { ...state, pending_by_hash: pending } };
  const counted = { ...request, completed_workers: BigInt(request.completed_workers) + 1n };
  const next = { ...updated(state, owner, () => counted), pending_by_hash: pending };
  return { state: BigInt(counted.completed_workers) >= BigInt(counted.worker_count) ? finalize(next, counted) : next };
}

defineWorkflow<FlowState, FlowEvent>({
  init: () => ({ completed_count: 0, last_request_id: null, last_worker_count: null, requests: [], pending_by_hash: {} }),
  step(state, event) {
    const input = event.value;
    if (input.$tag === 'Start') return start(state, input.$value.request_id, input.$value.urls);
    if (input.$tag === 'Approval') return approve(state, input.$value.request_id, input.$value.approved);
    const receipt = decodeReceipt({ schema: RECEIPT_ENVELOPE_SCHEMA, value: input.$value });
    if (receipt.kind !== 'http.request') return { state };
    const ref = receipt.envelope.issuer_ref;
    if (ref === null) throw new Error(`the http.request receipt ${receipt.envelope.intent_id} has no issuer_ref; every worker is emitted with one`);
    return settleWorker(state, ref);
  },
});
