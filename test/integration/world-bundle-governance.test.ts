// Goal: a world that evolved itself through governance (a proposal, its shadow report, a human
// principal's signed approval, an apply that swapped the manifest) moves whole: its bundle holds
// both manifests' AIR and the reports, imports into a second folder that replays from genesis and
// from the snapshots before and after the swap, and the approval audit verifies the principal's
// signed decision; a fork at the snapshot before the swap runs the old manifest.
// Method: the self-evolve example on the embedded default through the ladder kit (deterministic
// clock), as test/integration/self-evolve.test.ts drives it; exported while open, imported and
// forked through the node API.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobAdapter, BLOB_ADAPTER_ID_DEFAULT } from '../../src/adapters/blob-adapter.ts';
import { GovernanceAdapter } from '../../src/adapters/governance-adapter.ts';
import { KERNEL_ADAPTER_ID } from '../../src/adapters/kernel-adapter-id.ts';
import { ApprovalSigner, EmbeddedGovernance, EmbeddedWorld, exportWorld, forkWorld, importBundle, readWorldFacts } from '../../src/node/index.ts';
import { LadderWorld } from '../../scripts/ladder-kit.ts';
import { ROOT } from '../support/kernel-fixture.ts';

const WORLD = join(ROOT, 'worlds/examples/self-evolve');
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** The human principal of the example's approval policy (its key derives from a published seed). */
function human(): ApprovalSigner {
  const seed = Buffer.alloc(32, 0);
  Buffer.from('aos example self-evolve human').copy(seed);
  return new ApprovalSigner('human', createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' }));
}

test('a world evolved through governance exports, imports, replays and forks at its pre-swap snapshot', async () => {
  const world = await LadderWorld.start(WORLD, [BLOB_ADAPTER_ID_DEFAULT, KERNEL_ADAPTER_ID]);
  const base = mkdtempSync(join(tmpdir(), 'aos-bundle-gov-'));
  try {
    world.executor([{ adapter: new BlobAdapter() }, { adapter: new GovernanceAdapter(new EmbeddedGovernance(world.world)) }]);
    const settle = (what: string) => world.until(what, () => world.world.openIntents().size === 0);
    world.send('demo/Note@1', { text: 'first' });
    world.snapshot();
    const genesisManifest = world.world.view.hash;
    world.send('demo/EvolveEvent@1', { Evolve: null });
    await settle('the evolver proposes and shadows');
    world.world.decideProposal(0, 'approve', human());
    world.send('demo/EvolveEvent@1', { Apply: null });
    await settle('the evolver applies its own proposal');
    world.send('demo/Note@1', { text: 'second' });
    await settle('the note is stored');
    world.snapshot();
    const head = world.world.head;
    assert.notEqual(world.world.view.hash, genesisManifest, 'the apply swapped the manifest');

    const file = join(base, 'evolved.aosb');
    exportWorld(world.dir, file);
    const imported = await importBundle(file, join(base, 'copy'));
    assert.deepEqual([imported.replay?.heights, imported.replay?.snapshots], [head.height, 2]);
    assert.deepEqual([imported.approvals.ok, imported.approvals.decisions, imported.approvals.verified], [true, 1, 1]);
    assert.equal(imported.principals.length, 1);
    const copy = await EmbeddedWorld.open(join(base, 'copy'), { readOnly: true });
    try {
      assert.deepEqual([copy.head, copy.view.hash], [head, world.world.view.hash]);
    } finally {
      copy.close();
    }

    const [before] = readWorldFacts(world.dir).snapshots;
    assert.ok(before !== undefined);
    const fork = await forkWorld(world.dir, join(base, 'fork'), { snapshot: before.hash });
    assert.equal(fork.height, before.height + 1);
    const forked = await EmbeddedWorld.open(join(base, 'fork'), { readOnly: true });
    try {
      assert.equal(forked.view.hash, genesisManifest, 'the fork runs the manifest from before the swap');
    } finally {
      forked.close();
    }
  } finally {
    world.close();
    rmSync(base, { recursive: true, force: true });
  }
});
