// Ladder 03 (upstream smoke fixture 03-fetch-notify): Start{url, method: "GET"} makes one
// http.request; its receipt makes the workflow Done with the response's status and body_ref.
// Upstream mocks the reply and checks one request was collected and replay; we run the real
// HTTP adapter against a loopback server (the grant's host is 127.0.0.1 instead of
// example.com: the only change to the fixture's AIR besides the Receipt arm's schema) and also
// check: the request the server got (method, path, empty body, the intent's idempotency key),
// the journal's shape (cap and policy decisions, with the grant and rule that decided, before
// the intent; the receipt settling it), the receipt payload (status, content-type, body_ref
// naming the body in the CAS), the final state, Start while Fetching ignored, a second fetch
// from Done whose 404 is recorded as the answer, Starts the grant refuses (POST; host
// localhost) denied before any intent with no state change, a snapshot mid-run, both receipts ed25519-signed
// by the world's trusted http key, and no fault or open work at the end.
import { decodeCanonical, hashBytes, toHex } from '../../../src/cbor/index.ts';
import { HTTP_ADAPTER_ID_DEFAULT, HttpAdapter, IDEMPOTENCY_KEY_HEADER } from '../../../src/adapters/index.ts';
import { expectEqual, kindsOf, LoopbackServer } from '../../../scripts/ladder-kit.ts';
import type { LadderDriver, LadderWorld, LoopbackReply, LoopbackRequest } from '../../../scripts/ladder-kit.ts';
import type { EffectExecutor } from '../../../src/node/index.ts';

const WORKFLOW = 'demo/FetchNotify@1';
const EVENT = 'demo/FetchNotifyEvent@1';
const JSON_TYPE = 'application/json; charset=utf-8';
const MISSING = 'not found';
const DECIDED = ['cap_decision', 'policy_decision', 'effect_intent'];

/** Upstream's reply, built from the request: {"url": <the request URL>, "method": …, "demo": true}. */
function reply(origin: string, request: LoopbackRequest): LoopbackReply {
  if (request.path === '/missing') return { status: 404, headers: { 'content-type': 'text/plain' }, body: MISSING };
  return { status: 200, headers: { 'content-type': JSON_TYPE }, body: JSON.stringify({ url: `${origin}${request.path}`, method: request.method, demo: true }) };
}

interface Fetched { readonly intentHash: string; readonly idempotencyKey: Uint8Array; readonly payload: Record<string, unknown> }

/** Runs one fetch from Start to Done; checks the journal's shape on the way; returns the intent and receipt payload. */
async function fetchOnce(world: LadderWorld, executor: EffectExecutor, url: string, beforeDispatch: () => void = () => undefined): Promise<Fetched> {
  const started = world.send(EVENT, { Start: { url, method: 'GET' } });
  expectEqual(kindsOf(started), ['domain_event', ...DECIDED], 'Start journals the event, the decisions, then http.request');
  const [, cap, policy, intent] = started.map((record) => record.body);
  if (cap?.kind !== 'cap_decision' || policy?.kind !== 'policy_decision' || intent?.kind !== 'effect_intent') throw new Error('unreachable: kinds checked');
  expectEqual([cap.grant, cap.cap_type, cap.decision, cap.intent_hash], ['cap_http_fetch', 'http.out', 'allow', intent.intent_hash], 'the cap decision: the grant allows it');
  expectEqual([policy.policy, policy.rule_index, policy.decision, policy.intent_hash], ['demo/http-policy@1', 0, 'allow', intent.intent_hash], 'the policy decision: its first rule allows it');
  expectEqual([intent.effect_kind, intent.cap_slot ?? 'default', decodeCanonical(intent.params)], ['http.request', 'default', { method: 'GET', url, headers: {}, body_ref: null }], 'the intent');
  beforeDispatch();
  const from = world.world.head.height;
  executor.dispatch();
  await executor.idle();
  await world.until('the fetch completes', () => world.world.openIntents().size === 0 && (world.state(WORKFLOW) as { pc: string }).pc === 'Done');
  const records = world.records(from);
  expectEqual(kindsOf(records), ['effect_receipt'], 'the receipt settles the fetch and opens nothing');
  const receipt = records[0]?.body;
  if (receipt?.kind !== 'effect_receipt') throw new Error('unreachable: kinds checked');
  expectEqual([receipt.intent_hash, receipt.adapter_id, receipt.status], [intent.intent_hash, HTTP_ADAPTER_ID_DEFAULT, 'ok'], 'the receipt settles the intent, from the http adapter, ok');
  return { intentHash: intent.intent_hash, idempotencyKey: intent.idempotency_key, payload: decodeCanonical(receipt.payload) as Record<string, unknown> };
}

/** The receipt names the body the server sent, and the CAS holds it. */
function checkReceipt(world: LadderWorld, fetched: Fetched, status: number, contentType: string, body: string): void {
  const bytes = new TextEncoder().encode(body);
  const { timings, headers, ...rest } = fetched.payload as { timings: { start_ns: bigint; end_ns: bigint }; headers: Record<string, string> };
  expectEqual(rest, { status, body_ref: hashBytes(bytes), adapter_id: HTTP_ADAPTER_ID_DEFAULT }, 'the receipt payload');
  expectEqual(headers['content-type'], contentType, 'the receipt records the response\'s content-type');
  if (!(BigInt(timings.start_ns) <= BigInt(timings.end_ns))) throw new Error(`receipt timings run backwards: ${timings.start_ns} > ${timings.end_ns}`);
  expectEqual(world.world.cas.get(hashBytes(bytes)), bytes, 'the response body in the CAS under body_ref');
}

/** The server got exactly this GET: path, no body, and the intent's idempotency key. */
function checkRequest(request: LoopbackRequest | undefined, path: string, fetched: Fetched): void {
  if (request === undefined) throw new Error(`the server never got ${path}`);
  expectEqual([request.method, request.path, request.body], ['GET', path, new Uint8Array(0)], 'the request the server got');
  expectEqual(request.headers[IDEMPOTENCY_KEY_HEADER], toHex(fetched.idempotencyKey), 'the request carries the intent\'s idempotency key');
}

/** A Start the grant refuses: the cap decision denies it (with `code`) and the step faults, before any intent. */
function denied(world: LadderWorld, start: { url: string; method: string }, code: string): void {
  const records = world.send(EVENT, { Start: start });
  expectEqual(kindsOf(records), ['domain_event', 'cap_decision', 'workflow_fault'], `a Start the grant refuses (${code}) journals the denial and a fault, no intent`);
  const cap = records[1]?.body;
  expectEqual(cap?.kind === 'cap_decision' ? [cap.decision, cap.code] : [], ['deny', code], 'the cap decision');
}

export const driver: LadderDriver = {
  slug: '03-fetch-notify',
  world: 'worlds/ladder/03-fetch-notify',
  adapterKeys: [HTTP_ADAPTER_ID_DEFAULT],
  async run(world) {
    let origin = '';
    const server = await LoopbackServer.start((request) => reply(origin, request));
    origin = server.origin;
    try {
      const executor = world.executor([{ adapter: new HttpAdapter() }]);
      const url = `${origin}/data.json`;
      const fetched = await fetchOnce(world, executor, url, () => {
        expectEqual(kindsOf(world.send(EVENT, { Start: { url: `${origin}/other`, method: 'GET' } })), ['domain_event'], 'Start while Fetching emits nothing');
        world.snapshot();
      });
      expectEqual(server.requests.length, 1, 'exactly one request (upstream\'s check)');
      checkRequest(server.requests[0], '/data.json', fetched);
      const body = JSON.stringify({ url, method: 'GET', demo: true });
      checkReceipt(world, fetched, 200, JSON_TYPE, body);
      expectEqual(world.state(WORKFLOW), { pc: 'Done', next_request_id: 1, pending_request: null, last_status: 200, last_body_ref: hashBytes(new TextEncoder().encode(body)) }, 'final state (upstream\'s expect)');

      const missing = await fetchOnce(world, executor, `${origin}/missing`);
      expectEqual(server.requests.length, 2, 'one more request');
      checkRequest(server.requests[1], '/missing', missing);
      checkReceipt(world, missing, 404, 'text/plain', MISSING);
      expectEqual(world.state(WORKFLOW), { pc: 'Done', next_request_id: 2, pending_request: null, last_status: 404, last_body_ref: hashBytes(new TextEncoder().encode(MISSING)) }, 'a second fetch from Done records the 404 as the answer');

      const done = world.state(WORKFLOW);
      denied(world, { url: `${origin}/data.json`, method: 'POST' }, 'method_not_allowed');
      denied(world, { url: `${origin.replace('127.0.0.1', 'localhost')}/data.json`, method: 'GET' }, 'host_not_allowed');
      expectEqual([world.state(WORKFLOW), server.requests.length], [done, 2], 'denied Starts change no state and send nothing');

      const effects = world.records(0).filter((record) => [...DECIDED, 'effect_receipt'].includes(record.body.kind));
      expectEqual(kindsOf(effects), [...DECIDED, 'effect_receipt', ...DECIDED, 'effect_receipt', 'cap_decision', 'cap_decision'], 'the journal: each effect decided, intended, then settled before the next; the denials stop at the cap');
      expectEqual(world.verifyReceiptSignatures(), 2, 'both receipts verify against the world\'s trusted http key');
      const faults = world.records(0, 'workflow_fault').map((record) => (record.body.kind === 'workflow_fault' ? record.body.failure.kind : ''));
      expectEqual([faults, world.records(0, 'receipt_rejected').length], [['effect_denied', 'effect_denied'], 0], 'no faults but the two denials, no rejected receipts');
      expectEqual([world.world.openIntents().size, executor.problems.length], [0, 0], 'no open work left');
    } finally {
      await server.close();
    }
  },
};
