// Ladder 01 (upstream smoke fixture 01-hello-timer): Start{deliver_at_ns: 1_000_000, key: null}
// sets a timer; it waits until logical time reaches 1_000_000, then fires. Upstream checks one
// dispatched effect, no receipt yet, one pending timer due at 1_000_000, the final state and
// replay. We also check: the journal's shape (decisions, then intent, then receipt), that the
// timer fires not a nanosecond early, that its receipt is ed25519-signed by the world's trusted
// timer key and carries {delivered_at_ns, key}, that Start while Awaiting changes nothing and a
// forged Fired event or receipt envelope is refused at ingress, a keyed second run (fired_key = key), Start{0} (Done at once, no
// effect), a snapshot taken with the timer open, and no open work or fault at the end.
import { decodeCanonical } from '../../../src/cbor/index.ts';
import { KernelError } from '../../../src/kernel/index.ts';
import { TIMER_ADAPTER_ID_DEFAULT, TimerAdapter } from '../../../src/node/index.ts';
import { expectEqual, kindsOf } from '../../../scripts/ladder-kit.ts';
import type { LadderDriver, LadderWorld } from '../../../scripts/ladder-kit.ts';

const WORKFLOW = 'demo/TimerSM@1';
const EVENT = 'demo/TimerEvent@1';
const DEADLINE_NS = 1_000_000;
const EFFECT_RECORDS = ['domain_event', 'cap_decision', 'policy_decision', 'effect_intent'];

/** The one receipt journaled from `from` on, decoded; checks it is the timer's. */
function onlyReceipt(world: LadderWorld, from: number): unknown {
  const receipts = world.records(from, 'effect_receipt');
  expectEqual(receipts.length, 1, `receipts from height ${from}`);
  const body = receipts[0]?.body;
  if (body?.kind !== 'effect_receipt') throw new Error('a receipt record');
  expectEqual([body.adapter_id, body.status], [TIMER_ADAPTER_ID_DEFAULT, 'ok'], 'receipt adapter and status');
  return decodeCanonical(body.payload);
}

/** A sys/TimerFired@1 anyone could send from outside: it claims the timer fired. */
function forgedFired(intentHash: string): unknown {
  return {
    Fired: {
      intent_hash: intentHash, workflow: WORKFLOW, effect_kind: 'timer.set', adapter_id: TIMER_ADAPTER_ID_DEFAULT, status: 'ok',
      requested: { deliver_at_ns: DEADLINE_NS, key: null }, receipt: { delivered_at_ns: DEADLINE_NS, key: null }, cost_cents: null, signature: '',
    },
  };
}

/** An unsigned sys/EffectReceiptEnvelope@1 claiming the timer fired. */
function forgedEnvelope(intentHash: string): unknown {
  return {
    origin_module_id: WORKFLOW, origin_instance_key: null, intent_id: intentHash, effect_kind: 'sys/timer.set@1', params_hash: null, issuer_ref: null,
    receipt_payload: '', status: 'ok', emitted_at_seq: 3, adapter_id: TIMER_ADAPTER_ID_DEFAULT, cost_cents: null, signature: '',
  };
}

/** The call must throw a KernelError whose message matches: nothing of it is journaled. */
function expectRefused(call: () => unknown, message: RegExp, what: string): void {
  try {
    call();
  } catch (error) {
    if (error instanceof KernelError && message.test(error.message)) return;
    throw new Error(`${what}: refused with ${error instanceof Error ? error.message : String(error)}`);
  }
  throw new Error(`${what}: it was accepted`);
}

export const driver: LadderDriver = {
  slug: '01-hello-timer',
  world: 'worlds/ladder/01-hello-timer',
  adapterKeys: [TIMER_ADAPTER_ID_DEFAULT],
  async run(world) {
    const executor = world.executor([{ adapter: new TimerAdapter(world.clock), deadlineMs: null }]);
    const start = world.send(EVENT, { Start: { deliver_at_ns: DEADLINE_NS, key: null } });
    expectEqual(kindsOf(start), EFFECT_RECORDS, 'Start journals the event, the cap and policy decisions, then the intent');
    const intent = start[3]?.body;
    if (intent?.kind !== 'effect_intent') throw new Error('Start opened an intent');
    expectEqual(decodeCanonical(intent.params), { deliver_at_ns: DEADLINE_NS, key: null }, 'timer.set params');
    expectEqual(world.state(WORKFLOW), { pc: 'Awaiting', key: null, deadline_ns: DEADLINE_NS, fired_key: null }, 'after Start');

    await world.until('the timer waits on the clock', () => world.clock.pending.length === 1);
    expectEqual([executor.inFlight.size, world.records(0, 'effect_receipt').length], [1, 0], 'effects dispatched 1, receipts applied 0');
    expectEqual(world.clock.pending, [BigInt(DEADLINE_NS)], 'one timer pending, due at 1_000_000');
    expectEqual(kindsOf(world.send(EVENT, { Start: { deliver_at_ns: 5, key: 'ignored' } })), ['domain_event'], 'Start while Awaiting emits nothing');
    expectRefused(() => world.send(EVENT, forgedFired(intent.intent_hash)), /receipts reach workflows only from the kernel/, 'a forged Fired event is refused at ingress');
    expectRefused(() => world.send(EVENT, { Receipt: forgedEnvelope(intent.intent_hash) }), /receipts reach workflows only from the kernel/, 'a forged receipt envelope is refused at ingress');
    expectEqual(world.state(WORKFLOW), { pc: 'Awaiting', key: null, deadline_ns: DEADLINE_NS, fired_key: null }, 'neither moves the timer');
    world.snapshot();

    world.clock.advanceTo(BigInt(DEADLINE_NS - 1));
    await world.until('an event-loop turn', () => true);
    expectEqual([world.clock.pending.length, world.world.openIntents().size], [1, 1], 'not a nanosecond early');
    const fireFrom = world.world.head.height;
    world.clock.advanceTo(BigInt(DEADLINE_NS));
    await world.until('the timer receipt is admitted', () => world.world.openIntents().size === 0);
    await executor.idle();
    expectEqual(kindsOf(world.records(fireFrom)), ['effect_receipt'], 'firing journals one receipt');
    expectEqual(world.records(fireFrom).map((record) => (record.body.kind === 'effect_receipt' ? record.body.intent_hash : '')), [intent.intent_hash], 'it settles the Start\'s intent');
    expectEqual(onlyReceipt(world, fireFrom), { delivered_at_ns: DEADLINE_NS, key: null }, 'receipt payload');
    expectEqual(world.state(WORKFLOW), { pc: 'Done', key: null, deadline_ns: DEADLINE_NS, fired_key: null }, 'final state (upstream\'s check)');

    const keyedFrom = world.world.head.height;
    expectEqual(kindsOf(world.send(EVENT, { Start: { deliver_at_ns: 2 * DEADLINE_NS, key: 'k1' } })), EFFECT_RECORDS, 'a keyed Start from Done');
    world.clock.advanceTo(BigInt(3 * DEADLINE_NS));
    await world.until('the keyed timer fires', () => world.world.openIntents().size === 0);
    expectEqual(onlyReceipt(world, keyedFrom), { delivered_at_ns: 3 * DEADLINE_NS, key: 'k1' }, 'a late timer reports when it was delivered');
    expectEqual(world.state(WORKFLOW), { pc: 'Done', key: 'k1', deadline_ns: 2 * DEADLINE_NS, fired_key: 'k1' }, 'fired_key is the key');

    expectEqual(kindsOf(world.send(EVENT, { Start: { deliver_at_ns: 0, key: 'now' } })), ['domain_event'], 'Start{0} emits nothing');
    expectEqual(world.state(WORKFLOW), { pc: 'Done', key: 'now', deadline_ns: 0, fired_key: null }, 'Start{0} is Done at once');

    expectEqual(world.verifyReceiptSignatures(), 2, 'both receipts verify against the world\'s trusted timer key');
    expectEqual(world.records(0, 'workflow_fault').length + world.records(0, 'receipt_rejected').length, 0, 'no faults, no rejected receipts');
    expectEqual([world.world.openIntents().size, executor.problems.length], [0, 0], 'no open work left');
  },
};
