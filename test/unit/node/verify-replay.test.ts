// Goal: `aos replay --verify` (and the audits and imports that use it) replays a world with many
// snapshots in one pass over its journal, not one pass per snapshot, and still checks what the
// per-snapshot replays did: restore from each snapshot agrees with the journal, and the last
// stretch ends at the world as it is. A divergence is still named.
// Method: the 12-performance world with five snapshots; watch the stretches verifyReplay runs,
// in process and with the snapshot stretches on a thread (a failure there comes back as data);
// then alter one event of the journal after the first snapshot, re-sealing the chain so only
// re-execution can notice, and check replay names the snapshot height where state parts ways.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeCanonical } from '../../../src/cbor/index.ts';
import { buildWorld, writeModuleHashes } from '../../../src/cli/build/index.ts';
import { eventHashOf } from '../../../src/kernel/event-hash.ts';
import { EmbeddedWorld } from '../../../src/node/index.ts';
import { rewriteFirstRecord } from '../../support/journal-rewrite.ts';
import type { ReplayStretch } from '../../../src/node/embedded-world.ts';
import { runReadJob } from '../../../src/node/read-job.ts';

const WORLD = join(import.meta.dirname, '../../../worlds/ladder/12-performance');
const ROUNDS = 5;
const EVENTS_PER_ROUND = 40;

function perfEvent(inc: number) {
  return { schema: 'demo/PerfEvent@1', value: encodeCanonical({ cell: '', inc }, { selfDescribe: false }) };
}

test('replay --verify runs each stretch between snapshots once, and still names the height where replay diverges', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'aos-verify-replay-'));
  try {
    cpSync(WORLD, dir, { recursive: true, filter: (path) => !path.endsWith('.aos') });
    writeModuleHashes(dir, (await buildWorld(dir)).modules);
    const world = await EmbeddedWorld.create(dir);
    const snapshots: number[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      world.sendBatch(Array.from({ length: EVENTS_PER_ROUND }, () => perfEvent(1)));
      world.snapshot();
      snapshots.push(world.head.height - 1);
    }
    world.sendBatch(Array.from({ length: EVENTS_PER_ROUND }, () => perfEvent(1)));
    const stretches: ReplayStretch[] = [];
    const checked = await world.verifyReplay({ onReplay: (stretch) => stretches.push(stretch) });
    assert.deepEqual(checked, { heights: world.head.height, snapshots: ROUNDS, head: world.head.hash });
    // Genesis to the head, then each snapshot through the next one, the last to the head.
    assert.deepEqual(stretches, [
      { from: null, through: null },
      ...snapshots.map((height, index) => ({ from: height, through: snapshots[index + 1] ?? null })),
    ]);
    const replayed = stretches.reduce((sum, { from, through }) => sum + (through ?? world.head.height - 1) - (from ?? -1), 0);
    assert.ok(replayed <= 2 * world.head.height, `${replayed} records replayed for a journal of ${world.head.height}: at most twice its length`);
    // The stretches from snapshots on a thread of their own (big worlds do so by default) check the same.
    assert.deepEqual(await world.verifyReplay({ threadMinRecords: 0 }), checked);
    const job = await runReadJob({ kind: 'replay-stretches', dir, stretches: [{ from: snapshots[0]! + 1, through: null }], headHeight: world.head.height });
    assert.ok('failure' in job, 'a stretch that does not start at a snapshot fails on the thread');
    assert.equal(job.failure.kind, 'kernel');
    assert.equal(job.failure.code, 'SNAPSHOT_INVALID');
    assert.match(job.failure.message, new RegExp(`height ${snapshots[0]! + 1} is a domain_event record, not a snapshot`));
    world.close();

    // The first event after the first snapshot now says inc 2, with its event hash recomputed and
    // the chain re-sealed from there: every record hash agrees, and only re-executing the journal
    // shows that the next snapshot no longer holds the state the events lead to. (Opening from the
    // latest snapshot refuses too: a snapshot names the chain head it was taken after.)
    const altered = alterFirstEventAfter(dir, snapshots[0]!);
    assert.ok(altered > snapshots[0]! && altered < snapshots[1]!);
    await assert.rejects(EmbeddedWorld.open(dir), /describes height \d+ after sha256:[0-9a-f]{64}, but its record is at height \d+ after/);
    await assert.rejects(EmbeddedWorld.open(dir, { fromGenesis: true }), new RegExp(`replay diverged at height ${snapshots[1]}: the journal has a snapshot record there`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Changes the `inc` of the first domain event after `height` to 2 (its event hash with it) and re-seals from there; returns its height. */
function alterFirstEventAfter(dir: string, height: number): number {
  return rewriteFirstRecord(dir, (body, at) => {
    if (at <= height || body.kind !== 'domain_event') return undefined;
    const value = encodeCanonical({ cell: '', inc: 2 }, { selfDescribe: false });
    return { ...body, value, event_hash: eventHashOf(body.schema, value, body.key) };
  });
}
