// Goal: an effect a require_approval policy decision holds opens as open work awaiting approval;
// principals of the manifest's approval policy decide it with signed approvals (quorum counted by
// distinct principals); a denial settles it and reaches the workflow as a `denied` envelope; an
// outsider, a forged or replayed signature, or an intent not pending is refused unjournaled; and
// replay from genesis and from a snapshot re-produces every record (replay or die).
// Method: the guarded world (timers require approval) with an approval policy of seeded test
// principals, its workflow swapped for one that counts denied receipts apart; a fake clock.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { decodeCanonical, encodeCanonical } from '../../../src/cbor/index.ts';
import type { CborValue, Hash } from '../../../src/cbor/index.ts';
import { KernelError, World } from '../../../src/kernel/index.ts';
import type { SealedRecord } from '../../../src/kernel/index.ts';
import type { ApprovalSigner } from '../../../src/node/approval-signer.ts';
import { FakeClock, MemoryContent, MemoryJournal, ROOT, worldFixture } from '../../support/kernel-fixture.ts';
import { sourcesOf, testPrincipal, removeVariants, worldVariant } from '../../support/principal-keys.ts';
import { signedReceipt, testSigner, trustedFor } from '../../support/receipt-keys.ts';

after(removeVariants);

const GUARDED = join(ROOT, 'test/fixtures/worlds/guarded');
const MODULE = 'test/Guarded@1';
const TIMER = testSigner('test.timer');
const ALICE = testPrincipal('alice');
const BOB = testPrincipal('bob');
const MALLORY = testPrincipal('mallory');
const cbor = (value: CborValue) => encodeCanonical(value, { selfDescribe: false });

async function start(quorum = 1) {
  const dir = worldVariant(GUARDED, { approvers: [ALICE, BOB], quorum });
  const fixture = await worldFixture(dir, { ...sourcesOf(GUARDED), [MODULE]: join(GUARDED, 'workflows/guarded-denials.ts') });
  const content = new MemoryContent();
  const journal = new MemoryJournal();
  const clock = new FakeClock(5);
  const created = World.create(fixture.view, await fixture.modules(), content, trustedFor(TIMER));
  journal.append(created.records);
  const world = created.world;
  const wait = (id: string): Hash => {
    const records = world.submitEvent({ schema: 'test/GuardedEvent@1', value: cbor({ id, op: { $tag: 'Wait', $value: 7 } }) }, clock.next());
    journal.append(records);
    const intent = records.find((record) => record.body.kind === 'effect_intent');
    assert.ok(intent !== undefined && intent.body.kind === 'effect_intent');
    return intent.body.intent_hash;
  };
  const decide = (signer: ApprovalSigner, hash: Hash, decision: 'approve' | 'deny'): SealedRecord[] => {
    const records = world.submitApproval(signer.sign(world.approvalSubject(hash, decision)), clock.next());
    journal.append(records);
    return records;
  };
  const stateOf = (id: string) => decodeCanonical(world.state(MODULE, cbor(id)) ?? cbor(null));
  const replayAll = async () => {
    const fromGenesis = World.replay(fixture.view, await fixture.modules(), content, journal.records);
    assert.deepEqual(fromGenesis.head, world.head);
    assert.deepEqual(fromGenesis.openIntents(), world.openIntents());
    const snapshot = [...journal.records].reverse().find((record) => record.body.kind === 'snapshot');
    if (snapshot !== undefined) {
      const fromSnapshot = World.replay(fixture.view, await fixture.modules(), content, journal.records.filter((record) => record.height > snapshot.height), snapshot);
      assert.deepEqual(fromSnapshot.head, world.head);
      assert.deepEqual(fromSnapshot.openIntents(), world.openIntents());
    }
  };
  return { world, journal, clock, wait, decide, stateOf, replayAll };
}

const refusal = (pattern: RegExp) => (error: unknown) => error instanceof KernelError && error.code === 'APPROVAL_REFUSED' && pattern.test(error.message);

test('a require_approval effect waits as open work; one allowed principal\'s approval makes it ordinary open work', async () => {
  const { world, wait, decide, replayAll, journal } = await start();
  const hash = wait('a');
  assert.deepEqual(world.pendingApprovals().map((intent) => intent.hash), [hash]);
  const intent = world.openIntents().get(hash);
  assert.ok(intent?.approval !== null && intent?.approval !== undefined);
  assert.equal(intent.approval.record, journal.records.find((record) => record.body.kind === 'effect_intent')?.hash, 'approvals sign the hash of the record that opened it');
  const records = decide(ALICE, hash, 'approve');
  assert.deepEqual(records.map((record) => record.body.kind), ['approval']);
  const body = records[0]?.body;
  assert.ok(body?.kind === 'approval');
  assert.deepEqual([body.intent_hash, body.decision, body.principal, body.signature.length], [hash, 'approve', ALICE.keyId, 64]);
  assert.equal(world.openIntents().get(hash)?.approval, null, 'now ordinary open work');
  assert.deepEqual(world.pendingApprovals(), []);
  await replayAll();
});

test('quorum 2 needs two distinct principals; the same principal twice is refused', async () => {
  const { world, wait, decide, journal, replayAll } = await start(2);
  const hash = wait('q');
  decide(ALICE, hash, 'approve');
  assert.deepEqual(world.openIntents().get(hash)?.approval?.approvers, [ALICE.keyId], 'still pending after one');
  const height = world.head.height;
  assert.throws(() => decide(ALICE, hash, 'approve'), refusal(/alice .* already approved intent .*distinct principals/));
  assert.equal(world.head.height, height, 'a refused approval journals nothing');
  journal.append(world.snapshot());
  decide(BOB, hash, 'approve');
  assert.equal(world.openIntents().get(hash)?.approval, null);
  await replayAll();
});

test('a denial settles the intent and the workflow receives a `denied` receipt envelope', async () => {
  const { world, wait, decide, stateOf, replayAll, clock, journal } = await start(2);
  const approved = wait('d');
  decide(ALICE, approved, 'approve');
  journal.append(world.snapshot());
  const records = decide(BOB, approved, 'deny');
  assert.deepEqual(records.map((record) => record.body.kind), ['approval'], 'the delivery changes state only');
  assert.equal(world.openIntents().has(approved), false);
  assert.deepEqual(stateOf('d'), { count: 1, receipts: 1000 }, 'the workflow saw status "denied"');
  assert.equal(world.cells(MODULE)[0]?.status, 'running');
  assert.throws(() => decide(ALICE, approved, 'approve'), refusal(/is not waiting for approval \(it is not open work\)/));
  // An approved intent settles through its adapter's receipt, as any other.
  const other = wait('e');
  decide(ALICE, other, 'approve');
  decide(BOB, other, 'approve');
  journal.append(world.submitReceipt(signedReceipt(TIMER, { intent_hash: other, status: 'ok', payload: cbor({ delivered_at_ns: 7, key: null }) }), clock.next()));
  assert.deepEqual(stateOf('e'), { count: 1, receipts: 1 });
  await replayAll();
});

test('an outsider, a forged signature, an approval from another emission, or an intent not pending is refused, unjournaled', async () => {
  const { world, wait, decide } = await start();
  const hash = wait('f');
  const height = world.head.height;
  assert.throws(() => decide(MALLORY, hash, 'approve'), refusal(/principal ed25519:[0-9a-f]{64} may not approve effects in this world: its approval_policy lists alice, bob/));
  const signed = ALICE.sign(world.approvalSubject(hash, 'approve'));
  const forged = { ...signed, signature: signed.signature.map((byte, index) => (index === 0 ? byte ^ 1 : byte)) };
  assert.throws(() => world.submitApproval(forged, new FakeClock(9).next()), refusal(/signature that does not verify/));
  assert.throws(() => world.submitApproval({ ...signed, decision: 'deny' }, new FakeClock(9).next()), refusal(/signature that does not verify/), 'a decision flipped under a signature');
  const elsewhere = ALICE.sign({ intent_hash: hash, decision: 'approve', intent_record: `sha256:${'0'.repeat(64)}` as Hash });
  assert.throws(() => world.submitApproval(elsewhere, new FakeClock(9).next()), refusal(/signature that does not verify/), 'signed for another world\'s record');
  assert.throws(() => world.approvalSubject(`sha256:${'1'.repeat(64)}` as Hash, 'approve'), refusal(/is not waiting for approval \(it is not open work\)/));
  assert.equal(world.head.height, height);
  decide(ALICE, hash, 'approve');
  assert.throws(() => world.submitApproval(signed, new FakeClock(9).next()), refusal(/already approved and runs as ordinary open work/));
});
