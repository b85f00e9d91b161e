// Goal: a world evolves itself (worlds/examples/self-evolve): on an event, a workflow drafts a
// policy change, proposes it through governance.propose (checked by its governance grant against
// the summary it wrote) and shadows it through governance.shadow; a human principal approves it;
// the workflow applies it through governance.apply, and its own pending apply intent does not
// block the apply (the swap settles it); the new policy lets the notes workflow store blobs. Also:
// a workflow without a principal key cannot approve, and a summary that misdescribes the patch
// (what the grant's enforcer checked) is refused before any proposal is journaled.
// Replay or die from genesis and from snapshots before and after the swap.
// Method: the example world on the embedded default with the ladder kit (deterministic clock),
// the blob adapter and the governance adapter signed by the node's `kernel` key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import { join } from 'node:path';
import type { Hash } from '../../src/cbor/index.ts';
import { BlobAdapter, BLOB_ADAPTER_ID_DEFAULT } from '../../src/adapters/blob-adapter.ts';
import { GovernanceAdapter } from '../../src/adapters/governance-adapter.ts';
import type { WorldGovernance } from '../../src/adapters/governance-adapter.ts';
import { KERNEL_ADAPTER_ID } from '../../src/adapters/kernel-adapter-id.ts';
import { ApprovalSigner, EmbeddedGovernance } from '../../src/node/index.ts';
import { kindsOf, LadderWorld } from '../../scripts/ladder-kit.ts';
import { ROOT } from '../support/kernel-fixture.ts';

const WORLD = join(ROOT, 'worlds/examples/self-evolve');
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** The human principal of the example's approval policy (its key derives from a published seed: an example, not a secret). */
function human(): ApprovalSigner {
  const seed = Buffer.alloc(32, 0);
  Buffer.from('aos example self-evolve human').copy(seed);
  return new ApprovalSigner('human', createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' }));
}

async function start(governance?: (world: LadderWorld) => WorldGovernance) {
  const world = await LadderWorld.start(WORLD, [BLOB_ADAPTER_ID_DEFAULT, KERNEL_ADAPTER_ID]);
  const executor = world.executor([{ adapter: new BlobAdapter() }, { adapter: new GovernanceAdapter(governance?.(world) ?? new EmbeddedGovernance(world.world)) }]);
  const settle = (what: string) => world.until(what, () => world.world.openIntents().size === 0);
  return { world, executor, settle };
}

test('a workflow proposes and shadows a policy change; a human approves; the workflow applies it; the new behaviour runs', async () => {
  const { world, executor, settle } = await start();
  try {
    const denied = world.send('demo/Note@1', { text: 'first' });
    assert.deepEqual(kindsOf(denied), ['domain_event', 'cap_decision', 'policy_decision', 'workflow_fault'], 'the policy denies storing notes');
    world.snapshot();

    world.send('demo/EvolveEvent@1', { Evolve: null });
    await settle('the evolver proposes and shadows');
    const evolver = world.state('demo/Evolver@1') as { phase: string; proposal_id: number; predicted_effects: number; message: string | null };
    assert.equal(evolver.message, null);
    assert.deepEqual([evolver.phase, evolver.proposal_id], ['awaiting_approval', 0]);
    const [proposal] = world.world.proposals();
    assert.deepEqual([proposal?.status, proposal?.author, proposal?.description, proposal?.touches], ['shadowed', 'workflow:demo/Evolver@1', 'let demo/Notes@1 store its notes as blobs', ['defaults', 'defpolicy', 'manifest_refs']]);
    assert.ok(proposal?.report_hash !== null, 'the shadow report is journaled');

    world.world.decideProposal(0, 'approve', human());
    assert.equal(world.world.proposals()[0]?.status, 'approved');
    world.send('demo/EvolveEvent@1', { Apply: null });
    await settle('the evolver applies its own proposal');
    const applied = world.records(0, 'governance').at(-1);
    assert.ok(applied?.body.kind === 'governance');
    assert.equal(applied.body.op, 'applied');
    assert.match(applied.body.intent_hash ?? '', /^sha256:/, 'the apply settled the evolver\'s own intent');
    const state = world.state('demo/Evolver@1') as { phase: string; manifest_hash: string };
    assert.deepEqual([state.phase, state.manifest_hash], ['applied', world.world.view.hash], 'the evolver got the apply receipt under the new manifest');
    assert.equal(world.world.view.manifest.defaults?.policy, 'demo/evolve-policy@2');

    world.send('demo/Note@1', { text: 'second' });
    await settle('the note is stored');
    const notes = world.state('demo/Notes@1') as { stored: number; last_blob: string };
    assert.equal(notes.stored, 1, 'the new policy lets notes be stored');
    assert.deepEqual(world.world.cas.get(notes.last_blob as Hash), new TextEncoder().encode('second'));
    world.snapshot();
    assert.deepEqual([executor.problems, world.verifyReceiptSignatures() > 0], [[], true]);
    const head = world.world.head;
    const replayed = await world.replayOrDie();
    assert.deepEqual([replayed.heights, replayed.snapshots], [head.height, 2], 'replayed from genesis and from the snapshots before and after the swap');
  } finally {
    world.close();
  }
});

test('refusals: no principal key for a workflow, a summary that misdescribes its patch', async () => {
  const governance = (world: LadderWorld): WorldGovernance => {
    const real = new EmbeddedGovernance(world.world);
    // A workflow that asks to approve (through the real adapter's checks): it holds no principal key.
    return { ...bound(real), shadow: async (intent, id, signal) => {
      const shadowed = await real.shadow(intent, id, signal);
      const refused = real.decide(intent, { proposal_id: id, decision: 'approve', approver: 'human', reason: null });
      assert.deepEqual(refused, { ok: false, message: 'workflow demo/Evolver@1 holds no principal key on this node, so it cannot approve proposals; a workflow decides only as a principal the approval policy names (the node assigns one in .aos/workflow-principals.json)' });
      const lying = real.propose(intent, { document: new TextEncoder().encode(JSON.stringify({ base_manifest_hash: world.world.view.hash, patches: [{ set_defaults: { policy: 'demo/evolve-policy@1' } }] })), summary: { base_manifest_hash: world.world.view.hash, patch_hash: `sha256:${'0'.repeat(64)}`, ops: ['add_def'], def_changes: [], manifest_sections: [] }, manifest_base: null, description: null });
      assert.equal(lying.ok, false);
      assert.match(lying.ok ? '' : lying.message, /the summary's ops \(add_def\) do not describe the patch \(set_defaults\)/);
      return shadowed;
    } };
  };
  const { world, settle } = await start(governance);
  try {
    world.send('demo/EvolveEvent@1', { Evolve: null });
    await settle('the evolver proposes and shadows');
    assert.equal((world.state('demo/Evolver@1') as { phase: string }).phase, 'awaiting_approval');
    assert.equal(world.world.proposals().length, 1, 'the misdescribed proposal was refused before it was journaled');
  } finally {
    world.close();
  }
});

function bound(governance: EmbeddedGovernance): WorldGovernance {
  return {
    propose: (intent, proposal) => governance.propose(intent, proposal),
    shadow: (intent, id, signal) => governance.shadow(intent, id, signal),
    decide: (intent, request) => governance.decide(intent, request),
    apply: (intent, id) => governance.apply(intent, id),
  };
}
