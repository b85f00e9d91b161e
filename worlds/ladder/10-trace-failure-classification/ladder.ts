// Ladder 10 (upstream smoke fixture 10-trace-failure-classification): ladder 03's fetch with a
// module that reads receipts by envelope status, run four times, each in a fresh world; after
// each run the last Start is traced (by its event hash, a window of 256 records) and diagnosed:
//   policy_deny (air.policy_deny: the allow rule removed)  -> policy_denied
//   cap_deny    (air.cap_deny: the grant's host is blocked.example) -> capability_denied
//   timeout     (air: the allow variant)                  -> adapter_timeout, Done with -2
//   error       (air: the allow variant, a fresh world)   -> adapter_error,   Done with -1
// Upstream's send "errors" on a denial; ours journals the Start, the decision that denied, and
// an effect_denied fault, and opens no intent: that is what is checked.
// Upstream injects the timeout and error receipts by hand; we run the real HTTP adapter:
// - timeout: a loopback server that never answers and an HTTP adapter whose own timeout is
//   HTTP_TIMEOUT_MS, so the adapter signs a timeout receipt that is an HttpRequestReceipt
//   (status 0, x-aos-error TIMEOUT), as upstream's injected payload is one. The executor's
//   route deadline would fire too, but later (its default), and only when the adapter hangs.
// - error: upstream injects status Error with an HTTP 500 payload, but a real 500 is the
//   server's answer, so our adapter signs it `ok` with status 500 (the workflow decides what a
//   500 means). A real `error` receipt is a request that got no usable response; the faithful
//   equivalent is a network failure: a loopback TCP server that resets each connection, which
//   the adapter settles as `error` (status 0, x-aos-error NETWORK_FAILED). Before it, the same
//   world fetches a real 500 and checks it is recorded as the answer and diagnosed `completed`.
// AIR changes: the allow variant's grant host is 127.0.0.1 instead of example.com (our requests
// go to loopback servers). The deny variants are byte-identical to upstream's and keep its
// example.com URLs: nothing is sent there, the kernel denies before any intent.
// Also checked: the journal's shape of each run, each denial's grant, policy and rule, the
// receipts' payloads and ed25519 signatures, the requests the servers got, end states, and
// replay-or-die of every world (upstream has no replay check here).
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { decodeCanonical } from '../../../src/cbor/index.ts';
import { HTTP_ADAPTER_ID_DEFAULT, HTTP_ERROR_HEADER, HTTP_STATUS_NO_RESPONSE, HttpAdapter } from '../../../src/adapters/index.ts';
import { diagnose, firstEventWithHash, traceFrom } from '../../../src/kernel/index.ts';
import type { Diagnosis, SealedRecord } from '../../../src/kernel/index.ts';
import { expectEqual, kindsOf, LadderWorld, LoopbackServer } from '../../../scripts/ladder-kit.ts';
import type { LadderDriver, LoopbackReply } from '../../../scripts/ladder-kit.ts';

const WORKFLOW = 'demo/FetchNotify@1';
const EVENT = 'demo/FetchNotifyEvent@1';
const GRANT = 'cap_http_fetch';
const POLICY = 'demo/http-policy@1';
const DECIDED = ['domain_event', 'cap_decision', 'policy_decision', 'effect_intent'];
/** Records a trace reads after its root (upstream's trace-get window_limit). */
const TRACE_WINDOW_LIMIT = 256;
/** The HTTP adapter's own timeout in the timeout run: the server never answers, so this is how long that run waits. */
const HTTP_TIMEOUT_MS = 200;
const WORLD = import.meta.dirname;

/** Upstream's trace check: the last Start's event hash, trace-get by hash (window 256), diagnose. */
function diagnoseLastStart(world: LadderWorld): Diagnosis {
  const records = world.records(0);
  const start = [...records].reverse().find((record) => record.body.kind === 'domain_event' && record.body.schema === EVENT && tagOf(record.body.value) === 'Start');
  if (start?.body.kind !== 'domain_event') throw new Error('the journal holds no Start event');
  const root = firstEventWithHash(records, start.body.event_hash);
  if (root === undefined) throw new Error(`no event has hash ${start.body.event_hash}`);
  const graph = traceFrom(records.filter((record) => record.height >= root.height).slice(0, TRACE_WINDOW_LIMIT + 1), root.height);
  if (graph === null) throw new Error(`height ${root.height} holds no domain event`);
  return diagnose(graph);
}

function tagOf(value: Uint8Array): unknown {
  const decoded = decodeCanonical(value);
  return typeof decoded === 'object' && decoded !== null && '$tag' in decoded ? decoded.$tag : undefined;
}

function bodyOf(record: SealedRecord | undefined): SealedRecord['body'] {
  if (record === undefined) throw new Error('a record is missing');
  return record.body;
}

/** A Start the world denies: the event, the decisions up to the denying one, an effect_denied fault; no intent, no state. */
async function deniedRun(airFolder: string, url: string, decisions: readonly string[]): Promise<{ records: SealedRecord[]; diagnosis: Diagnosis }> {
  const world = await LadderWorld.start(WORLD, [], airFolder);
  try {
    const records = world.send(EVENT, { Start: { url, method: 'GET' } });
    expectEqual(kindsOf(records), ['domain_event', ...decisions, 'workflow_fault'], `${airFolder}: Start journals the event, the decisions, and the denial's fault (upstream: the send errors)`);
    const fault = bodyOf(records[records.length - 1]);
    expectEqual(fault.kind === 'workflow_fault' ? [fault.module, fault.failure.kind] : [], [WORKFLOW, 'effect_denied'], `${airFolder}: the fault`);
    expectEqual([world.world.openIntents().size, world.state(WORKFLOW)], [0, null], `${airFolder}: no open intent, and the denied step left no state`);
    const diagnosis = diagnoseLastStart(world);
    await world.replayOrDie();
    return { records, diagnosis };
  } finally {
    world.close();
  }
}

async function policyDenyRun(): Promise<void> {
  const { records, diagnosis } = await deniedRun('air.policy_deny', 'https://example.com/policy-denied.json', ['cap_decision', 'policy_decision']);
  const [, cap, policy] = records.map((record) => record.body);
  expectEqual(cap?.kind === 'cap_decision' ? [cap.grant, cap.decision] : [], [GRANT, 'allow'], 'policy_deny: the grant allows the request');
  expectEqual(policy?.kind === 'policy_decision' ? [policy.policy, policy.rule_index, policy.decision] : [], [POLICY, 0, 'deny'], 'policy_deny: the deny-all rule (now rule 0) denies it');
  expectEqual([diagnosis.outcome, diagnosis.policy, diagnosis.grant, diagnosis.effect_kind], ['policy_denied', POLICY, GRANT, 'http.request'], 'policy_deny: diagnose');
}

async function capDenyRun(): Promise<void> {
  const { records, diagnosis } = await deniedRun('air.cap_deny', 'https://example.com/cap-denied.json', ['cap_decision']);
  const cap = records[1]?.body;
  expectEqual(cap?.kind === 'cap_decision' ? [cap.grant, cap.decision, cap.code] : [], [GRANT, 'deny', 'host_not_allowed'], 'cap_deny: the grant (host blocked.example) refuses example.com');
  expectEqual([diagnosis.outcome, diagnosis.grant, diagnosis.effect_kind], ['capability_denied', GRANT, 'http.request'], 'cap_deny: diagnose');
}

interface Settled { readonly status: string; readonly payload: { status: number; headers: Record<string, string>; body_ref: string | null } }

/**
 * Sends Start for `url`, waits for the executor (`executed`: dispatch and wait until it is idle,
 * so a slow adapter is not cut short by the kit's turn budget), and returns the receipt's status and payload.
 */
async function fetchSettled(world: LadderWorld, url: string, executed: () => Promise<void>): Promise<Settled> {
  const records = world.send(EVENT, { Start: { url, method: 'GET' } });
  expectEqual(kindsOf(records), DECIDED, `Start ${url} journals the event, the decisions, then http.request`);
  const from = world.world.head.height;
  await executed();
  await world.until(`the fetch of ${url} settles`, () => world.world.openIntents().size === 0);
  const settled = world.records(from);
  expectEqual(kindsOf(settled), ['effect_receipt'], `the receipt for ${url} settles it and opens nothing`);
  const receipt = bodyOf(settled[0]);
  if (receipt.kind !== 'effect_receipt') throw new Error('unreachable: kinds checked');
  const intent = bodyOf(records[3]);
  expectEqual([receipt.intent_hash, receipt.adapter_id], [intent.kind === 'effect_intent' ? intent.intent_hash : '', HTTP_ADAPTER_ID_DEFAULT], `the receipt for ${url} settles its intent, from the http adapter`);
  return { status: receipt.status, payload: decodeCanonical(receipt.payload) as { status: number; headers: Record<string, string>; body_ref: string | null } };
}

async function timeoutRun(world: LadderWorld): Promise<void> {
  const server = await LoopbackServer.start(() => new Promise<LoopbackReply>(() => undefined));
  try {
    const executor = world.executor([{ adapter: new HttpAdapter({ timeoutMs: HTTP_TIMEOUT_MS }) }]);
    const executorIdle = async (): Promise<void> => {
      executor.dispatch();
      await server.received(1);
      await executor.idle();
    };
    const { status, payload } = await fetchSettled(world, `${server.origin}/timeout.json`, executorIdle);
    expectEqual([server.requests.length, server.requests[0]?.path], [1, '/timeout.json'], 'timeout: the server got the request (and never answered)');
    expectEqual([status, payload.status, payload.headers[HTTP_ERROR_HEADER], payload.body_ref], ['timeout', HTTP_STATUS_NO_RESPONSE, 'TIMEOUT', null], 'timeout: the adapter\'s timeout receipt');
    expectEqual(world.state(WORKFLOW), { pc: 'Done', next_request_id: 1, pending_request: null, last_status: -2, last_body_ref: null }, 'timeout: Done with -2 (upstream\'s expect)');
    expectEqual(world.verifyReceiptSignatures(), 1, 'timeout: the receipt verifies against the world\'s trusted http key');
    const diagnosis = diagnoseLastStart(world);
    expectEqual([diagnosis.outcome, diagnosis.intent_hash !== undefined], ['adapter_timeout', true], 'timeout: diagnose');
    expectEqual(executor.problems.length, 0, 'timeout: no executor problems');
  } finally {
    await server.close();
  }
}

/** A TCP server on 127.0.0.1 that resets every connection it accepts (a real network failure). */
async function resettingServer(): Promise<{ origin: string; accepted: () => number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server: Server = createServer((socket) => {
    accepted += 1;
    sockets.add(socket);
    socket.resetAndDestroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the resetting server has no TCP address');
  return {
    origin: `http://127.0.0.1:${address.port}`,
    accepted: () => accepted,
    close: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
}

async function errorRun(): Promise<void> {
  const world = await LadderWorld.start(WORLD, [HTTP_ADAPTER_ID_DEFAULT]);
  const answering = await LoopbackServer.start((): LoopbackReply => ({ status: 500, headers: { 'content-type': 'text/plain' }, body: 'internal error' }));
  const resetting = await resettingServer();
  try {
    const executor = world.executor([{ adapter: new HttpAdapter() }]);
    const idle = async (): Promise<void> => {
      executor.dispatch();
      await executor.idle();
    };
    const answered = await fetchSettled(world, `${answering.origin}/error.json`, idle);
    expectEqual([answered.status, answered.payload.status], ['ok', 500], 'error: a real 500 is the server\'s answer, an ok receipt');
    expectEqual((world.state(WORKFLOW) as { last_status: number }).last_status, 500, 'error: the 500 is recorded');
    expectEqual(diagnoseLastStart(world).outcome, 'completed', 'error: a Start answered 500 diagnoses as completed');

    const failed = await fetchSettled(world, `${resetting.origin}/error.json`, idle);
    expectEqual(resetting.accepted() >= 1, true, 'error: the resetting server accepted the connection');
    expectEqual([failed.status, failed.payload.status, failed.payload.headers[HTTP_ERROR_HEADER], failed.payload.body_ref], ['error', HTTP_STATUS_NO_RESPONSE, 'NETWORK_FAILED', null], 'error: the adapter\'s error receipt');
    expectEqual(world.state(WORKFLOW), { pc: 'Done', next_request_id: 2, pending_request: null, last_status: -1, last_body_ref: null }, 'error: Done with -1 (upstream\'s expect)');
    expectEqual(world.verifyReceiptSignatures(), 2, 'error: both receipts verify against the world\'s trusted http key');
    const diagnosis = diagnoseLastStart(world);
    expectEqual([diagnosis.outcome, diagnosis.intent_hash !== undefined], ['adapter_error', true], 'error: diagnose');
    expectEqual(executor.problems.length, 0, 'error: no executor problems');
    await world.replayOrDie();
  } finally {
    await answering.close();
    await resetting.close();
    world.close();
  }
}

export const driver: LadderDriver = {
  slug: '10-trace-failure-classification',
  world: 'worlds/ladder/10-trace-failure-classification',
  adapterKeys: [HTTP_ADAPTER_ID_DEFAULT],
  async run(world) {
    await policyDenyRun();
    await capDenyRun();
    await timeoutRun(world);
    await errorRun();
  },
};
