// Goal: an event acknowledged by a world is durable: after a SIGKILL at any moment while events
// stream in, every acknowledged event is in the world exactly once, and the reopened world's
// state equals a full replay from genesis.
// Method: the keyed 12-performance world, created once; each trial starts a child that sends
// one event per fresh cell and prints each acknowledgement; the parent kills it after a seeded
// number of acks (the kill lands somewhere in a later send), reopens the world and checks every
// acked cell has count 1, then runs replay-or-die. 20 trials share the world.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeCanonical, encodeCanonical } from '../../src/cbor/index.ts';
import { buildWorld, writeModuleHashes } from '../../src/cli/build/index.ts';
import { EmbeddedWorld } from '../../src/node/index.ts';
import { runChildUntilKilled, seededFraction } from '../support/kill-child.ts';

const TRIALS = 20;
const ACKS_BEFORE_KILL_MAX = 12;
const CHILD = join(import.meta.dirname, 'world-crash-child.ts');
const WORLD = join(import.meta.dirname, '../../worlds/ladder/12-performance-keyed');

test(`every acknowledged event survives SIGKILL, once, and state equals a full replay (${TRIALS} trials)`, async () => {
  const seed = Number(process.env.AOS_SIM_SEED ?? Date.now() % 1_000_000);
  const random = seededFraction(seed);
  const root = mkdtempSync(join(tmpdir(), 'aos-crash-world-'));
  try {
    cpSync(WORLD, root, { recursive: true, filter: (path) => !path.endsWith('.aos') });
    writeModuleHashes(root, (await buildWorld(root)).modules);
    (await EmbeddedWorld.create(root)).close();
    const acked: number[] = [];
    for (let trial = 0; trial < TRIALS; trial += 1) {
      const acksBeforeKill = 1 + Math.floor(random() * ACKS_BEFORE_KILL_MAX);
      acked.push(...await runChildUntilKilled(CHILD, [root, String(trial * 1_000)], acksBeforeKill));
    }
    const world = await EmbeddedWorld.open(root);
    try {
      const counts = new Map(world.cells('demo/PerfCounter@1').map((cell) => [decodeCanonical(cell.key ?? new Uint8Array()) as string, (decodeCanonical(cell.state ?? new Uint8Array()) as { count: number }).count]));
      for (const seq of acked) assert.equal(counts.get(`e-${seq}`), 1, `seed=${seed}: acknowledged event ${seq} is present exactly once`);
      for (const [cell, count] of counts) assert.equal(count, 1, `seed=${seed}: ${cell} was applied once`);
      const replay = await world.verifyReplay();
      assert.equal(replay.heights, world.head.height);
      assert.ok(acked.length >= TRIALS, `seed=${seed}`);
      const before = world.head;
      world.send({ schema: 'demo/PerfEvent@1', value: encodeCanonical({ cell: 'after', inc: 1 }, { selfDescribe: false }) });
      assert.equal(world.head.height, before.height + 1, 'the reopened world keeps serving');
    } finally {
      world.close();
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
