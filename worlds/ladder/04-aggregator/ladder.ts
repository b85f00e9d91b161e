// Ladder 04 (upstream smoke fixture 04-aggregator): Start{topic, alpha, beta, gamma} fans out
// three http.requests, each tagged with issuer_ref = its target's name; the receipts arrive
// out of order (b, c, a) and are matched by issuer_ref. Upstream mocks the replies and checks
// three requests, empty pending collections, last_responses alpha, beta, gamma (each with a
// body_ref) and replay. We run the real HTTP adapter against a loopback server that holds each
// answer until the driver releases it (the grant's host is 127.0.0.1 instead of example.com:
// the only change to the fixture's AIR besides the Receipt arm's schema), and also check: the
// three requests the server got (GET, paths, no body, each intent's idempotency key), the
// journal's shape (three decided intents with their issuer_refs from one Start; then one
// receipt per release, in release order, each settling its own intent), the state after each
// receipt (pending shrinking, responses sorted by source), statuses 202/200/201 and each
// body_ref naming its body in the CAS, Start while Running ignored, a snapshot mid-aggregation, all three receipts
// ed25519-signed by the world's trusted http key, and no fault or open work at the end.
import { decodeCanonical, hashBytes, toHex } from '../../../src/cbor/index.ts';
import type { Hash } from '../../../src/cbor/index.ts';
import { HTTP_ADAPTER_ID_DEFAULT, HttpAdapter, IDEMPOTENCY_KEY_HEADER } from '../../../src/adapters/index.ts';
import { expectEqual, kindsOf, LoopbackServer } from '../../../scripts/ladder-kit.ts';
import type { LadderDriver, LadderWorld, LoopbackReply } from '../../../scripts/ladder-kit.ts';

const WORKFLOW = 'demo/Aggregator@1';
const EVENT = 'demo/AggregatorEvent@1';
const DECIDED = ['cap_decision', 'policy_decision', 'effect_intent'];
/** The targets in Start order, and what each answers; the driver releases the answers in RELEASE order (upstream's). */
const TARGETS = [
  { name: 'alpha', path: '/api/a', status: 202 },
  { name: 'beta', path: '/api/b', status: 200 },
  { name: 'gamma', path: '/api/c', status: 201 },
] as const;
const RELEASE = ['beta', 'gamma', 'alpha'] as const;

const bodyOf = (name: string): string => JSON.stringify({ source: name });
const refOf = (name: string): Hash => hashBytes(new TextEncoder().encode(bodyOf(name)));

/** Answers held back until the driver releases them, by path. */
class HeldReplies {
  private readonly held = new Map<string, (reply: LoopbackReply) => void>();
  private readonly promises = new Map<string, Promise<LoopbackReply>>();

  answer(path: string): Promise<LoopbackReply> {
    const existing = this.promises.get(path);
    if (existing !== undefined) return existing;
    const promise = new Promise<LoopbackReply>((resolve) => this.held.set(path, resolve));
    this.promises.set(path, promise);
    return promise;
  }

  release(path: string, reply: LoopbackReply): void {
    void this.answer(path);
    const resolve = this.held.get(path);
    if (resolve === undefined) throw new Error(`no answer held for ${path}`);
    resolve(reply);
  }
}

/** The state after the receipts of `settled` (in any order) arrived. */
function expected(settled: readonly string[]): unknown {
  const open = TARGETS.filter((target) => !settled.includes(target.name)).map((target) => target.name);
  const done = open.length === 0;
  return {
    pc: done ? 'Done' : 'Running', next_request_id: 1, pending_request: done ? null : 0, current_topic: 'demo-topic',
    pending_targets: open, pending_by_hash: Object.fromEntries(open.map((name) => [name, name])),
    last_responses: TARGETS.filter((target) => settled.includes(target.name)).map((target) => ({ source: target.name, status: target.status, body_ref: refOf(target.name) })),
  };
}

/** Sends Start; checks three decided intents, in target order, with their issuer_refs; returns intent hash and idempotency key by name. */
function start(world: LadderWorld, origin: string): Map<string, { hash: string; key: Uint8Array }> {
  const target = (index: number) => ({ name: TARGETS[index]?.name, url: `${origin}${TARGETS[index]?.path}`, method: 'GET' });
  const records = world.send(EVENT, { Start: { topic: 'demo-topic', primary: target(0), secondary: target(1), tertiary: target(2) } });
  expectEqual(kindsOf(records), ['domain_event', ...DECIDED, ...DECIDED, ...DECIDED], 'Start journals the event, then three decided intents');
  const intents = records.flatMap((record) => (record.body.kind === 'effect_intent' ? [record.body] : []));
  expectEqual(intents.map((intent) => [intent.effect_kind, intent.issuer_ref, decodeCanonical(intent.params)]),
    TARGETS.map((t) => ['http.request', t.name, { method: 'GET', url: `${origin}${t.path}`, headers: {}, body_ref: null }]), 'the intents, in target order, tagged by name');
  for (const record of records) {
    if (record.body.kind === 'cap_decision') expectEqual([record.body.grant, record.body.decision], ['cap_http_aggregate', 'allow'], 'the grant allows each');
    if (record.body.kind === 'policy_decision') expectEqual([record.body.policy, record.body.rule_index, record.body.decision], ['demo/http-aggregate-policy@1', 0, 'allow'], 'the policy\'s first rule allows each');
  }
  return new Map(intents.map((intent) => [intent.issuer_ref ?? '', { hash: intent.intent_hash, key: intent.idempotency_key }]));
}

export const driver: LadderDriver = {
  slug: '04-aggregator',
  world: 'worlds/ladder/04-aggregator',
  adapterKeys: [HTTP_ADAPTER_ID_DEFAULT],
  async run(world) {
    const held = new HeldReplies();
    const server = await LoopbackServer.start((request) => held.answer(request.path));
    try {
      const executor = world.executor([{ adapter: new HttpAdapter() }]);
      const intents = start(world, server.origin);
      expectEqual(kindsOf(world.send(EVENT, { Start: { topic: 'ignored', primary: { name: 'x', url: `${server.origin}/x`, method: 'GET' }, secondary: { name: 'y', url: `${server.origin}/y`, method: 'GET' }, tertiary: { name: 'z', url: `${server.origin}/z`, method: 'GET' } } })),
        ['domain_event'], 'Start while Running emits nothing');
      expectEqual(world.state(WORKFLOW), expected([]), 'Running, all three pending');

      executor.dispatch();
      await server.received(TARGETS.length);
      const requests = [...server.requests].sort((a, b) => (a.path < b.path ? -1 : 1));
      expectEqual(server.requests.length, 3, 'exactly three requests (upstream\'s check)');
      expectEqual(requests.map((request) => [request.method, request.path, request.body, request.headers[IDEMPOTENCY_KEY_HEADER]]),
        TARGETS.map((target) => ['GET', target.path, new Uint8Array(0), toHex(intents.get(target.name)?.key ?? new Uint8Array(0))]), 'the requests the server got, sorted by path');

      for (const [index, name] of RELEASE.entries()) {
        const target = TARGETS.find((candidate) => candidate.name === name);
        if (target === undefined) throw new Error(`no target ${name}`);
        const from = world.world.head.height;
        held.release(target.path, { status: target.status, headers: { 'content-type': 'application/json' }, body: bodyOf(name) });
        await server.answered(index + 1);
        await world.until(`the ${name} receipt`, () => world.records(from, 'effect_receipt').length === 1);
        const records = world.records(from);
        expectEqual(kindsOf(records), ['effect_receipt'], `the ${name} receipt opens nothing`);
        const receipt = records[0]?.body;
        if (receipt?.kind !== 'effect_receipt') throw new Error('unreachable: kinds checked');
        expectEqual([receipt.intent_hash, receipt.adapter_id, receipt.status], [intents.get(name)?.hash, HTTP_ADAPTER_ID_DEFAULT, 'ok'], `the ${name} receipt settles ${name}'s intent`);
        const payload = decodeCanonical(receipt.payload) as { status: number; body_ref: string };
        expectEqual([payload.status, payload.body_ref], [target.status, refOf(name)], `the ${name} receipt's status and body_ref`);
        expectEqual(world.world.cas.get(refOf(name)), new TextEncoder().encode(bodyOf(name)), `${name}'s body in the CAS`);
        expectEqual(world.state(WORKFLOW), expected(RELEASE.slice(0, index + 1)), `the state after ${RELEASE.slice(0, index + 1).join(', ')}`);
        if (index === 0) world.snapshot(); // replay-or-die then also replays from mid-aggregation
      }

      const state = world.state(WORKFLOW) as { last_responses: Array<{ source: string; body_ref: string | null }> };
      expectEqual(state.last_responses.map((response) => [response.source, response.body_ref !== null]), [['alpha', true], ['beta', true], ['gamma', true]], 'upstream\'s check: alpha, beta, gamma, each with a body_ref');
      expectEqual(world.verifyReceiptSignatures(), 3, 'all three receipts verify against the world\'s trusted http key');
      expectEqual(world.records(0, 'workflow_fault').length + world.records(0, 'receipt_rejected').length, 0, 'no faults, no rejected receipts');
      expectEqual([world.world.openIntents().size, executor.problems.length], [0, 0], 'no open work left');
    } finally {
      await server.close();
    }
  },
};
