// Goal: in a running world every emitted effect is decided before it can run: an allowed one is
// journaled as cap_decision, policy_decision, effect_intent (open work); a denied one fails only
// its instance with a journaled effect_denied fault and takes none of that step's output; the
// world keeps serving; and replay from genesis and from a snapshot re-produces every record.
// Method: the guarded test world (test/fixtures/worlds/guarded: http grants with a slot binding,
// a custom blob enforcer that is a real pure module in QuickJS, a timer sent for approval, a
// policy) driven with a fake clock; records inspected; replays compared byte for byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { decodeCanonical, encodeCanonical } from '../../../src/cbor/index.ts';
import type { CborValue } from '../../../src/cbor/index.ts';
import { KernelError, sealRecord, World } from '../../../src/kernel/index.ts';
import type { RecordBody, SealedRecord } from '../../../src/kernel/index.ts';
import { intentHash } from '../../../src/kernel/intents.ts';
import { ROOT, worldFixture } from '../../support/kernel-fixture.ts';
import { signedReceipt, testSigner } from '../../support/receipt-keys.ts';
import { assertGuardedReplays, startGuarded } from '../../support/guarded-world.ts';

const HTTP_SIGNER = testSigner('test.http');

const GUARDED = join(ROOT, 'test/fixtures/worlds/guarded');
const MODULE = 'test/Guarded@1';
const cbor = (value: CborValue) => encodeCanonical(value, { selfDescribe: false });
const fetch = (...requests: Array<{ url: string; method?: string; slot?: string }>) => ({ $tag: 'Fetch', $value: requests.map((request) => ({ url: request.url, method: request.method ?? 'GET', slot: request.slot ?? null })) });
const store = (length: number, slot: string | null = 'store') => ({ $tag: 'Store', $value: { bytes: new Uint8Array(length).fill(7), slot } });
const ALLOWED = 'https://api.example.com/v1/items';

async function start() {
  const fixture = await worldFixture(GUARDED);
  const { content, journal, clock, world, send } = await startGuarded(fixture, HTTP_SIGNER, 11);
  const stateOf = (id: string) => {
    const bytes = world.state(MODULE, cbor(id));
    return bytes === null ? null : decodeCanonical(bytes);
  };
  const statusOf = (id: string) => world.cells(MODULE).find((cell) => cell.key !== null && decodeCanonical(cell.key) === id)?.status;
  return { fixture, content, journal, clock, world, send, stateOf, statusOf };
}

const kinds = (records: readonly SealedRecord[]) => records.map((record) => record.body.kind);
function bodyOf<K extends RecordBody['kind']>(records: readonly SealedRecord[], kind: K, nth = 0): Extract<RecordBody, { kind: K }> {
  const found = records.filter((record) => record.body.kind === kind)[nth];
  assert.ok(found !== undefined, `no ${kind} record #${nth} in ${kinds(records).join(', ')}`);
  return found.body as Extract<RecordBody, { kind: K }>;
}

test('an allowed effect is journaled as cap_decision, policy_decision, then effect_intent, and becomes open work', async () => {
  const { world, send, statusOf } = await start();
  const records = send('a', fetch({ url: ALLOWED }));
  assert.deepEqual(kinds(records), ['domain_event', 'cap_decision', 'policy_decision', 'effect_intent']);
  const cap = bodyOf(records, 'cap_decision');
  const policy = bodyOf(records, 'policy_decision');
  const intent = bodyOf(records, 'effect_intent');
  assert.deepEqual({ ...cap, origin: null }, {
    kind: 'cap_decision', intent_hash: intent.intent_hash, effect_kind: 'http.request', grant: 'web', cap_type: 'http.out', decision: 'allow', origin: null, cause: 2, // height 0 is the manifest, 1 the trusted keys
  });
  assert.deepEqual(decodeCanonical(cap.origin.key ?? new Uint8Array()), 'a');
  assert.deepEqual({ ...policy, origin: null }, { kind: 'policy_decision', intent_hash: intent.intent_hash, policy: 'test/policy@1', rule_index: 2, decision: 'allow', origin: null, cause: 2 });
  assert.equal(intent.grant, 'web');
  assert.equal(intent.intent_hash, intentHash('http.request', intent.params, 'web', intent.idempotency_key), 'the intent hash binds the grant');
  assert.ok(world.openIntents().has(intent.intent_hash));
  assert.equal(statusOf('a'), 'waiting');
});

test('a denied effect fails its instance with a journaled effect_denied fault naming the code; the world keeps serving', async () => {
  const { world, send, stateOf, statusOf } = await start();
  send('b', { $tag: 'Inc', $value: 5 });
  const records = send('b', fetch({ url: 'https://evil.example/v1/x' }));
  assert.deepEqual(kinds(records), ['domain_event', 'cap_decision', 'workflow_fault']);
  const cap = bodyOf(records, 'cap_decision');
  assert.deepEqual([cap.decision, cap.grant, cap.code], ['deny', 'web', 'host_not_allowed']);
  const fault = bodyOf(records, 'workflow_fault');
  assert.equal(fault.failure.kind, 'effect_denied');
  assert.equal(fault.failure.code, 'host_not_allowed');
  assert.match(fault.failure.message, /effects\[0\] "http\.request" under grant "web" \(sys\/http\.out@1\), which was denied \(host_not_allowed\): host "evil\.example"/);
  assert.equal(statusOf('b'), 'failed');
  assert.deepEqual(stateOf('b'), { count: 5, receipts: 0 }, 'the denied step changed no state');
  assert.equal(world.openIntents().size, 0);
  send('b', { $tag: 'Inc', $value: 1 });
  send('other', { $tag: 'Inc', $value: 2 });
  assert.deepEqual(stateOf('b'), { count: 6, receipts: 0 });
  assert.deepEqual(stateOf('other'), { count: 2, receipts: 0 });
});

test('a step with an allowed and a denied effect takes no effect: decisions up to the denial are journaled, no intent opens', async () => {
  const { world, send, stateOf } = await start();
  send('m', { $tag: 'Inc', $value: 3 });
  const records = send('m', fetch({ url: ALLOWED }, { url: `${ALLOWED}/x`, method: 'DELETE' }, { url: 'https://evil.example/' }));
  assert.deepEqual(kinds(records), ['domain_event', 'cap_decision', 'policy_decision', 'cap_decision', 'workflow_fault'], 'the third effect is never decided');
  assert.equal(bodyOf(records, 'cap_decision', 0).decision, 'allow');
  assert.equal(bodyOf(records, 'cap_decision', 1).code, 'method_not_allowed');
  assert.match(bodyOf(records, 'workflow_fault').failure.message, /effects\[1\]/);
  assert.equal(world.openIntents().size, 0);
  assert.deepEqual(stateOf('m'), { count: 3, receipts: 0 });
});

test('policy denials, approvals, custom enforcers and binding errors are each journaled with their code', async () => {
  const { world, send, stateOf } = await start();
  const cases: Array<[string, CborValue, readonly string[], string | undefined]> = [
    ['internal', fetch({ url: 'https://internal.example/', slot: 'internal' }), ['domain_event', 'cap_decision', 'policy_decision', 'workflow_fault'], 'policy_denied'],
    ['small', store(8), ['domain_event', 'cap_decision', 'policy_decision', 'effect_intent'], undefined],
    ['big', store(9), ['domain_event', 'cap_decision', 'workflow_fault'], 'too_big'],
    ['thirteen', store(13), ['domain_event', 'cap_decision', 'workflow_fault'], 'enforcer_error'],
    ['unslotted', store(1, null), ['domain_event', 'cap_decision', 'workflow_fault'], 'cap_type_mismatch'],
    ['nowhere', fetch({ url: ALLOWED, slot: 'nope' }), ['domain_event', 'cap_decision', 'workflow_fault'], 'capability_binding_missing'],
  ];
  for (const [id, op, expected, code] of cases) {
    const records = send(id, op);
    assert.deepEqual(kinds(records), expected, id);
    if (code !== undefined) assert.equal(bodyOf(records, 'workflow_fault').failure.code, code, id);
  }
  assert.deepEqual(bodyOf(send('internal', fetch({ url: 'https://internal.example/', slot: 'internal' })), 'policy_decision').rule_index, 0);
  assert.match(bodyOf(send('big', store(10)), 'cap_decision').message ?? '', /10 bytes exceed the grant's max_bytes 8 \(grant store, asked by test\/Guarded@1\)/);

  const approval = send('later', { $tag: 'Wait', $value: 99 });
  assert.deepEqual(kinds(approval), ['domain_event', 'cap_decision', 'policy_decision', 'effect_intent'], 'require_approval opens the intent, awaiting approval');
  assert.deepEqual([bodyOf(approval, 'policy_decision').decision, bodyOf(approval, 'policy_decision').rule_index], ['require_approval', 1]);
  assert.equal(bodyOf(approval, 'effect_intent').awaiting_approval, true);
  assert.deepEqual(stateOf('later'), { count: 1, receipts: 0 }, 'the rest of the step takes effect');
  assert.deepEqual([...world.openIntents().values()].filter((intent) => intent.kind === 'timer.set').map((intent) => intent.approval?.approvers), [[]]);
});

test('replay from genesis and from a snapshot re-produces every decision record byte for byte; an altered decision dies', async () => {
  const { world, send, journal, clock, fixture, content } = await start();
  send('a', fetch({ url: ALLOWED }));
  send('b', fetch({ url: ALLOWED }, { url: 'https://evil.example/' }));
  send('c', store(4));
  journal.append(world.snapshot());
  send('c', store(13));
  send('d', { $tag: 'Wait', $value: 1 });
  send('e', fetch({ url: 'https://internal.example/', slot: 'internal' }));
  const intent = journal.records.map((record) => record.body).find((body): body is Extract<RecordBody, { kind: 'effect_intent' }> => body.kind === 'effect_intent');
  assert.ok(intent !== undefined);
  const receipt = signedReceipt(HTTP_SIGNER, { intent_hash: intent.intent_hash, status: 'ok', payload: cbor({ status: 200, headers: {}, body_ref: null, timings: { start_ns: 1, end_ns: 2 }, adapter_id: 'test.http' }) });
  journal.append(world.submitReceipt(receipt, clock.next()));
  send('f', fetch({ url: ALLOWED }, { url: ALLOWED, method: 'POST' }));

  const { fromSnapshot } = await assertGuardedReplays(fixture, content, journal, world, MODULE, ['a', 'b', 'c', 'd', 'e', 'f']);
  assert.deepEqual([...fromSnapshot.openIntents().keys()].sort(), [...world.openIntents().keys()].sort());

  const denial = journal.records.find((record) => record.body.kind === 'cap_decision' && record.body.decision === 'deny');
  assert.ok(denial !== undefined && denial.body.kind === 'cap_decision');
  const altered = sealRecord(denial.height, denial.prev, { ...denial.body, code: 'host_allowed_after_all' });
  const tampered = journal.records.map((record) => (record.height === denial.height ? altered : record));
  const modules = await fixture.modules();
  assert.throws(() => World.replay(fixture.view, modules, content, tampered),
    (error: unknown) => error instanceof KernelError && error.code === 'REPLAY_DIVERGED' && error.message.includes(`height ${denial.height}`) && error.message.includes('cap_decision'));
});
