// Goal: grant budgets are charged from receipts (a journaled budget_charge per receipt of a grant
// with a budget: cost_cents, tokens = prompt + completion, count 1) and checked at enqueue against
// what was spent plus what open intents reserved (each journals its reservation: count 1, the
// grant's peak receipt cost, an llm.generate's max_tokens): once a count, cost or token budget is
// committed, the next effect under that grant is denied with budget_exhausted (a journaled
// cap_decision deny and an effect_denied fault), even before any receipt arrives and within one
// step; a receipt or an approval denial releases the reservation; a windowed budget recovers as
// logical time passes; and replay from genesis and from a snapshot re-produces every record and
// the ledger (replay or die).
// Method: the guarded world with budgets on its "web" (http) and "store" (blob) grants; receipts
// signed by a seeded test adapter key; a fake clock whose logical time advances 1000 ns per input.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { encodeCanonical } from '../../../src/cbor/index.ts';
import type { CborValue, Hash } from '../../../src/cbor/index.ts';
import { World } from '../../../src/kernel/index.ts';
import type { ReceiptUsage, RecordBody, SealedRecord } from '../../../src/kernel/index.ts';
import { FakeClock, MemoryContent, MemoryJournal, ROOT, worldFixture } from '../../support/kernel-fixture.ts';
import { sourcesOf, removeVariants, testPrincipal, worldVariant } from '../../support/principal-keys.ts';
import { signedReceipt, testSigner, trustedFor } from '../../support/receipt-keys.ts';
import { startGuarded } from '../../support/guarded-world.ts';

after(removeVariants);

const GUARDED = join(ROOT, 'test/fixtures/worlds/guarded');
const ADAPTER = testSigner('test.adapter');
const cbor = (value: CborValue) => encodeCanonical(value, { selfDescribe: false });
const FETCH = { $tag: 'Fetch', $value: [{ url: 'https://api.example.com/v1/items', method: 'GET', slot: null }] };
const STORE = { $tag: 'Store', $value: { bytes: new Uint8Array(4), slot: 'store' } };
const HTTP_OK = cbor({ status: 200, headers: {}, body_ref: null, timings: { start_ns: 1, end_ns: 2 }, adapter_id: 'test.adapter' });
const BLOB_OK = cbor({ blob_ref: `sha256:${'2'.repeat(64)}`, edge_ref: `sha256:${'3'.repeat(64)}`, size: 4 });

async function start(budgets: Record<string, Record<string, number>>) {
  const fixture = await worldFixture(worldVariant(GUARDED, { budgets }), sourcesOf(GUARDED));
  const { content, journal, clock, world, send } = await startGuarded(fixture, ADAPTER, 3);
  const settle = (records: readonly SealedRecord[], payload: Uint8Array, extra: { cost_cents?: number; usage?: ReceiptUsage } = {}): SealedRecord[] => {
    const intent = records.find((record) => record.body.kind === 'effect_intent');
    assert.ok(intent?.body.kind === 'effect_intent', `no intent in ${records.map((record) => record.body.kind).join(', ')}`);
    const receipt = world.submitReceipt(signedReceipt(ADAPTER, { intent_hash: intent.body.intent_hash as Hash, status: 'ok', payload, ...extra }), clock.next());
    journal.append(receipt);
    return receipt;
  };
  const replayAll = async () => {
    const fromGenesis = World.replay(fixture.view, await fixture.modules(), content, journal.records);
    assert.deepEqual(fromGenesis.head, world.head);
    const snapshot = [...journal.records].reverse().find((record) => record.body.kind === 'snapshot');
    assert.ok(snapshot !== undefined, 'each test takes a snapshot');
    const fromSnapshot = World.replay(fixture.view, await fixture.modules(), content, journal.records.filter((record) => record.height > snapshot.height), snapshot);
    assert.deepEqual(fromSnapshot.head, world.head);
    return fromSnapshot;
  };
  return { world, journal, clock, send, settle, replayAll };
}

const kinds = (records: readonly SealedRecord[]) => records.map((record) => record.body.kind);
function denial(records: readonly SealedRecord[]): { cap: Extract<RecordBody, { kind: 'cap_decision' }>; fault: Extract<RecordBody, { kind: 'workflow_fault' }> } {
  assert.deepEqual(kinds(records), ['domain_event', 'cap_decision', 'workflow_fault']);
  const [, cap, fault] = records.map((record) => record.body);
  assert.ok(cap?.kind === 'cap_decision' && fault?.kind === 'workflow_fault');
  return { cap, fault };
}

test('a count budget: each receipt is charged and journaled; once spent, the next effect is denied budget_exhausted', async () => {
  const { send, settle, journal, world, clock, replayAll } = await start({ web: { count: 2 } });
  const first = settle(send('a', FETCH), HTTP_OK, { cost_cents: 3 });
  assert.deepEqual(kinds(first), ['effect_receipt', 'budget_charge']);
  const charge = first[1]?.body;
  assert.ok(charge?.kind === 'budget_charge');
  assert.deepEqual({ ...charge }, { kind: 'budget_charge', grant: 'web', intent_hash: charge.intent_hash, cost_cents: 3n, tokens: 0n, count: 1n, cause: first[0]?.height });
  journal.append(world.snapshot());
  settle(send('b', FETCH), HTTP_OK);
  const { cap, fault } = denial(send('c', FETCH));
  assert.deepEqual([cap.decision, cap.grant, cap.code], ['deny', 'web', 'budget_exhausted']);
  assert.match(cap.message ?? '', /grant "web" has spent its count budget: 2 of 2; raise the budget/);
  assert.deepEqual([fault.failure.kind, fault.failure.code], ['effect_denied', 'budget_exhausted']);
  assert.equal(denial(send('d', FETCH)).cap.code, 'budget_exhausted', 'it stays spent');
  const replayed = await replayAll();
  assert.equal(denial(replayed.submitEvent({ schema: 'test/GuardedEvent@1', value: cbor({ id: 'z', op: FETCH }) }, clock.next())).cap.code, 'budget_exhausted', 'the ledger is restored from the snapshot');
});

test('cost and token budgets: the receipt that crosses the ceiling is charged; the next effect is denied', async () => {
  const { send, settle, journal, world, replayAll } = await start({ store: { cost_cents: 10 }, web: { tokens: 100 } });
  settle(send('s', STORE), BLOB_OK, { cost_cents: 3 });
  journal.append(world.snapshot());
  assert.deepEqual(kinds(send('s', STORE)).at(-1), 'effect_intent', '3 spent + 3 reserved (the peak) of 10 cents: still allowed');
  const open = journal.records.filter((record) => record.body.kind === 'effect_intent').at(-1);
  assert.ok(open !== undefined);
  settle([open], BLOB_OK, { cost_cents: 8 });
  const cost = denial(send('s', STORE)).cap;
  assert.match(cost.message ?? '', /grant "store" has spent its cost_cents budget: 11 of 10/);
  settle(send('t', FETCH), HTTP_OK, { usage: { prompt_tokens: 60, completion_tokens: 40 } });
  const tokens = denial(send('t', FETCH)).cap;
  assert.equal(tokens.code, 'budget_exhausted');
  assert.match(tokens.message ?? '', /spent its tokens budget: 100 of 100/);
  await replayAll();
});

test('a windowed budget recovers once its charges leave the window of logical time', async () => {
  const { send, settle, journal, world, replayAll } = await start({ web: { count: 1, window_ns: 5_000 } });
  settle(send('w', FETCH), HTTP_OK); // charged at logical time 2000 (each input advances 1000 ns)
  assert.equal(denial(send('w', FETCH)).cap.message?.includes('within the last 5000 ns of logical time; wait for the window to pass'), true);
  journal.append(world.snapshot());
  for (let tick = 0; tick < 3; tick += 1) send('idle', { $tag: 'Inc', $value: 1 });
  assert.equal(kinds(send('w2', FETCH)).at(-1), 'effect_intent', 'at 7000 the charge at 2000 has left the 5000 ns window');
  await replayAll();
});

const FETCH_TWO = { $tag: 'Fetch', $value: [{ url: 'https://api.example.com/v1/items', method: 'GET', slot: null }, { url: 'https://api.example.com/v1/other', method: 'GET', slot: null }] };
const FETCH_THREE = { $tag: 'Fetch', $value: [...FETCH_TWO.$value, { url: 'https://api.example.com/v1/third', method: 'GET', slot: null }] };
const intentsOf = (records: readonly SealedRecord[]) => records.flatMap((record) => (record.body.kind === 'effect_intent' ? [record.body] : []));

test('open intents reserve their count: N intents emitted before any receipt cannot pass a budget of fewer', async () => {
  const { send, settle, journal, world, clock, replayAll } = await start({ web: { count: 2 } });
  const opened = send('a', FETCH_TWO);
  const intents = intentsOf(opened);
  assert.equal(intents.length, 2, 'two effects in one step fit a count of 2');
  for (const intent of intents) assert.deepEqual({ ...intent.reserved }, { cost_cents: 0n, tokens: 0n, count: 1n }, 'each intent journals what it reserves');
  const early = denial(send('b', FETCH)).cap;
  assert.equal(early.code, 'budget_exhausted', 'no receipt yet, but both units are reserved');
  assert.match(early.message ?? '', /grant "web" has committed its count budget: 0 spent and 2 reserved by open intents, of 2; wait for those intents to settle/);
  journal.append(world.snapshot());
  const first = intents[0];
  assert.ok(first !== undefined);
  const charged = settle(opened.filter((record) => record.body.kind === 'effect_intent' && record.body.intent_hash === first.intent_hash), HTTP_OK);
  assert.deepEqual(kinds(charged), ['effect_receipt', 'budget_charge']);
  assert.match(denial(send('c', FETCH)).cap.message ?? '', /1 spent and 1 reserved by open intents, of 2/, 'the receipt released its reservation and charged the actual');
  const replayed = await replayAll();
  assert.match(denial(replayed.submitEvent({ schema: 'test/GuardedEvent@1', value: cbor({ id: 'z', op: FETCH }) }, clock.next())).cap.message ?? '', /1 spent and 1 reserved/, 'reservations are restored from the snapshot\'s open work');
});

test('within one step, each effect counts what the effects before it reserve: the step that would overrun fails whole', async () => {
  const { send, journal, world, replayAll } = await start({ web: { count: 2 } });
  const records = send('a', FETCH_THREE);
  assert.deepEqual(kinds(records), ['domain_event', 'cap_decision', 'policy_decision', 'cap_decision', 'policy_decision', 'cap_decision', 'workflow_fault']);
  const third = records[5]?.body;
  assert.ok(third?.kind === 'cap_decision');
  assert.equal(third.code, 'budget_exhausted');
  assert.match(third.message ?? '', /0 spent and 2 reserved by open intents, of 2/);
  assert.equal(world.openIntents().size, 0, 'a failed step opens nothing, so it reserves nothing');
  assert.equal(intentsOf(send('b', FETCH_TWO)).length, 2, 'the budget is untouched by the failed step');
  journal.append(world.snapshot());
  await replayAll();
});

test('the cost reservation is the grant\'s peak receipt cost; a reservation that would pass the ceiling is denied', async () => {
  const { send, settle, journal, world, replayAll } = await start({ store: { cost_cents: 10 } });
  const firstIntent = intentsOf(send('s', STORE))[0];
  assert.deepEqual({ ...firstIntent?.reserved }, { cost_cents: 0n, tokens: 0n, count: 1n }, 'no receipt yet: nothing known to reserve for cost');
  settle(journal.records.filter((record) => record.body.kind === 'effect_intent'), BLOB_OK, { cost_cents: 4 });
  const second = intentsOf(send('s', STORE))[0];
  assert.deepEqual({ ...second?.reserved }, { cost_cents: 4n, tokens: 0n, count: 1n }, 'the dearest receipt so far cost 4');
  journal.append(world.snapshot());
  const refused = denial(send('s', STORE)).cap;
  assert.match(refused.message ?? '', /grant "store" cannot reserve 4 cost_cents for this effect: 4 spent and 4 reserved by open intents leave 2 of 10/);
  await replayAll();
});


test('an approval denial releases the reservation and charges nothing', async () => {
  const alice = testPrincipal('alice');
  const fixture = await worldFixture(worldVariant(GUARDED, { approvers: [alice], budgets: { clock: { count: 1 } } }), sourcesOf(GUARDED));
  const content = new MemoryContent();
  const journal = new MemoryJournal();
  const clock = new FakeClock(3);
  const created = World.create(fixture.view, await fixture.modules(), content, trustedFor(ADAPTER));
  journal.append(created.records);
  const world = created.world;
  const wait = (id: string) => {
    const records = world.submitEvent({ schema: 'test/GuardedEvent@1', value: cbor({ id, op: { $tag: 'Wait', $value: 7 } }) }, clock.next());
    journal.append(records);
    return records;
  };
  const held = intentsOf(wait('a'))[0];
  assert.ok(held !== undefined && held.awaiting_approval === true);
  assert.deepEqual({ ...held.reserved }, { cost_cents: 0n, tokens: 0n, count: 1n }, 'an intent awaiting approval reserves too: it may still run');
  assert.equal(denial(wait('b')).cap.code, 'budget_exhausted');
  const denied = world.submitApproval(alice.sign(world.approvalSubject(held.intent_hash, 'deny')), clock.next());
  journal.append(denied);
  assert.ok(!kinds(denied).includes('budget_charge'), 'a denial charges nothing');
  assert.equal(intentsOf(wait('c')).length, 1, 'the released unit can be reserved again');
  const replayed = World.replay(fixture.view, await fixture.modules(), content, journal.records);
  assert.deepEqual(replayed.head, world.head);
});
