// Goal: a chain of blob puts whose receipts commit without waiting for the disk (and whose next
// put starts before its intent is durable) survives being killed at any moment: reopened, the
// world re-attaches the open put and finishes the chain with every put settled exactly once, one
// receipt per intent, a clean audit, and state equal to a full replay.
// Method: the b2 bench's chain world (each blob.put receipt puts the next blob); each trial starts
// a child that runs the chain and prints an ack as each put starts, and the parent SIGKILLs it
// after a seeded number of acks. Every other trial the store's writer thread commits the deferred
// writes (from the first), so a kill also lands while writes are handed over but not committed.
// A SIGKILL keeps what reached the page cache, so this checks the restart path over deferred
// commits, not a power loss (wal-sync.test.ts covers what is synced).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobAdapter } from '../../src/adapters/index.ts';
import { decodeCanonical } from '../../src/cbor/index.ts';
import { buildWorld, writeModuleHashes } from '../../src/cli/build/index.ts';
import { auditWorld, EffectExecutor, EmbeddedWorld } from '../../src/node/index.ts';
import { runChildUntilKilled, seededFraction } from '../support/kill-child.ts';
import { testSigner, trustedFor } from '../support/receipt-keys.ts';

const TRIALS = 6;
const CHAIN = 2_000;
const ACKS_BEFORE_KILL_MAX = 300;
const CHILD = join(import.meta.dirname, 'chain-crash-child.ts');
const WORLD = join(import.meta.dirname, '../../bench/worlds/b2-chain');

test(`a chain of blob puts killed ${TRIALS} times finishes with each put settled once`, async () => {
  const seed = Number(process.env.AOS_SIM_SEED ?? Date.now() % 1_000_000);
  console.log(`chain-crash seed=${seed} (rerun with AOS_SIM_SEED=${seed})`);
  const random = seededFraction(seed);
  const root = mkdtempSync(join(tmpdir(), 'aos-crash-chain-'));
  const signer = testSigner('blob.default');
  try {
    cpSync(WORLD, root, { recursive: true, filter: (path) => !path.endsWith('.aos') });
    writeModuleHashes(root, (await buildWorld(root)).modules);
    (await EmbeddedWorld.create(root, undefined, trustedFor(signer))).close();
    let starts = 0;
    for (let trial = 0; trial < TRIALS; trial += 1) {
      const acks = await runChildUntilKilled(CHILD, [root, trial === 0 ? 'start' : 'resume', String(CHAIN), trial % 2 === 1 ? 'writer' : 'inline'], 1 + Math.floor(random() * ACKS_BEFORE_KILL_MAX));
      starts += acks.length;
    }
    const world = await EmbeddedWorld.open(root);
    try {
      const executor = new EffectExecutor(world, [{ adapter: new BlobAdapter(), signer }]);
      executor.dispatch();
      await executor.idle();
      executor.close();
      const state = decodeCanonical(world.state('bench/Chain@1') ?? new Uint8Array()) as { ok: number; failed: number; remaining: number };
      assert.deepEqual([Number(state.ok), Number(state.failed), Number(state.remaining)], [CHAIN, 0, 0], `seed=${seed}: every put settled ok, once (${starts} starts before the last reopen)`);
      const records = [...world.records()];
      const receipts = records.filter((record) => record.body.kind === 'effect_receipt').map((record) => (record.body as { intent_hash: string }).intent_hash);
      const intents = records.filter((record) => record.body.kind === 'effect_intent').length;
      assert.equal(receipts.length, CHAIN, `seed=${seed}: one receipt per put`);
      assert.equal(new Set(receipts).size, CHAIN, `seed=${seed}: no intent settled twice`);
      assert.equal(intents, CHAIN, `seed=${seed}: one intent per put, none lost or repeated by a restart`);
      const audit = auditWorld(world);
      assert.ok(audit.ok, `seed=${seed}: the journal passes its audit`);
      assert.equal(audit.signatures_verified, CHAIN);
      const replay = await world.verifyReplay();
      assert.equal(replay.heights, world.head.height);
    } finally {
      world.close();
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
