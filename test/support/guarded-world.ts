// The guarded fixture world (test/fixtures/worlds/guarded) running on the pure kernel with memory
// stores: what the enforcement and budget tests start from. `send` submits a test/GuardedEvent@1
// {id, op} and journals what it returns.
import assert from 'node:assert/strict';
import { encodeCanonical } from '../../src/cbor/index.ts';
import type { CborValue } from '../../src/cbor/index.ts';
import { World } from '../../src/kernel/index.ts';
import type { SealedRecord } from '../../src/kernel/index.ts';
import type { ReceiptSigner } from '../../src/adapters/index.ts';
import { FakeClock, MemoryContent, MemoryJournal } from './kernel-fixture.ts';
import type { WorldFixture } from './kernel-fixture.ts';
import { trustedFor } from './receipt-keys.ts';

export async function startGuarded(fixture: WorldFixture, signer: ReceiptSigner, clockStart: number) {
  const content = new MemoryContent();
  const journal = new MemoryJournal();
  const clock = new FakeClock(clockStart);
  const created = World.create(fixture.view, await fixture.modules(), content, trustedFor(signer));
  journal.append(created.records);
  const world = created.world;
  const send = (id: string, op: CborValue): SealedRecord[] => {
    const records = world.submitEvent({ schema: 'test/GuardedEvent@1', value: encodeCanonical({ id, op }, { selfDescribe: false }) }, clock.next());
    journal.append(records);
    return records;
  };
  return { content, journal, clock, world, send };
}

/**
 * Replay or die for a guarded world: from genesis and from the journal's first snapshot, each
 * replay ends at the live head with the live state of every cell `ids` names. Returns both replays.
 */
export async function assertGuardedReplays(fixture: WorldFixture, content: MemoryContent, journal: MemoryJournal, world: World, module: string, ids: readonly string[]): Promise<{ fromGenesis: World; fromSnapshot: World }> {
  const fromGenesis = World.replay(fixture.view, await fixture.modules(), content, journal.records);
  assert.deepEqual(fromGenesis.head, world.head, 'replay from genesis ends at the live head');
  const snapshot = journal.records.find((record) => record.body.kind === 'snapshot');
  assert.ok(snapshot !== undefined, 'the journal holds a snapshot');
  const fromSnapshot = World.replay(fixture.view, await fixture.modules(), content, journal.records.filter((record) => record.height > snapshot.height), snapshot);
  assert.deepEqual(fromSnapshot.head, world.head, 'replay from the snapshot ends at the live head');
  for (const id of ids) {
    const key = encodeCanonical(id, { selfDescribe: false });
    assert.deepEqual(fromGenesis.state(module, key), world.state(module, key), id);
    assert.deepEqual(fromSnapshot.state(module, key), world.state(module, key), id);
  }
  return { fromGenesis, fromSnapshot };
}
