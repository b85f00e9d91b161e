// Goal: the governance.* effects end to end, as a workflow uses them (DESIGN §8). A workflow
// approves through governance.approve with the principal key the node assigned to it: when the
// approval policy names that key the approval is journaled and counts toward quorum; when it does
// not, the workflow gets an error receipt saying why and nothing is journaled. A workflow's own
// governance.apply is not blocked by its own pending intent: the apply settles it in the same
// input (no adapter receipt for it is ever journaled). It is blocked by other open work (another
// instance waiting on a blob.put), and the refusal names that instance and intent; once the work
// settles, the apply goes through. The grant's cap enforcer (sys/CapEnforceGovernance@1) denies
// proposals outside its ops, def kinds, name prefixes and manifest sections, each with a
// cap_decision deny naming the limit. A governance.shadow whose deadline passes while it loads
// its modules settles as a timeout, and the abandoned shadow journals no report (the proposal
// stays to be shadowed). Replay or die after each run.
// Method: test/fixtures/worlds/governor (test/Governor@1 drives governance.* on request,
// test/Holder@1 stores blobs; principals alice and robot, quorum 2) on the embedded default with
// the ladder kit; the governance adapter over EmbeddedGovernance signed by the node's `kernel`
// key; the blob adapter behind a gate the test opens.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { BlobAdapter, BLOB_ADAPTER_ID_DEFAULT } from '../../src/adapters/blob-adapter.ts';
import { GovernanceAdapter } from '../../src/adapters/governance-adapter.ts';
import type { Adapter, AdapterContext, AdapterIntent, AdapterOutcome } from '../../src/adapters/index.ts';
import { KERNEL_ADAPTER_ID } from '../../src/adapters/kernel-adapter-id.ts';
import { writeFileSync } from 'node:fs';
import { EmbeddedGovernance, generateKey } from '../../src/node/index.ts';
import { workflowPrincipalsPath } from '../../src/node/governance-principals.ts';
import type { ApprovalSigner } from '../../src/node/index.ts';
import { LadderWorld } from '../../scripts/ladder-kit.ts';
import type { Hash } from '../../src/cbor/index.ts';
import { ROOT } from '../support/kernel-fixture.ts';
import { testPrincipal } from '../support/principal-keys.ts';

const WORLD = join(ROOT, 'test/fixtures/worlds/governor');
const GOVERNOR = 'test/Governor@1';
const HOLDER = 'test/Holder@1';
const ALICE = testPrincipal('alice');
const ROBOT = testPrincipal('robot');
const MALLORY = testPrincipal('mallory');

interface GovState { receipts: number; last_kind: string | null; last_status: string | null; last_message: string | null; proposal_id: number | null; manifest_hash: string | null }

/** blob.put held until the test opens the gate. */
class GatedBlobs implements Adapter {
  readonly id = BLOB_ADAPTER_ID_DEFAULT;
  private readonly inner = new BlobAdapter();
  readonly kinds = this.inner.kinds;
  private opened!: () => void;
  private readonly gate = new Promise<void>((resolve) => { this.opened = resolve; });
  started = 0;

  async execute(intent: AdapterIntent, context: AdapterContext): Promise<AdapterOutcome> {
    this.started += 1;
    await this.gate;
    return this.inner.execute(intent, context);
  }

  open(): void {
    this.opened();
  }
}

/** The world with `principals` (by module) as the keys the node assigned to workflows (by default, those its folder assigns). */
async function start(principals?: ReadonlyMap<string, ApprovalSigner>, prepare: (dir: string) => void = () => undefined) {
  const world = await LadderWorld.start(WORLD, [BLOB_ADAPTER_ID_DEFAULT, KERNEL_ADAPTER_ID]);
  prepare(world.dir);
  const blobs = new GatedBlobs();
  const executor = world.executor([{ adapter: blobs }, { adapter: new GovernanceAdapter(new EmbeddedGovernance(world.world, principals)) }]);
  const governor = () => world.state(GOVERNOR) as GovState;
  /** Sends a request to the governor and waits for its receipt. */
  const ask = async (json: unknown): Promise<GovState> => {
    const before = Number(governor()?.receipts ?? 0);
    world.send('test/GovEvent@1', json);
    await world.until('the governor gets its receipt', () => Number(governor().receipts) > before);
    return governor();
  };
  return { world, blobs, executor, governor, ask };
}

/** A patch adding one policy named `name` against the manifest in force, and its true summary. */
function addPolicy(world: LadderWorld, name: string) {
  const node = { $kind: 'defpolicy', name, rules: [{ when: { origin_kind: 'workflow', origin_name: GOVERNOR }, decision: 'allow' }] };
  return {
    Propose: {
      patch: JSON.stringify({ version: '1', base_manifest_hash: world.world.view.hash, patches: [{ add_def: { kind: 'defpolicy', node } }] }),
      ops: ['add_def'], def_changes: [{ kind: 'defpolicy', name }], sections: ['manifest_refs'],
    },
  };
}

/** Proposes and shadows a change through the governor; returns the proposal id. */
async function proposeAndShadow(ask: (json: unknown) => Promise<GovState>, world: LadderWorld, name: string): Promise<number> {
  const proposed = await ask(addPolicy(world, name));
  assert.deepEqual([proposed.last_kind, proposed.last_status, proposed.last_message], ['governance.propose', 'ok', null]);
  const id = Number(proposed.proposal_id);
  const shadowed = await ask({ Shadow: id });
  assert.deepEqual([shadowed.last_kind, shadowed.last_status], ['governance.shadow', 'ok']);
  assert.equal(world.world.proposals()[id]?.status, 'shadowed');
  return id;
}

test('a workflow approves as the principal the node assigned it; the approval is journaled and counts toward quorum', async () => {
  const { world, executor, ask } = await start(new Map([[GOVERNOR, ROBOT]]));
  try {
    const id = await proposeAndShadow(ask, world, 'test/extra@1');
    const approved = await ask({ Approve: { proposal_id: id, approver: 'robot' } });
    assert.deepEqual([approved.last_kind, approved.last_status, approved.last_message], ['governance.approve', 'ok', null]);
    const decision = world.records(0, 'governance').find((record) => record.body.kind === 'governance' && record.body.op === 'approved');
    assert.ok(decision?.body.kind === 'governance');
    assert.equal(decision.body.principal, ROBOT.keyId, 'the approval is signed by the workflow\'s assigned principal key');
    const proposal = world.world.proposals()[id];
    assert.deepEqual([proposal?.status, proposal?.approvers], ['shadowed', [ROBOT.keyId]], 'one of the two approvals the quorum needs');
    world.world.decideProposal(id, 'approve', ALICE);
    assert.equal(world.world.proposals()[id]?.status, 'approved', 'the workflow\'s approval and alice\'s make the quorum of 2');
    assert.deepEqual(executor.problems, []);
    const head = world.world.head;
    assert.equal((await world.replayOrDie()).heights, head.height);
  } finally {
    world.close();
  }
});

test('a workflow whose assigned key the approval policy does not name is refused, and nothing is journaled', async () => {
  const { world, ask } = await start(new Map([[GOVERNOR, MALLORY]]));
  try {
    const id = await proposeAndShadow(ask, world, 'test/extra@1');
    const before = world.records(0, 'governance').length;
    const refused = await ask({ Approve: { proposal_id: id, approver: 'mallory' } });
    assert.deepEqual([refused.last_kind, refused.last_status], ['governance.approve', 'error']);
    assert.match(refused.last_message ?? '', new RegExp(`key ${MALLORY.keyId} is not a principal of this world's approval_policy \\(it lists alice, robot\\)`));
    assert.equal(world.records(0, 'governance').length, before, 'no approval is journaled');
    assert.deepEqual(world.world.proposals()[id]?.approvers, []);
    const head = world.world.head;
    assert.equal((await world.replayOrDie()).heights, head.height);
  } finally {
    world.close();
  }
});

test('the node assigns a workflow its principal key in .aos/workflow-principals.json', async () => {
  let generated = '';
  const { world, ask } = await start(undefined, (dir) => {
    generated = generateKey(dir, { name: 'governor', role: 'principal' }).public_key;
    writeFileSync(workflowPrincipalsPath(dir), JSON.stringify({ [GOVERNOR]: 'governor' }));
  });
  try {
    const id = await proposeAndShadow(ask, world, 'test/extra@1');
    // The policy lists alice and robot, not this fresh key: the refusal names the key the file assigned.
    const refused = await ask({ Approve: { proposal_id: id, approver: 'governor' } });
    assert.equal(refused.last_status, 'error');
    assert.match(refused.last_message ?? '', new RegExp(`key ${generated} is not a principal of this world's approval_policy`));
    const misnamed = await ask({ Approve: { proposal_id: id, approver: 'robot' } });
    assert.match(misnamed.last_message ?? '', /workflow test\/Governor@1 decides as principal "governor", not "robot"/);
  } finally {
    world.close();
  }
});

test('a workflow\'s own governance.apply settles its own pending intent with the swap, in the same input', async () => {
  const { world, executor, ask } = await start(new Map([[GOVERNOR, ROBOT]]));
  try {
    const id = await proposeAndShadow(ask, world, 'test/extra@1');
    await ask({ Approve: { proposal_id: id, approver: 'robot' } });
    world.world.decideProposal(id, 'approve', ALICE);
    world.snapshot();
    const base = world.world.view.hash;
    const applied = await ask({ Apply: id });
    assert.deepEqual([applied.last_kind, applied.last_status, applied.last_message], ['governance.apply', 'ok', null]);
    const intent = world.records(0, 'effect_intent').find((record) => record.body.kind === 'effect_intent' && record.body.effect_kind === 'governance.apply');
    assert.ok(intent?.body.kind === 'effect_intent');
    const applyHash = intent.body.intent_hash;
    const record = world.records(0, 'governance').find((entry) => entry.body.kind === 'governance' && entry.body.op === 'applied');
    assert.ok(record?.body.kind === 'governance');
    assert.equal(record.body.intent_hash, applyHash, 'the apply is the governor\'s own governance.apply (the test applied nothing)');
    assert.notEqual(world.world.view.hash, base);
    assert.equal(applied.manifest_hash, world.world.view.hash, 'the governor got the apply receipt naming the new manifest');
    const after = world.records(record.height);
    assert.deepEqual(after.slice(0, 2).map((entry) => entry.body.kind), ['governance', 'manifest'], 'applied, then the manifest swap');
    // The delivery to the governor writes no record of its own (its step emits nothing): the journal
    // ends with the swap, yet the governor already holds the receipt and the intent is closed.
    assert.deepEqual(after.map((entry) => entry.body.kind), ['governance', 'manifest'], 'applied, then the manifest swap, and nothing after: one input');
    assert.equal(world.records(0, 'effect_receipt').filter((entry) => entry.body.kind === 'effect_receipt' && entry.body.intent_hash === applyHash).length, 0, 'no adapter receipt settled it: the swap did');
    assert.equal(world.world.openIntents().size, 0);
    assert.deepEqual(executor.problems, []);
    world.snapshot();
    const head = world.world.head;
    const replayed = await world.replayOrDie();
    assert.deepEqual([replayed.heights, replayed.snapshots], [head.height, 2], 'replayed from genesis and from the snapshots before and after the swap');
  } finally {
    world.close();
  }
});

test('a workflow\'s governance.apply is refused while another instance waits, naming it; after it settles the apply succeeds', async () => {
  const { world, blobs, executor, ask } = await start(new Map([[GOVERNOR, ROBOT]]));
  try {
    const id = await proposeAndShadow(ask, world, 'test/extra@1');
    await ask({ Approve: { proposal_id: id, approver: 'robot' } });
    world.world.decideProposal(id, 'approve', ALICE);
    world.send('test/HolderEvent@1', { Put: 'held' });
    await world.until('the blob.put is running', () => blobs.started === 1);
    const held = [...world.world.openIntents().values()].find((intent) => intent.module === HOLDER);
    assert.ok(held !== undefined);
    const base = world.world.view.hash;
    const refused = await ask({ Apply: id });
    assert.deepEqual([refused.last_kind, refused.last_status], ['governance.apply', 'error']);
    assert.match(refused.last_message ?? '', /apply blocked in flight/);
    assert.ok(refused.last_message?.includes(`${HOLDER} waits on 1 intent(s)`), refused.last_message ?? '');
    assert.ok(refused.last_message?.includes(`blob.put ${held.hash}`), refused.last_message ?? '');
    assert.equal(world.world.view.hash, base, 'nothing was applied');
    assert.equal(world.records(0, 'governance').filter((entry) => entry.body.kind === 'governance' && entry.body.op === 'applied').length, 0);

    blobs.open();
    await world.until('the blob is stored', () => Number((world.state(HOLDER) as { stored: number }).stored) === 1);
    const applied = await ask({ Apply: id });
    assert.deepEqual([applied.last_kind, applied.last_status, applied.last_message], ['governance.apply', 'ok', null]);
    assert.notEqual(world.world.view.hash, base);
    assert.equal(world.world.proposals()[id]?.status, 'applied');
    assert.deepEqual(executor.problems, []);
    const head = world.world.head;
    assert.equal((await world.replayOrDie()).heights, head.height);
  } finally {
    world.close();
  }
});

test('the governance grant\'s limits deny out-of-bounds proposals with cap_decision deny records', async () => {
  const { world, executor } = await start(new Map());
  try {
    const patch = (addPolicy(world, 'test/extra@1')).Propose.patch;
    const cases = [
      { summary: { ops: ['remove_def'], def_changes: [{ kind: 'defpolicy', name: 'test/extra@1' }], sections: ['manifest_refs'] }, code: 'op_not_allowed', says: /patch op "remove_def" is not among the grant's ops \("add_def", "replace_def"\)/ },
      { summary: { ops: ['add_def'], def_changes: [{ kind: 'defcap', name: 'test/cap@1' }], sections: ['manifest_refs'] }, code: 'def_kind_not_allowed', says: /changes a "defcap", which is not among the grant's def_kinds \("defpolicy"\)/ },
      { summary: { ops: ['add_def'], def_changes: [{ kind: 'defpolicy', name: 'other/extra@1' }], sections: ['manifest_refs'] }, code: 'name_prefix_not_allowed', says: /"other\/extra@1", whose name starts with none of the grant's name_prefixes \("test\/"\)/ },
      { summary: { ops: ['add_def'], def_changes: [{ kind: 'defpolicy', name: 'test/extra@1' }], sections: ['defaults', 'manifest_refs'] }, code: 'manifest_section_not_allowed', says: /manifest section "defaults", which is not among the grant's manifest_sections \("manifest_refs"\)/ },
    ];
    for (const { summary, code, says } of cases) {
      const from = world.world.head.height;
      world.send('test/GovEvent@1', { Propose: { patch, ...summary } });
      const decisions = world.records(from, 'cap_decision');
      assert.equal(decisions.length, 1, code);
      const decision = decisions[0]?.body;
      assert.ok(decision?.kind === 'cap_decision');
      assert.deepEqual([decision.effect_kind, decision.grant, decision.decision, decision.code], ['governance.propose', 'govern', 'deny', code]);
      assert.match(decision.message ?? '', says);
      assert.equal(world.world.openIntents().size, 0, `${code}: no intent is opened`);
    }
    assert.equal(world.world.proposals().length, 0, 'no proposal was made');
    // Inside the limits the same grant allows it.
    const from = world.world.head.height;
    world.send('test/GovEvent@1', addPolicy(world, 'test/extra@1'));
    const allowed = world.records(from, 'cap_decision')[0]?.body;
    assert.ok(allowed?.kind === 'cap_decision');
    assert.equal(allowed.decision, 'allow');
    await world.until('the proposal is made', () => world.world.proposals().length === 1);
    assert.deepEqual(executor.problems, []);
    const head = world.world.head;
    assert.equal((await world.replayOrDie()).heights, head.height);
  } finally {
    world.close();
  }
});

test('a governance.shadow whose deadline passes settles as a timeout and journals no shadow report', async () => {
  const world = await LadderWorld.start(WORLD, [BLOB_ADAPTER_ID_DEFAULT, KERNEL_ADAPTER_ID]);
  try {
    let shadowCalls = 0;
    let signalAbortedAtCall = false;
    let shadowing: Promise<unknown> = Promise.resolve();
    let deadline: AbortSignal | undefined;
    // The shadow starts within its 1 ms deadline, which passes while it loads the three forks'
    // modules (its only wait): the executor settles the intent as a timeout meanwhile. Loading
    // can take less than 1 ms on a fast machine, so the test holds it until the deadline has
    // passed rather than rely on how long it takes.
    const loadModules = world.world.shadowModules.bind(world.world);
    world.world.shadowModules = async (view) => {
      const modules = await loadModules(view);
      const signal = deadline;
      assert.ok(signal !== undefined, 'the shadow loads its modules after it was called');
      if (!signal.aborted) await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
      return modules;
    };
    class WatchedGovernance extends EmbeddedGovernance {
      override shadow(intent: Hash, id: number, signal: AbortSignal) {
        shadowCalls += 1;
        signalAbortedAtCall = signal.aborted;
        deadline = signal;
        const run = super.shadow(intent, id, signal);
        shadowing = run;
        return run;
      }
    }
    const late = new WatchedGovernance(world.world);
    const executor = world.executor([{ adapter: new BlobAdapter() }, { adapter: new GovernanceAdapter(late), deadlineMs: 1 }]);
    const governor = () => world.state(GOVERNOR) as GovState;
    world.send('test/GovEvent@1', addPolicy(world, 'test/extra@1'));
    await world.until('the proposal is made', () => Number(governor()?.receipts ?? 0) === 1);
    assert.equal(governor().last_status, 'ok', 'propose answers at once, within its deadline');
    const id = Number(governor().proposal_id);
    world.send('test/GovEvent@1', { Shadow: id });
    await world.until('the shadow settles', () => Number(governor().receipts) === 2);
    assert.deepEqual([governor().last_kind, governor().last_status], ['governance.shadow', 'timeout']);
    assert.match(governor().last_message ?? '', /within its 1 ms deadline/);
    // Let the abandoned shadow run to its end, then look: it stopped before journaling anything.
    const abandoned = await shadowing;
    assert.deepEqual(abandoned, { ok: false, message: `the shadow of proposal ${id} was stopped before it forked the world: deadline of 1 ms passed; nothing was journaled` });
    assert.deepEqual([shadowCalls, signalAbortedAtCall], [1, false], 'the shadow ran once, and started within its deadline');
    assert.equal(world.records(0, 'governance').filter((record) => record.body.kind === 'governance' && record.body.op === 'shadow_report').length, 0, 'no shadow report is journaled for a shadow that timed out');
    assert.equal(world.world.proposals()[id]?.status, 'proposed', 'the proposal is still to be shadowed');
    assert.deepEqual(executor.problems, []);
    const head = world.world.head;
    assert.equal((await world.replayOrDie()).heights, head.height);
  } finally {
    world.close();
  }
});
