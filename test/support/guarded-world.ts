// The guarded fixture world (test/fixtures/worlds/guarded) running on the pure kernel with memory
// stores: what the enforcement and budget tests start from. `send` submits a test/GuardedEvent@1
// {id, op} and journals what it returns.
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
