// Goal: the kernel's governance loop: a patch is proposed against the manifest in force (or
// journaled as rejected with its reasons: stale base, stale pre_hash, sys/* edit, invalid AIR),
// shadowed, approved by signed decisions of the approval policy's principals (quorum and the
// stricter rule for what it touches counted; unknown keys, forged signatures, principals outside
// a rule refused unjournaled), refused before quorum, after a rejection and while anything is in
// flight (the message names it), then applied atomically: `applied` + `manifest`, and the world
// runs the candidate. Replay from genesis and from snapshots before and after the swap
// re-produces every record (replay or die).
// Method: the guarded world (timers require approval) with principals alice and bob, quorum 1,
// and a rule that policy changes need both; the patch replaces its policy with one that lets
// timers run without approval. A fake clock; a memory content store.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import { sectionHash } from '../../../src/air/index.ts';
import { encodeCanonical } from '../../../src/cbor/index.ts';
import type { CborValue, Hash } from '../../../src/cbor/index.ts';
import { KernelError, World } from '../../../src/kernel/index.ts';
import type { GovernanceDecision, SealedRecord } from '../../../src/kernel/index.ts';
import type { ApprovalSigner } from '../../../src/node/approval-signer.ts';
import { FakeClock, MemoryContent, MemoryJournal, ROOT, worldFixture } from '../../support/kernel-fixture.ts';
import { removeVariants, sourcesOf, testPrincipal, worldVariant } from '../../support/principal-keys.ts';
import { signedReceipt, testSigner, trustedFor } from '../../support/receipt-keys.ts';

after(removeVariants);

const GUARDED = join(ROOT, 'test/fixtures/worlds/guarded');
const TIMER = testSigner('test.timer');
const ALICE = testPrincipal('alice');
const BOB = testPrincipal('bob');
const MALLORY = testPrincipal('mallory');
const POLICY = 'test/policy@1';
const cbor = (value: CborValue) => encodeCanonical(value, { selfDescribe: false });
const text = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

/** The policy of the candidate: timers run without approval. */
const OPEN_POLICY = {
  $kind: 'defpolicy', name: POLICY,
  rules: [
    { when: { cap_name: 'internal' }, decision: 'deny' },
    { when: { origin_kind: 'workflow', origin_name: 'test/Guarded@1' }, decision: 'allow' },
  ],
};

async function start() {
  const dir = worldVariant(GUARDED, { approvers: [ALICE, BOB], quorum: 1 });
  const manifestFile = join(dir, 'air/manifest.air.json');
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { approval_policy: Record<string, unknown> };
  manifest.approval_policy.rules = [{ touches: ['defpolicy', 'defcap'], quorum: 2 }, { touches: ['approval_policy'], quorum: 1, principals: ['bob'] }];
  writeFileSync(manifestFile, JSON.stringify(manifest));
  const fixture = await worldFixture(dir, sourcesOf(GUARDED));
  const content = new MemoryContent();
  for (const entry of fixture.view.index.all()) if (!entry.builtin) content.put(entry.bytes);
  const journal = new MemoryJournal();
  const clock = new FakeClock(9);
  const created = World.create(fixture.view, await fixture.modules(), content, trustedFor(TIMER));
  journal.append(created.records);
  const world = created.world;
  const keep = (records: SealedRecord[]) => {
    journal.append(records);
    return records;
  };
  const policyPatch = (base: Hash = world.view.hash, node: unknown = OPEN_POLICY) => ({
    base_manifest_hash: base,
    patches: [{ replace_def: { kind: 'defpolicy', name: POLICY, new_node: node, pre_hash: world.view.manifest.policies.find((ref) => ref.name === POLICY)?.hash } }],
  });
  const propose = (doc: unknown) => keep(world.submitProposal({ document: text(doc), author: 'cli', description: 'timers without approval' }, clock.next()));
  const shadow = (id: number) => keep(world.submitShadowReport(id, `sha256:${'ab'.repeat(32)}` as Hash, clock.next()));
  const decide = (signer: ApprovalSigner, id: number, decision: GovernanceDecision = 'approve', reason: string | null = null) =>
    keep(world.submitGovernanceDecision(signer.signGovernance(world.governanceSubject(id, decision, reason)), clock.next()));
  const apply = (id: number) => keep(world.applyProposal({ proposal_id: id }, clock.next()));
  const wait = (id: string): Hash => {
    const records = keep(world.submitEvent({ schema: 'test/GuardedEvent@1', value: cbor({ id, op: { $tag: 'Wait', $value: 7 } }) }, clock.next()));
    const intent = records.find((record) => record.body.kind === 'effect_intent');
    assert.ok(intent?.body.kind === 'effect_intent');
    return intent.body.intent_hash;
  };
  const replayAll = async () => {
    const fromGenesis = World.replay(fixture.view, await fixture.modules(), content, journal.records);
    assert.deepEqual([fromGenesis.head, fromGenesis.view.hash, fromGenesis.proposals()], [world.head, world.view.hash, world.proposals()]);
    const snapshots = journal.records.filter((record) => record.body.kind === 'snapshot');
    for (const snapshot of snapshots) {
      const replayed = World.replay(fixture.view, await fixture.modules(), content, journal.records.filter((record) => record.height > snapshot.height), snapshot);
      assert.deepEqual([replayed.head, replayed.view.hash, replayed.proposals()], [world.head, world.view.hash, world.proposals()], `from the snapshot at ${snapshot.height}`);
      assert.deepEqual(replayed.openIntents(), world.openIntents());
    }
    return snapshots.length;
  };
  return { world, clock, keep, policyPatch, propose, shadow, decide, apply, wait, replayAll };
}

const refused = (code: string, pattern: RegExp) => (error: unknown) => error instanceof KernelError && error.code === code && pattern.test(error.message);

test('propose → shadow → approve (quorum and rule) → apply blocked in flight → apply swaps the manifest; replay or die', async () => {
  const { world, clock, keep, policyPatch, propose, shadow, decide, apply, wait, replayAll } = await start();
  const genesis = world.view.hash;
  const proposed = propose(policyPatch());
  assert.deepEqual(proposed.map((record) => [record.body.kind, record.body.kind === 'governance' ? record.body.op : '']), [['governance', 'proposed']]);
  const [proposal] = world.proposals();
  assert.ok(proposal !== undefined);
  assert.deepEqual([proposal.id, proposal.status, proposal.base_manifest_hash, proposal.touches, proposal.author], [0, 'proposed', genesis, ['defpolicy', 'manifest_refs'], 'cli']);
  assert.throws(() => decide(ALICE, 0), refused('GOVERNANCE_REFUSED', /has not been shadowed yet.*aos gov shadow 0/));
  assert.throws(() => apply(0), refused('GOVERNANCE_REFUSED', /proposal 0 is proposed, not approved/));
  shadow(0);
  assert.equal(world.proposals()[0]?.status, 'shadowed');

  const held = wait('a');
  keep(world.snapshot());
  const height = world.head.height;
  assert.throws(() => decide(MALLORY, 0), refused('GOVERNANCE_REFUSED', /key ed25519:[0-9a-f]{64} is not a principal of this world's approval_policy \(it lists alice, bob\)/));
  const forged = { ...ALICE.signGovernance(world.governanceSubject(0, 'approve', null)), principal: BOB.keyId };
  assert.throws(() => keep(world.submitGovernanceDecision(forged, clock.next())), refused('GOVERNANCE_REFUSED', /by bob .* has a signature that does not verify/));
  assert.equal(world.head.height, height, 'refusals journal nothing');

  decide(ALICE, 0);
  assert.equal(world.proposals()[0]?.status, 'shadowed', 'one approval meets the quorum, not the rule for policies');
  assert.throws(() => apply(0), refused('GOVERNANCE_REFUSED', /the rule for defpolicy, defcap needs 2 approval\(s\), it has 1/));
  assert.throws(() => decide(ALICE, 0), refused('GOVERNANCE_REFUSED', /alice .* already approved proposal 0/));
  decide(BOB, 0);
  assert.equal(world.proposals()[0]?.status, 'approved');

  assert.throws(() => apply(0), refused('APPLY_BLOCKED', new RegExp(`apply blocked in flight: .*test/Guarded@1\\[key 0x[0-9a-f]+\\] waits on 1 intent\\(s\\); open intents: timer.set ${held} \\(awaiting approval\\)`)));
  assert.deepEqual(world.applyBlockers().intents.map((intent) => intent.intent_hash), [held]);
  keep(world.submitApproval(ALICE.sign(world.approvalSubject(held, 'approve')), clock.next()));
  keep(world.submitReceipt(signedReceipt(TIMER, { intent_hash: held, status: 'ok', payload: cbor({ delivered_at_ns: 7, key: null }) }), clock.next()));

  const applied = apply(0);
  assert.deepEqual(applied.map((record) => record.body.kind), ['governance', 'manifest']);
  const candidate = world.proposals()[0]?.manifest_hash;
  assert.ok(candidate !== null && candidate !== undefined);
  assert.equal(world.view.hash, candidate, 'the world runs the candidate');
  assert.deepEqual(applied[1]?.body, { kind: 'manifest', manifest_hash: candidate });
  assert.equal(world.proposals()[0]?.status, 'applied');
  assert.throws(() => apply(0), refused('GOVERNANCE_REFUSED', /proposal 0 was already applied/));

  const after = keep(world.submitEvent({ schema: 'test/GuardedEvent@1', value: cbor({ id: 'b', op: { $tag: 'Wait', $value: 9 } }) }, clock.next()));
  const intent = after.find((record) => record.body.kind === 'effect_intent');
  assert.ok(intent?.body.kind === 'effect_intent');
  assert.equal(intent.body.awaiting_approval, undefined, 'under the new policy a timer needs no approval');
  keep(world.snapshot());
  assert.equal(await replayAll(), 2, 'replayed from genesis and from a snapshot before and after the swap');
});

test('patches that do not compile are journaled as rejected with their reasons', async () => {
  const { world, clock, keep, policyPatch, propose, replayAll } = await start();
  const stale = propose(policyPatch(`sha256:${'00'.repeat(32)}` as Hash));
  const body = stale[0]?.body;
  assert.ok(body?.kind === 'governance');
  assert.equal(body.op, 'rejected');
  assert.match(body.reasons?.[0] ?? '', /^STALE_PRE_HASH: .*the patch was written against manifest sha256:0{64}, but the world is now at sha256:/);
  const prehash = policyPatch();
  const bad = { ...prehash, patches: [{ replace_def: { ...prehash.patches[0]?.replace_def, pre_hash: `sha256:${'11'.repeat(32)}` } }] };
  assert.match((propose(bad)[0]?.body as unknown as { reasons: string[] }).reasons[0] ?? '', /^STALE_PRE_HASH: .*does not match defpolicy "test\/policy@1" as it is now/);
  const sys = { base_manifest_hash: world.view.hash, patches: [{ remove_def: { kind: 'defschema', name: 'sys/TimerSetParams@1', pre_hash: `sha256:${'22'.repeat(32)}` } }] };
  assert.match((propose(sys)[0]?.body as unknown as { reasons: string[] }).reasons[0] ?? '', /^RESERVED_NAME: .*patches may not touch the built-in sys\/\* catalog/);
  const invalid = policyPatch(world.view.hash, { ...OPEN_POLICY, rules: [{ when: {}, decision: 'maybe' }] });
  assert.match((propose(invalid)[0]?.body as unknown as { reasons: string[] }).reasons[0] ?? '', /^SCHEMA_VIOLATION/);
  assert.match((keep(world.submitProposal({ document: new TextEncoder().encode('{not json'), author: 'cli' }, clock.next()))[0]?.body as unknown as { reasons: string[] }).reasons[0] ?? '', /not UTF-8 JSON/);
  assert.deepEqual(world.proposals().map((proposal) => [proposal.id, proposal.status, proposal.patch_hash]), [[0, 'rejected', null], [1, 'rejected', null], [2, 'rejected', null], [3, 'rejected', null], [4, 'rejected', null]]);
  assert.equal(world.view.manifest.policies.length, 1);
  assert.equal(await replayAll(), 0);
});

test('a rejection is final; a stale base is refused at apply; an approval rule can name who may decide', async () => {
  const { world, policyPatch, propose, shadow, decide, apply, replayAll, keep } = await start();
  propose(policyPatch());
  propose(policyPatch(world.view.hash, { ...OPEN_POLICY, rules: [...OPEN_POLICY.rules, { when: { effect_kind: 'http.request' }, decision: 'deny' }] }));
  const approvalOnly = {
    base_manifest_hash: world.view.hash,
    patches: [{ set_approval_policy: { pre_hash: sectionHash(world.view.manifest, 'approval_policy'), approval_policy: { principals: [{ name: 'alice', public_key: ALICE.keyId }], quorum: 1 } } }],
  };
  propose(approvalOnly);
  for (const id of [0, 1, 2]) shadow(id);
  assert.throws(() => decide(ALICE, 2), refused('GOVERNANCE_REFUSED', /alice may not decide proposal 2: it touches approval_policy, and the approval policy's rule for that admits only bob/));
  decide(ALICE, 0, 'reject', 'not now');
  assert.throws(() => apply(0), refused('GOVERNANCE_REFUSED', /proposal 0 was rejected at height \d+ \(not now\); a rejection is final/));
  assert.throws(() => decide(BOB, 0), refused('GOVERNANCE_REFUSED', /proposal 0 was rejected/));
  for (const signer of [ALICE, BOB]) decide(signer, 1);
  decide(BOB, 2);
  keep(world.snapshot());
  apply(2);
  assert.throws(() => apply(1), refused('GOVERNANCE_REFUSED', /proposal 1 was written against manifest sha256:[0-9a-f]{64}, but the world now runs sha256:[0-9a-f]{64} \(another change was applied since\)/));
  assert.deepEqual(world.proposals().map((proposal) => proposal.status), ['rejected', 'approved', 'applied']);
  assert.equal(world.view.manifest.approval_policy?.principals.length, 1);
  assert.equal(await replayAll(), 1);
});
