// Ladder 08 (upstream smoke fixture 08-retry-backoff): Start{req-123, max_attempts 3,
// base_delay_ms 10, now_ns 1 ms} POSTs the work; the server answers 503 twice, so the workflow
// backs off on timers due at 11 ms and 21 ms of logical time and succeeds on attempt 3. Upstream
// mocks both effects (it answers each timer at once, never using logical time) and checks three
// http attempts, timers exactly [11_000_000, 21_000_000], the final state (Done, attempt 3,
// timers_scheduled 2, last_status 200) and replay. We run the real HTTP adapter against a
// loopback server that answers by the x-attempt header it sees, and the real timer adapter on
// the ladder's virtual clock, which the driver moves: to 1 ms before Start (so logical time
// agrees with the Start's now_ns), then to each timer's due time, and no further. We also
// check: each attempt's request (POST /work, x-request-id, x-attempt 1, 2, 3, its intent's
// idempotency key, one per attempt); the journal's shape (each failure's receipt opens exactly
// one timer.set, each timer's receipt exactly the next http.request, success opens nothing);
// that no timer fires a nanosecond early and each fires stamped at its due time, with receipt
// {delivered_at_ns, key: req_id}; the state at every step; Start during backoff ignored; a
// snapshot mid-backoff; a 404 (Failed at once, no timer); a server that is down (a connection
// refused is an `error` receipt, which this module retries; upstream ignored receipt status),
// failing after max_attempts with last_status null; every receipt ed25519-signed by the
// world's trusted http or timer key; no fault, rejected receipt or open work at the end.
// Changes to the fixture's AIR, and why:
// - the grant's host is 127.0.0.1 instead of example.com: the requests go to the loopback
//   server, and the http.out cap schema has no port field to name it more narrowly;
// - demo/StartWork@1 and demo/RetryState@1 have a `url` field: upstream's module hard-codes
//   https://example.com/work, and the loopback server's port is chosen when the run starts;
// - sys/EffectReceiptEnvelope@1 is listed in the manifest's schemas: the Receipt arm refers to it.
import { decodeCanonical, toHex } from '../../../src/cbor/index.ts';
import type { Hash } from '../../../src/cbor/index.ts';
import { HTTP_ADAPTER_ID_DEFAULT, HttpAdapter, IDEMPOTENCY_KEY_HEADER } from '../../../src/adapters/index.ts';
import { TIMER_ADAPTER_ID_DEFAULT, TimerAdapter } from '../../../src/node/index.ts';
import type { EffectExecutor } from '../../../src/node/index.ts';
import type { SealedRecord } from '../../../src/kernel/index.ts';
import { expectEqual, HeldReplies, kindsOf, LoopbackServer } from '../../../scripts/ladder-kit.ts';
import type { LadderDriver, LadderWorld, LoopbackReply, LoopbackRequest } from '../../../scripts/ladder-kit.ts';

const WORKFLOW = 'demo/RetrySM@1';
const EVENT = 'demo/RetryEvent@1';
const DECIDED = ['cap_decision', 'policy_decision', 'effect_intent'];
const MS_NS = 1_000_000;
/** Upstream's Start: anchor 1 ms, base delay 10 ms, three attempts. */
const UPSTREAM = { req_id: 'req-123', payload: 'do_work', max_attempts: 3, base_delay_ms: 10, now_ns: 1 * MS_NS };
/** The timers upstream checks: anchor + 10 ms · 2^0, anchor + 10 ms · 2^1. */
const UPSTREAM_TIMERS_NS = [11_000_000, 21_000_000];

/** What the server answers each request id, by attempt (x-attempt, 1-based): upstream's 503, 503, 200, and a 404. */
const ANSWERS: Readonly<Record<string, readonly number[]>> = { 'req-123': [503, 503, 200], 'req-404': [404] };
/** Empty bodies, as upstream's mock replies (no body_ref). */
const answer = (status: number): LoopbackReply => ({ status, headers: { 'content-type': 'text/plain' }, body: '' });
const attemptKey = (reqId: unknown, attempt: unknown): string => `${String(reqId)}#${String(attempt)}`;

/** Upstream's request id is answered when the driver releases each attempt; others at once. */
function reply(held: HeldReplies, request: LoopbackRequest): LoopbackReply | Promise<LoopbackReply> {
  const reqId = request.headers['x-request-id'];
  if (reqId === UPSTREAM.req_id) return held.answer(attemptKey(reqId, request.headers['x-attempt']));
  const status = ANSWERS[String(reqId)]?.[Number(request.headers['x-attempt']) - 1];
  return answer(status ?? 400);
}

interface Run { readonly world: LadderWorld; readonly executor: EffectExecutor; readonly server: LoopbackServer; readonly held: HeldReplies }
interface Opened { readonly hash: Hash; readonly key: Uint8Array; readonly params: unknown }

/** The intent a list of records ends with, of `kind`. */
function openedBy(records: readonly SealedRecord[], kind: string): Opened {
  const intent = records.at(-1)?.body;
  if (intent?.kind !== 'effect_intent' || intent.effect_kind !== kind) throw new Error(`no ${kind} intent was opened`);
  return { hash: intent.intent_hash, key: intent.idempotency_key, params: decodeCanonical(intent.params) };
}

/** Whether a record is an input of its own (stamped at ingress), not something an input caused. */
const isInput = (record: SealedRecord): boolean => record.body.kind === 'effect_receipt' || (record.body.kind === 'domain_event' && record.body.origin.kind === 'ingress');

/**
 * The first receipt from `from` on settles `intent` (from `adapter`, with `status`); returns its
 * records (the receipt and what it caused, up to the next input: the next attempt may already
 * have settled too) and its payload.
 */
async function settled(run: Run, from: number, intent: Opened, adapter: string, status: string, what: string): Promise<{ records: SealedRecord[]; payload: unknown; stampNs: bigint }> {
  await run.world.until(what, () => run.world.records(from, 'effect_receipt').length >= 1);
  const all = run.world.records(from);
  expectEqual(all[0] === undefined ? false : isInput(all[0]), true, `${what}: the first record after height ${from} is an input`);
  const next = all.findIndex((record, index) => index > 0 && isInput(record));
  const records = next === -1 ? all : all.slice(0, next);
  const receipt = records[0]?.body;
  if (receipt?.kind !== 'effect_receipt') throw new Error(`${what}: the next record is ${receipt?.kind ?? 'missing'}, not a receipt`);
  expectEqual([receipt.intent_hash, receipt.adapter_id, receipt.status], [intent.hash, adapter, status], `${what} settles its intent`);
  return { records, payload: decodeCanonical(receipt.payload), stampNs: receipt.stamp.logical_now_ns };
}

/** The request params of attempt `attempt`. */
const requestParams = (url: string, reqId: string, attempt: number) => ({ method: 'POST', url, headers: { 'x-attempt': String(attempt), 'x-request-id': reqId }, body_ref: null });

/** The workflow's state, with the fields every check shares. */
function stateOf(work: { req_id: string; payload: string; url: string; max_attempts: number; base_delay_ms: number; now_ns: number }, fields: { pc: string; attempt: number; pending_request: boolean; last_status: number | null; timers_scheduled: number }): unknown {
  return { ...fields, max_attempts: work.max_attempts, base_delay_ms: work.base_delay_ms, anchor_ns: work.now_ns, payload: work.payload, req_id: work.req_id, url: work.url };
}

/** A timer due at `dueNs` waits on the clock, does not fire a nanosecond early, then fires at its time; returns its settling. */
async function fireTimer(run: Run, timer: Opened, dueNs: number, reqId: string): Promise<SealedRecord[]> {
  const { world } = run;
  await world.until(`the timer due at ${dueNs} waits on the clock`, () => world.clock.pending.length === 1);
  expectEqual(world.clock.pending, [BigInt(dueNs)], 'one timer waits, for its due time');
  world.clock.advanceTo(BigInt(dueNs - 1));
  await world.until('an event-loop turn', () => true);
  expectEqual([world.clock.pending.length, world.world.openIntents().has(timer.hash)], [1, true], `the timer due at ${dueNs} does not fire a nanosecond early`);
  const from = world.world.head.height;
  world.clock.advanceTo(BigInt(dueNs));
  const fired = await settled(run, from, timer, TIMER_ADAPTER_ID_DEFAULT, 'ok', `the timer due at ${dueNs}`);
  expectEqual([fired.payload, fired.stampNs], [{ delivered_at_ns: dueNs, key: reqId }, BigInt(dueNs)], 'the timer receipt: delivered at its due time, keyed by req_id, stamped then in logical time');
  return fired.records;
}

/** Upstream's run: attempts 1 and 2 get 503 and back off on timers at 11 and 21 ms; attempt 3 gets 200. */
async function upstreamRun(run: Run): Promise<void> {
  const { world, server } = run;
  const work = { ...UPSTREAM, url: `${server.origin}/work` };
  world.clock.advanceTo(BigInt(work.now_ns));
  const started = world.send(EVENT, { Start: work });
  expectEqual(kindsOf(started), ['domain_event', ...DECIDED], 'Start journals the event, then the first attempt\'s decisions and intent');
  let request = openedBy(started, 'http.request');
  let from = world.world.head.height;
  const timersNs: number[] = [];
  for (const [index, status] of (ANSWERS[work.req_id] ?? []).entries()) {
    const attempt = index + 1;
    expectEqual(request.params, requestParams(work.url, work.req_id, attempt), `attempt ${attempt}'s request`);
    run.executor.dispatch();
    await server.received(attempt);
    const seen = server.requests[index];
    expectEqual([seen?.method, seen?.path, seen?.body, seen?.headers['x-request-id'], seen?.headers['x-attempt'], seen?.headers[IDEMPOTENCY_KEY_HEADER]],
      ['POST', '/work', new Uint8Array(0), work.req_id, String(attempt), toHex(request.key)], `the server got attempt ${attempt}`);
    expectEqual(world.state(WORKFLOW), stateOf(work, { pc: 'Requesting', attempt, pending_request: true, last_status: index === 0 ? null : 503, timers_scheduled: index }), `attempt ${attempt} under way`);
    run.held.release(attemptKey(work.req_id, attempt), answer(status));
    const answered = await settled(run, from, request, HTTP_ADAPTER_ID_DEFAULT, 'ok', `attempt ${attempt}'s receipt`);
    expectEqual((answered.payload as { status: number }).status, status, `attempt ${attempt}'s receipt carries the server's ${status}`);
    if (status < 400) {
      expectEqual(kindsOf(answered.records), ['effect_receipt'], 'success opens nothing');
      break;
    }
    expectEqual(kindsOf(answered.records), ['effect_receipt', ...DECIDED], `attempt ${attempt}'s ${status} opens one timer`);
    const timer = openedBy(answered.records, 'timer.set');
    const dueNs = work.now_ns + work.base_delay_ms * 2 ** (attempt - 1) * MS_NS;
    expectEqual(timer.params, { deliver_at_ns: dueNs, key: work.req_id }, `the backoff after attempt ${attempt}: anchor + ${work.base_delay_ms} ms · 2^${attempt - 1}`);
    timersNs.push(dueNs);
    expectEqual(world.state(WORKFLOW), stateOf(work, { pc: 'Backoff', attempt: attempt + 1, pending_request: false, last_status: status, timers_scheduled: attempt }), `backing off after attempt ${attempt}`);
    if (attempt === 1) {
      expectEqual(kindsOf(world.send(EVENT, { Start: { ...work, req_id: 'ignored' } })), ['domain_event'], 'Start during backoff emits nothing');
      world.snapshot(); // replay-or-die then also replays from mid-backoff, a timer open
    }
    const fired = await fireTimer(run, timer, dueNs, work.req_id);
    expectEqual(kindsOf(fired), ['effect_receipt', ...DECIDED], 'the timer\'s receipt opens exactly the next attempt');
    request = openedBy(fired, 'http.request');
    from = world.world.head.height;
  }
  expectEqual(server.requests.length, 3, '3 http attempts (upstream\'s check)');
  const journaledNs = world.records(0, 'effect_intent').flatMap((record) => (record.body.kind === 'effect_intent' && record.body.effect_kind === 'timer.set' ? [(decodeCanonical(record.body.params) as { deliver_at_ns: number }).deliver_at_ns] : []));
  expectEqual([timersNs, journaledNs], [UPSTREAM_TIMERS_NS, UPSTREAM_TIMERS_NS], 'timers exactly [11_000_000, 21_000_000] (upstream\'s check)');
  expectEqual(world.state(WORKFLOW), stateOf(work, { pc: 'Done', attempt: 3, pending_request: false, last_status: 200, timers_scheduled: 2 }), 'final state: Done, attempt 3, timers_scheduled 2, last_status 200 (upstream\'s check)');
}

/** A 404 is not retried: Failed at once, no timer. */
async function clientErrorRun(run: Run): Promise<void> {
  const { world, server } = run;
  const work = { req_id: 'req-404', payload: 'missing', url: `${server.origin}/work`, max_attempts: 3, base_delay_ms: 10, now_ns: Number(world.clock.nowNs()) };
  const request = openedBy(world.send(EVENT, { Start: work }), 'http.request');
  const from = world.world.head.height;
  run.executor.dispatch();
  const answered = await settled(run, from, request, HTTP_ADAPTER_ID_DEFAULT, 'ok', 'the 404 receipt');
  expectEqual(kindsOf(answered.records), ['effect_receipt'], 'a 404 opens no timer');
  expectEqual(world.state(WORKFLOW), stateOf(work, { pc: 'Failed', attempt: 1, pending_request: false, last_status: 404, timers_scheduled: 0 }), 'a 404 fails the work at once');
}

/** A server that is down: each attempt settles as an `error` receipt; one backoff, then Failed with no HTTP status. */
async function serverDownRun(run: Run, downOrigin: string): Promise<void> {
  const { world } = run;
  const work = { req_id: 'req-down', payload: 'unreachable', url: `${downOrigin}/work`, max_attempts: 2, base_delay_ms: 5, now_ns: Number(world.clock.nowNs()) };
  const request = openedBy(world.send(EVENT, { Start: work }), 'http.request');
  let from = world.world.head.height;
  run.executor.dispatch();
  const refused = await settled(run, from, request, HTTP_ADAPTER_ID_DEFAULT, 'error', 'the refused connection\'s receipt');
  expectEqual((refused.payload as { status: number }).status, 0, 'an error receipt has no HTTP status');
  expectEqual(kindsOf(refused.records), ['effect_receipt', ...DECIDED], 'an error receipt is retried: it opens a timer');
  const dueNs = work.now_ns + 5 * MS_NS;
  const timer = openedBy(refused.records, 'timer.set');
  expectEqual(timer.params, { deliver_at_ns: dueNs, key: work.req_id }, 'the backoff after the refused attempt');
  expectEqual(world.state(WORKFLOW), stateOf(work, { pc: 'Backoff', attempt: 2, pending_request: false, last_status: null, timers_scheduled: 1 }), 'backing off after a refused connection');
  const fired = await fireTimer(run, timer, dueNs, work.req_id);
  const retry = openedBy(fired, 'http.request');
  from = (fired.at(-1)?.height ?? 0) + 1; // the retry may have been refused already
  const last = await settled(run, from, retry, HTTP_ADAPTER_ID_DEFAULT, 'error', 'the last attempt\'s receipt');
  expectEqual(kindsOf(last.records), ['effect_receipt'], 'no attempts left: nothing opens');
  expectEqual(world.state(WORKFLOW), stateOf(work, { pc: 'Failed', attempt: 2, pending_request: false, last_status: null, timers_scheduled: 1 }), 'out of attempts: Failed, with no HTTP status');
}

export const driver: LadderDriver = {
  slug: '08-retry-backoff',
  world: 'worlds/ladder/08-retry-backoff',
  adapterKeys: [HTTP_ADAPTER_ID_DEFAULT, TIMER_ADAPTER_ID_DEFAULT],
  async run(world) {
    const held = new HeldReplies();
    const server = await LoopbackServer.start((request) => reply(held, request));
    const down = await LoopbackServer.start((request) => reply(held, request));
    await down.close(); // nothing listens on its port any more: connections are refused
    try {
      const executor = world.executor([{ adapter: new HttpAdapter() }, { adapter: new TimerAdapter(world.clock), deadlineMs: null }]);
      const run: Run = { world, executor, server, held };
      await upstreamRun(run);
      await clientErrorRun(run);
      await serverDownRun(run, down.origin);
      expectEqual(down.requests.length, 0, 'the server that is down got nothing');
      expectEqual(world.verifyReceiptSignatures(), 9, 'all nine receipts verify against the world\'s trusted http and timer keys');
      expectEqual(world.records(0, 'workflow_fault').length + world.records(0, 'receipt_rejected').length, 0, 'no faults, no rejected receipts');
      expectEqual([world.world.openIntents().size, world.clock.pending.length, executor.problems.length], [0, 0, 0], 'no open work left');
    } finally {
      await server.close();
    }
  },
};
