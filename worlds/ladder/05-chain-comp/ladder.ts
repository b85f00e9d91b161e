// Ladder 05 (upstream smoke fixture 05-chain-comp): a saga with compensation. Start charges,
// then reserves; the reservation answers 503, so the saga refunds the charge and ends Refunded.
// Upstream mocks each reply and checks one request per stage (charge, reserve, refund), phase
// Refunded, a refund_status and replay. We run the real HTTP adapter against a loopback server
// that holds each answer until the driver releases it, and also check: at each stage, exactly
// one new request (POST, its path, no body, the order's headers, its intent's idempotency key)
// and the state (phase, statuses so far); the journal's shape (each receipt settles the step's
// intent and opens exactly the next step's, tagged with its issuer_ref; the last opens
// nothing); upstream's expected values (charge 201, reserve 503, notify null, refund 202,
// last_error naming the 503 and its body, next_request_id 1); each body in the CAS under its
// receipt's body_ref; Start while a saga runs ignored; a snapshot mid-saga; then a second
// saga that succeeds (charge, reserve, notify: Completed, no refund) and a third whose charge
// is refused (402: Failed at once, nothing reserved or refunded); every receipt ed25519-signed
// by the world's trusted http key; no fault, rejected receipt or open work at the end.
// Changes to the fixture's AIR, and why:
// - the grant's host is 127.0.0.1 instead of example.com: the requests go to the loopback
//   server, and the http.out cap schema has no port field to name it more narrowly;
// - sys/EffectReceiptEnvelope@1 is listed in the manifest's schemas: the Receipt arm refers to it;
// - demo/ChainPhase@1 has a Failed arm: where a charge is refused or a refund fails (upstream
//   reserved stock after a failed charge and called a failed refund Refunded; see the module).
import { decodeCanonical, hashBytes, toHex } from '../../../src/cbor/index.ts';
import type { Hash } from '../../../src/cbor/index.ts';
import { HTTP_ADAPTER_ID_DEFAULT, HttpAdapter, IDEMPOTENCY_KEY_HEADER } from '../../../src/adapters/index.ts';
import type { SealedRecord } from '../../../src/kernel/index.ts';
import type { EffectExecutor } from '../../../src/node/index.ts';
import { expectEqual, HeldReplies, kindsOf, LoopbackServer } from '../../../scripts/ladder-kit.ts';
import type { LadderDriver, LadderWorld } from '../../../scripts/ladder-kit.ts';

const WORKFLOW = 'demo/ChainComp@1';
const EVENT = 'demo/ChainEvent@1';
const DECIDED = ['cap_decision', 'policy_decision', 'effect_intent'];
const STEPS = ['charge', 'reserve', 'notify', 'refund'] as const;
type Step = (typeof STEPS)[number];

interface Order { readonly order_id: string; readonly customer_id: string; readonly amount_cents: number; readonly reserve_sku: string }
/** One stage: the step's answer, and the step the saga takes next (null: it ends). */
interface Stage { readonly step: Step; readonly status: number; readonly next: Step | null }
interface Saga { readonly order: Order; readonly stages: readonly Stage[]; readonly phase: string; readonly failedAt: Step | null }

/** Upstream's run (ORDER-1: the reservation fails, the charge is refunded), then ours. */
const SAGAS: readonly Saga[] = [
  {
    order: { order_id: 'ORDER-1', customer_id: 'cust-123', amount_cents: 1999, reserve_sku: 'sku-123' },
    stages: [{ step: 'charge', status: 201, next: 'reserve' }, { step: 'reserve', status: 503, next: 'refund' }, { step: 'refund', status: 202, next: null }],
    phase: 'Refunded', failedAt: 'reserve',
  },
  {
    order: { order_id: 'ORDER-2', customer_id: 'cust-456', amount_cents: 500, reserve_sku: 'sku-456' },
    stages: [{ step: 'charge', status: 201, next: 'reserve' }, { step: 'reserve', status: 200, next: 'notify' }, { step: 'notify', status: 202, next: null }],
    phase: 'Completed', failedAt: null,
  },
  {
    order: { order_id: 'ORDER-3', customer_id: 'cust-789', amount_cents: 75, reserve_sku: 'sku-789' },
    stages: [{ step: 'charge', status: 402, next: null }],
    phase: 'Failed', failedAt: 'charge',
  },
];

/** Upstream's bodies: {"charge":"ok"}, {"reserve":"error"}, {"refund":"ok"}. */
const bodyOf = (stage: Stage): string => JSON.stringify({ [stage.step]: stage.status < 400 ? 'ok' : 'error' });
const refOf = (stage: Stage): Hash => hashBytes(new TextEncoder().encode(bodyOf(stage)));
const targetOf = (origin: string, step: Step) => ({ name: step, method: 'POST', url: `${origin}/${step}` });
const heldKey = (orderId: string, path: string): string => `${orderId} ${path}`;

/** The headers each step's request carries: the order id, and what the step needs of the order. */
function headersOf(order: Order, step: Step): Record<string, string> {
  if (step === 'charge' || step === 'refund') return { 'x-order-id': order.order_id, 'x-customer-id': order.customer_id, 'x-amount-cents': String(order.amount_cents) };
  if (step === 'reserve') return { 'x-order-id': order.order_id, 'x-reserve-sku': order.reserve_sku };
  return { 'x-order-id': order.order_id };
}

/** The saga's state once `done` stages have been answered. */
function sagaState(origin: string, saga: Saga, requestId: number, done: number): unknown {
  const answered = saga.stages.slice(0, done);
  const status = (step: Step) => answered.find((stage) => stage.step === step)?.status ?? null;
  const failed = answered.find((stage) => stage.step === saga.failedAt);
  return {
    request_id: requestId, ...saga.order,
    charge_status: status('charge'), reserve_status: status('reserve'), notify_status: status('notify'), refund_status: status('refund'),
    last_error: failed === undefined ? null : `${failed.step} failed: status=${failed.status} body_ref=${refOf(failed)}`,
    charge_target: targetOf(origin, 'charge'), reserve_target: targetOf(origin, 'reserve'), notify_target: targetOf(origin, 'notify'), refund_target: targetOf(origin, 'refund'),
  };
}

const WAITING: Readonly<Record<Step, string>> = { charge: 'Charging', reserve: 'Reserving', notify: 'Notifying', refund: 'Refunding' };

/** Checks the intent a record list ends with: the step's request, tagged with its issuer_ref; returns its hash and idempotency key. */
function stepIntent(origin: string, order: Order, step: Step, records: readonly SealedRecord[]): { hash: Hash; key: Uint8Array } {
  const intent = records.at(-1)?.body;
  if (intent?.kind !== 'effect_intent') throw new Error(`the ${step} step opened no intent`);
  expectEqual([intent.effect_kind, intent.issuer_ref, intent.grant, decodeCanonical(intent.params)],
    ['http.request', step, 'cap_http_chain', { method: 'POST', url: `${origin}/${step}`, headers: headersOf(order, step), body_ref: null }], `the ${order.order_id} ${step} intent`);
  return { hash: intent.intent_hash, key: intent.idempotency_key };
}

interface Run { readonly world: LadderWorld; readonly executor: EffectExecutor; readonly server: LoopbackServer; readonly held: HeldReplies; readonly origin: string }

/** The server's next request is exactly this step's: POST, its path, no body, the order's headers, the intent's idempotency key. */
async function expectRequest(run: Run, order: Order, step: Step, intent: { key: Uint8Array }): Promise<void> {
  const count = run.server.requests.length + 1;
  run.executor.dispatch();
  await run.server.received(count);
  await run.world.until('the executor is busy with the step only', () => run.executor.inFlight.size === 1);
  expectEqual(run.server.requests.length, count, `exactly one request at the ${order.order_id} ${step} stage (upstream's check)`);
  const request = run.server.requests[count - 1];
  if (request === undefined) throw new Error('unreachable: counted');
  const seen = Object.fromEntries(Object.keys(headersOf(order, step)).map((name) => [name, request.headers[name]]));
  expectEqual([request.method, request.path, request.body, seen, request.headers[IDEMPOTENCY_KEY_HEADER]],
    ['POST', `/${step}`, new Uint8Array(0), headersOf(order, step), toHex(intent.key)], `the ${order.order_id} ${step} request the server got`);
}

/** Runs one saga from Start to its end, stage by stage. */
async function runSaga(run: Run, saga: Saga, requestId: number, snapshotAfter?: Step): Promise<void> {
  const { world, origin, held } = run;
  const started = world.send(EVENT, { Start: { ...saga.order, ...Object.fromEntries(STEPS.map((step) => [step, targetOf(origin, step)])) } });
  expectEqual(kindsOf(started), ['domain_event', ...DECIDED], 'Start journals the event, then the charge\'s decisions and intent');
  let intent = stepIntent(origin, saga.order, 'charge', started);
  for (const [index, stage] of saga.stages.entries()) {
    await expectRequest(run, saga.order, stage.step, intent);
    expectEqual(world.state(WORKFLOW), { phase: WAITING[stage.step], next_request_id: requestId + 1, current_saga: sagaState(origin, saga, requestId, index) }, `waiting for ${stage.step}`);
    if (index === 0) expectEqual(kindsOf(world.send(EVENT, { Start: { ...SAGAS[1]?.order, ...Object.fromEntries(STEPS.map((step) => [step, targetOf(origin, step)])) } })), ['domain_event'], 'Start while a saga runs emits nothing');
    const from = world.world.head.height;
    held.release(heldKey(saga.order.order_id, `/${stage.step}`), { status: stage.status, headers: { 'content-type': 'application/json' }, body: bodyOf(stage) });
    await world.until(`the ${stage.step} receipt`, () => world.records(from, 'effect_receipt').length === 1);
    const records = world.records(from);
    expectEqual(kindsOf(records), ['effect_receipt', ...(stage.next === null ? [] : DECIDED)], `the ${stage.step} receipt ${stage.next === null ? 'opens nothing' : `opens ${stage.next}`}`);
    const receipt = records[0]?.body;
    if (receipt?.kind !== 'effect_receipt') throw new Error('unreachable: kinds checked');
    const payload = decodeCanonical(receipt.payload) as { status: number; body_ref: string };
    expectEqual([receipt.intent_hash, receipt.adapter_id, receipt.status, payload.status, payload.body_ref], [intent.hash, HTTP_ADAPTER_ID_DEFAULT, 'ok', stage.status, refOf(stage)], `the ${stage.step} receipt settles its intent with the server's answer`);
    expectEqual(world.world.cas.get(refOf(stage)), new TextEncoder().encode(bodyOf(stage)), `the ${stage.step} body in the CAS`);
    if (stage.next !== null) intent = stepIntent(origin, saga.order, stage.next, records);
    if (stage.step === snapshotAfter) world.snapshot(); // replay-or-die then also replays from mid-saga
  }
  await run.executor.idle();
  expectEqual(world.state(WORKFLOW), { phase: saga.phase, next_request_id: requestId + 1, current_saga: sagaState(origin, saga, requestId, saga.stages.length) }, `${saga.order.order_id} ends ${saga.phase}`);
}

export const driver: LadderDriver = {
  slug: '05-chain-comp',
  world: 'worlds/ladder/05-chain-comp',
  adapterKeys: [HTTP_ADAPTER_ID_DEFAULT],
  async run(world) {
    const held = new HeldReplies();
    const server = await LoopbackServer.start((request) => held.answer(heldKey(String(request.headers['x-order-id']), request.path)));
    try {
      const run: Run = { world, executor: world.executor([{ adapter: new HttpAdapter() }]), server, held, origin: server.origin };
      const [compensated, completed, refused] = SAGAS;
      if (compensated === undefined || completed === undefined || refused === undefined) throw new Error('three sagas');
      await runSaga(run, compensated, 0, 'charge');
      const state = world.state(WORKFLOW) as { phase: string; next_request_id: number; current_saga: { refund_status: number | null; notify_status: number | null; last_error: string | null } };
      expectEqual([state.phase, state.current_saga.refund_status !== null], ['Refunded', true], 'upstream\'s checks: Refunded, with a refund_status');
      expectEqual([state.current_saga.notify_status, state.current_saga.last_error !== null, state.next_request_id], [null, true, 1], 'upstream\'s expect: no notify, last_error set, next_request_id 1');
      expectEqual(server.requests.map((request) => request.path), ['/charge', '/reserve', '/refund'], 'the compensated saga reached charge, reserve and refund, never notify');

      await runSaga(run, completed, 1);
      expectEqual(server.requests.slice(3).map((request) => request.path), ['/charge', '/reserve', '/notify'], 'a saga that succeeds notifies and refunds nothing');
      await runSaga(run, refused, 2);
      expectEqual(server.requests.slice(6).map((request) => request.path), ['/charge'], 'a refused charge reserves nothing and has nothing to refund');

      expectEqual(world.verifyReceiptSignatures(), 7, 'all seven receipts verify against the world\'s trusted http key');
      expectEqual(world.records(0, 'workflow_fault').length + world.records(0, 'receipt_rejected').length, 0, 'no faults, no rejected receipts');
      expectEqual([world.world.openIntents().size, run.executor.problems.length], [0, 0], 'no open work left');
    } finally {
      await server.close();
    }
  },
};
