// Ladder 11 (upstream smoke fixture 11-workflow-runtime-hardening): two requests of two URLs
// each wait for approval; approving request 2 fans out its two GETs; the world then crashes
// with both in flight and restarts from its store, which must re-attach the two open intents
// from the journal without journaling them again; their replies (last first) finish request 2;
// approving request 1 runs it the same way; a summary of the trace is written as an artifact,
// and a last restart must reproduce it. Upstream drives the kernel directly, "crashes" by
// rebooting a kernel from the dumped journal, and checks: no request before approval, only the
// approved request's URLs after it, the final state (completed_count 2, last_request_id 1,
// last_worker_count 2), its trace summary (4 intents, 4 ok receipts, no failed workflow, no
// pending receipt or queued effect), and after the last reboot the same state fields and
// journal counters. We run the real HTTP adapter against a loopback server that holds each
// answer until the driver releases it, and the crash is real: the executor is stopped with
// both requests in flight, the EmbeddedWorld closed and opened again from its folder (no
// snapshot yet, so from the journal alone), and a fresh executor started. We also check: the
// reopened world's open intents are exactly the two unsettled ones; the effect_intent count is
// 2 before the crash, after the reopen and after the retried requests settle (then 4 in all);
// the retried requests carry the same idempotency keys as the first ones (at-least-once); the
// journal's shape (each Approval journals its two decided intents tagged "<id>:<i>", each
// reply one receipt settling its own intent); the state after every step; a snapshot between
// the requests, so the last restart comes from snapshot + tail; the summary's open intents
// agree with the live kernel's; every receipt ed25519-signed by the world's trusted http key;
// no fault, rejected receipt or open work at the end.
// The summary is src/kernel's summarizeJournal (journal totals) plus what only the live world
// knows: queued_effects is the kernel's real outbox (open intents an executor may start),
// not upstream's count of pending receipts (its ⚠ flaw), and workflows.failed counts the
// instances whose status is failed. It is written to .aos/artifacts/workflow-summary.json.
// Changes to the fixture's AIR, and why:
// - the grant's host is 127.0.0.1 instead of example.com: the requests go to the loopback
//   server, and the http.out cap schema has no port field to name it more narrowly;
// - sys/EffectReceiptEnvelope@1 is listed in the manifest's schemas: the Receipt arm refers to it.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeCanonical, hashBytes, toHex } from '../../../src/cbor/index.ts';
import type { Hash } from '../../../src/cbor/index.ts';
import { HTTP_ADAPTER_ID_DEFAULT, HttpAdapter, IDEMPOTENCY_KEY_HEADER } from '../../../src/adapters/index.ts';
import { summarizeJournal } from '../../../src/kernel/index.ts';
import type { JournalSummary } from '../../../src/kernel/index.ts';
import type { EffectExecutor } from '../../../src/node/index.ts';
import { expectEqual, HeldReplies, kindsOf, LoopbackServer } from '../../../scripts/ladder-kit.ts';
import type { LadderDriver, LadderWorld, LoopbackReply } from '../../../scripts/ladder-kit.ts';

const WORKFLOW = 'demo/FlowTracker@1';
const EVENT = 'demo/RuntimeHardeningEvent@1';
const DECIDED = ['cap_decision', 'policy_decision', 'effect_intent'];
/** Upstream's reply to every worker. */
const OK_BODY = '{"ok":true}';
const OK: LoopbackReply = { status: 200, headers: { 'content-type': 'application/json' }, body: OK_BODY };
const ARTIFACT = 'workflow-summary.json';

const pathsOf = (id: number): string[] => [`/req-${id}-a`, `/req-${id}-b`];
const intentCount = (world: LadderWorld): number => world.records(0, 'effect_intent').length;

/** The trace summary: the journal's totals, and the waits only the live world knows. */
interface TraceSummary {
  readonly totals: JournalSummary & { readonly workflows: JournalSummary['workflows'] & { readonly total: number; readonly failed: number } };
  readonly runtime_wait: { readonly pending_workflow_receipts: number; readonly queued_effects: number; readonly awaiting_approval: number };
  readonly journal_bounds: { readonly next_height: number; readonly head: Hash | null };
}

function traceSummary(world: LadderWorld): TraceSummary {
  const journal = summarizeJournal(world.records(0));
  const live = world.world;
  const cells = [...live.view.modules.values()].filter((module) => module.abi.workflow !== undefined).flatMap((module) => live.cells(module.name));
  const outbox = [...live.openIntents().values()].filter((intent) => intent.approval === null);
  expectEqual(journal.open_intents.map((open) => open.intent_hash), [...live.openIntents().values()].sort((a, b) => a.emittedAt - b.emittedAt).map((intent) => intent.hash),
    'the journal\'s open intents are the live kernel\'s');
  return {
    totals: { ...journal, workflows: { ...journal.workflows, total: cells.length, failed: cells.filter((cell) => cell.status === 'failed').length } },
    runtime_wait: { pending_workflow_receipts: journal.open_intents.length, queued_effects: outbox.length, awaiting_approval: live.pendingApprovals().length },
    journal_bounds: { next_height: live.head.height, head: live.head.hash },
  };
}

/** The state with requests 1 and 2 started, `approved` approved, `completed` workers done per request (they finish in order 2, 1), `pending` workers out. */
function expected(approved: readonly number[], completed: Readonly<Record<number, number>>, pending: Readonly<Record<string, number>>, origin: string): unknown {
  const request = (id: number) => {
    const workers = completed[id] ?? 0;
    return { request_id: id, approved: approved.includes(id), worker_count: 2, completed_workers: workers, urls: pathsOf(id).map((path) => `${origin}${path}`), done: workers === 2 };
  };
  const finished = [2, 1].filter((id) => completed[id] === 2);
  return {
    completed_count: finished.length, last_request_id: finished.at(-1) ?? null, last_worker_count: finished.length === 0 ? null : 2,
    requests: [request(1), request(2)], pending_by_hash: pending,
  };
}

interface Run { readonly world: LadderWorld; readonly server: LoopbackServer; readonly held: HeldReplies; readonly origin: string }

/** Approval{id}: journals two decided GETs tagged "<id>:0", "<id>:1"; returns their intents by path. */
function approve(run: Run, id: number): Map<string, { hash: Hash; key: Uint8Array }> {
  const records = run.world.send(EVENT, { Approval: { request_id: id, approved: true } });
  expectEqual(kindsOf(records), ['domain_event', ...DECIDED, ...DECIDED], `Approval ${id} journals the event, then two decided intents`);
  const intents = records.flatMap((record) => (record.body.kind === 'effect_intent' ? [record.body] : []));
  expectEqual(intents.map((intent) => [intent.effect_kind, intent.grant, intent.issuer_ref, decodeCanonical(intent.params)]),
    pathsOf(id).map((path, index) => ['http.request', 'cap_http', `${id}:${index}`, { method: 'GET', url: `${run.origin}${path}`, headers: {}, body_ref: null }]), `request ${id}'s workers`);
  return new Map(intents.map((intent, index) => [pathsOf(id)[index] ?? '', { hash: intent.intent_hash, key: intent.idempotency_key }]));
}

/** The server got exactly these requests since `from`: GETs of `id`'s paths, with the intents' idempotency keys. */
async function expectRequests(run: Run, executor: EffectExecutor, from: number, id: number, intents: Map<string, { key: Uint8Array }>, what: string): Promise<void> {
  executor.dispatch();
  await run.server.received(from + 2);
  await run.world.until(`${what}: both in flight`, () => executor.inFlight.size === 2);
  const requests = run.server.requests.slice(from).sort((a, b) => (a.path < b.path ? -1 : 1));
  expectEqual(requests.map((request) => [request.method, request.path, request.body, request.headers[IDEMPOTENCY_KEY_HEADER]]),
    pathsOf(id).map((path) => ['GET', path, new Uint8Array(0), toHex(intents.get(path)?.key ?? new Uint8Array(0))]), `${what}: only request ${id}'s URLs, each with its intent's idempotency key`);
}

/** Releases the replies, last URL first; each journals one receipt settling its own intent. */
async function reply(run: Run, id: number, intents: Map<string, { hash: Hash }>, approved: number[], before: Readonly<Record<number, number>>): Promise<void> {
  for (const [index, path] of [...pathsOf(id)].reverse().entries()) {
    const from = run.world.world.head.height;
    run.held.release(path, OK);
    await run.world.until(`the ${path} receipt`, () => run.world.records(from, 'effect_receipt').length === 1);
    const records = run.world.records(from);
    expectEqual(kindsOf(records), ['effect_receipt'], `the ${path} receipt opens nothing`);
    const receipt = records[0]?.body;
    if (receipt?.kind !== 'effect_receipt') throw new Error('unreachable: kinds checked');
    const payload = decodeCanonical(receipt.payload) as { status: number; body_ref: string };
    expectEqual([receipt.intent_hash, receipt.adapter_id, receipt.status, payload.status, payload.body_ref], [intents.get(path)?.hash, HTTP_ADAPTER_ID_DEFAULT, 'ok', 200, hashBytes(new TextEncoder().encode(OK_BODY))], `the ${path} receipt settles its intent with 200`);
    const completed = { ...before, [id]: index + 1 };
    const pending = index === 0 ? { [`${id}:0`]: id } : {};
    expectEqual(run.world.state(WORKFLOW), expected(approved, completed, pending, run.origin), `after the ${path} reply`);
  }
}

/** Writes the summary where upstream does, and reads it back. */
function writeArtifact(world: LadderWorld, summary: TraceSummary): unknown {
  const dir = join(world.dir, '.aos', 'artifacts');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, ARTIFACT), `${JSON.stringify(summary, null, 2)}\n`);
  return JSON.parse(readFileSync(join(dir, ARTIFACT), 'utf8'));
}

/** The fields upstream compares across the last reboot. */
function stateFields(world: LadderWorld): unknown {
  const state = world.state(WORKFLOW) as { completed_count: number; last_request_id: number | null; last_worker_count: number | null };
  return [state.completed_count, state.last_request_id, state.last_worker_count];
}

export const driver: LadderDriver = {
  slug: '11-workflow-runtime-hardening',
  world: 'worlds/ladder/11-workflow-runtime-hardening',
  adapterKeys: [HTTP_ADAPTER_ID_DEFAULT],
  async run(world) {
    const held = new HeldReplies();
    const server = await LoopbackServer.start((request) => held.answer(request.path));
    const run: Run = { world, server, held, origin: server.origin };
    try {
      const first = world.executor([{ adapter: new HttpAdapter() }]);
      for (const id of [1, 2]) {
        expectEqual(kindsOf(world.send(EVENT, { Start: { request_id: id, urls: pathsOf(id).map((path) => `${server.origin}${path}`) } })), ['domain_event'], `Start ${id} emits nothing`);
      }
      await world.until('the executor looks for work', () => true);
      expectEqual([server.requests.length, world.world.openIntents().size], [0, 0], 'no request before approval (upstream\'s gate)');
      expectEqual(world.state(WORKFLOW), expected([], {}, {}, server.origin), 'two requests, unapproved');

      const second = approve(run, 2);
      await expectRequests(run, first, 0, 2, second, 'after Approval 2');
      expectEqual(world.state(WORKFLOW), expected([2], {}, { '2:0': 2, '2:1': 2 }, server.origin), 'request 2 approved, both workers out');
      expectEqual(intentCount(world), 2, 'two intents journaled before the crash');

      await world.reopen(); // the crash: executor stopped with both requests in flight, world reopened from its folder
      expectEqual([...world.world.openIntents().keys()].sort(), [...second.values()].map((intent) => intent.hash).sort(), 'the reopened world re-attached exactly the two unsettled intents from the journal');
      expectEqual(intentCount(world), 2, 'reopening journals no intent again');
      const restarted = world.executor([{ adapter: new HttpAdapter() }]);
      await expectRequests(run, restarted, 2, 2, second, 'after the restart (the same requests again: at-least-once)');
      expectEqual(intentCount(world), 2, 're-running the open intents journals none again');
      await reply(run, 2, second, [2], {});
      expectEqual(intentCount(world), 2, 'settling them journals no intent either');
      world.snapshot(); // the last restart then comes from snapshot + tail

      const firstRequest = approve(run, 1);
      await expectRequests(run, restarted, 4, 1, firstRequest, 'after Approval 1');
      await reply(run, 1, firstRequest, [2, 1], { 2: 2 });
      expectEqual(stateFields(world), [2, 1, 2], 'final state: completed_count 2, last_request_id 1, last_worker_count 2 (upstream\'s check)');
      expectEqual(server.requests.length, 6, 'six requests: two for request 2 before the crash, two after, two for request 1');

      const summary = traceSummary(world);
      const { totals, runtime_wait: wait } = summary;
      expectEqual([totals.effects.intents, totals.effects.receipts, totals.workflows.failed, wait.pending_workflow_receipts, wait.queued_effects],
        [4, { ok: 4, error: 0, timeout: 0 }, 0, 0, 0], 'the trace summary: 4 intents (none re-journaled), 4 ok receipts, no failed workflow, nothing pending or queued (upstream\'s check)');
      expectEqual([totals.cap_decisions, totals.policy_decisions, totals.workflows.faults, totals.effects.rejected_receipts, wait.awaiting_approval], [{ allow: 4, deny: 0 }, { allow: 4, deny: 0, require_approval: 0 }, 0, 0, 0], 'every effect allowed, no fault, no rejected receipt');
      expectEqual(writeArtifact(world, summary), JSON.parse(JSON.stringify(summary)), `the summary artifact .aos/artifacts/${ARTIFACT} reads back`);
      expectEqual(world.verifyReceiptSignatures(), 4, 'all four receipts verify against the world\'s trusted http key');
      expectEqual([world.world.openIntents().size, restarted.problems.length], [0, 0], 'no open work left');

      const fields = stateFields(world);
      await world.reopen(); // the last reboot, from the snapshot and the journal after it
      expectEqual(stateFields(world), fields, 'after the last restart: the same completed_count, last_request_id, last_worker_count');
      expectEqual(traceSummary(world), summary, 'after the last restart: the same summary (intents, receipts, decisions, governance and every other record kind, waits)');
    } finally {
      await server.close();
    }
  },
};
