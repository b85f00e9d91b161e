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
import Database from 'better-sqlite3';
import { encodeCanonical } from '../../../src/cbor/index.ts';
import type { Hash } from '../../../src/cbor/index.ts';
import { buildWorld, writeModuleHashes } from '../../../src/cli/build/index.ts';
import { openRecord, sealRecord } from '../../../src/kernel/index.ts';
import { eventHashOf } from '../../../src/kernel/event-hash.ts';
import { EmbeddedWorld } from '../../../src/node/index.ts';
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

/** Changes the `inc` of the first domain event after `height` to 2 and re-seals every record from it; returns its height. */
function alterFirstEventAfter(dir: string, height: number): number {
  const database = new Database(join(dir, '.aos/node.sqlite3'));
  try {
    const rows = database.prepare('SELECT height, bytes FROM journal ORDER BY height').all() as Array<{ height: number; bytes: Uint8Array }>;
    const update = database.prepare('UPDATE journal SET bytes = ?, hash = ? WHERE height = ?');
    let prev: Hash | null = null;
    let changedAt = -1;
    database.transaction(() => {
      for (const row of rows) {
        const record = openRecord(row.bytes, row.height);
        let body = record.body;
        if (changedAt < 0 && row.height > height && body.kind === 'domain_event') {
          const value = encodeCanonical({ cell: '', inc: 2 }, { selfDescribe: false });
          body = { ...body, value, event_hash: eventHashOf(body.schema, value, body.key) };
          changedAt = row.height;
        }
        const sealed = sealRecord(row.height, prev, body);
        if (changedAt >= 0) update.run(sealed.bytes, sealed.hash, row.height);
        prev = sealed.hash;
      }
    })();
    return changedAt;
  } finally {
    database.close();
  }
}
