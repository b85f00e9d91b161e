// Goal: stream frames are admitted in order per intent (1, 2, 3, …), journaled as stream_frame
// records and delivered to the emitting instance as sys/EffectStreamFrame@1 when its event has an
// arm for it (journaled only otherwise); a gap, a duplicate, a frame for a settled intent, or a
// badly signed frame is refused unjournaled; only the receipt settles the intent; and replay from
// genesis and from a snapshot taken mid-stream reproduces every record, the state and the
// sequence (replay or die).
// Method: the streamer fixture world (one workflow with a Frame arm, one without), frames and
// receipts signed by seeded test adapter keys; a fake clock; a memory journal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { decodeCanonical, encodeCanonical, hashBytes } from '../../../src/cbor/index.ts';
import type { CborValue, Hash } from '../../../src/cbor/index.ts';
import { KernelError, World } from '../../../src/kernel/index.ts';
import type { SealedRecord, StreamFrameInput } from '../../../src/kernel/index.ts';
import { FakeClock, MemoryContent, MemoryJournal, ROOT, worldFixture } from '../../support/kernel-fixture.ts';
import { signedReceipt, testSigner, trustedFor } from '../../support/receipt-keys.ts';

const STREAMER = join(ROOT, 'test/fixtures/worlds/streamer');
const ADAPTER = testSigner('test.blob');
const cbor = (value: CborValue) => encodeCanonical(value, { selfDescribe: false });
const BLOB_OK = cbor({ blob_ref: `sha256:${'2'.repeat(64)}`, edge_ref: `sha256:${'3'.repeat(64)}`, size: 4 });
const kinds = (records: readonly SealedRecord[]) => records.map((record) => record.body.kind);

function frame(intent: Hash, seq: number, payload: string, signer = ADAPTER): StreamFrameInput {
  const bytes = new TextEncoder().encode(payload);
  const signature = signer.signFrame({ intent_hash: intent, adapter_id: signer.adapterId, seq, frame_kind: 'delta', payload_hash: hashBytes(bytes) });
  return { intent_hash: intent, adapter_id: signer.adapterId, seq, frame_kind: 'delta', payload: bytes, signature };
}

async function start() {
  const fixture = await worldFixture(STREAMER);
  const content = new MemoryContent();
  const journal = new MemoryJournal();
  const clock = new FakeClock(6);
  const created = World.create(fixture.view, await fixture.modules(), content, trustedFor(ADAPTER));
  journal.append(created.records);
  const world = created.world;
  const keep = (records: SealedRecord[]) => {
    journal.append(records);
    return records;
  };
  const opened = keep(world.submitEvent({ schema: 'test/StreamOp@1', value: cbor({ bytes: new Uint8Array(4) }) }, clock.next()));
  const intentOf = (module: string): Hash => {
    const record = opened.find((entry) => entry.body.kind === 'effect_intent' && entry.body.origin.module === module);
    assert.ok(record?.body.kind === 'effect_intent');
    return record.body.intent_hash;
  };
  const seen = (target: World, module: string) => (decodeCanonical(target.state(module) ?? cbor(null)) as { seen: string[] } | null)?.seen ?? [];
  return { fixture, content, journal, clock, world, keep, streamer: intentOf('test/Streamer@1'), quiet: intentOf('test/Quiet@1'), seen };
}

const fenced = (pattern: RegExp) => (error: unknown) => error instanceof KernelError && error.code === 'STREAM_FRAME_FENCED' && pattern.test(error.message);

test('frames in order are journaled and delivered; gaps, duplicates and bad signatures are refused unjournaled', async () => {
  const { world, clock, keep, streamer, seen } = await start();
  assert.deepEqual(kinds(keep(world.submitStreamFrame(frame(streamer, 1, 'abc'), clock.next()))), ['stream_frame']);
  const second = keep(world.submitStreamFrame(frame(streamer, 2, 'de'), clock.next()));
  const body = second[0]?.body;
  assert.ok(body?.kind === 'stream_frame');
  assert.deepEqual([body.seq, body.frame_kind, body.adapter_id, body.signature.length], [2, 'delta', 'test.blob', 64]);
  assert.deepEqual(seen(world, 'test/Streamer@1'), ['frame:1:delta:3', 'frame:2:delta:2']);
  const height = world.head.height;
  assert.throws(() => world.submitStreamFrame(frame(streamer, 4, 'x'), clock.next()), fenced(/the next frame of this intent is 3 \(frames before it are missing\)/));
  assert.throws(() => world.submitStreamFrame(frame(streamer, 2, 'de'), clock.next()), fenced(/is 3 \(this one is a duplicate\)/));
  const forged = frame(streamer, 3, 'x', testSigner('test.blob', 9));
  assert.throws(() => world.submitStreamFrame(forged, clock.next()), (error) => error instanceof KernelError && error.code === 'STREAM_FRAME_REFUSED' && /signature that does not verify/.test(error.message));
  assert.throws(() => world.submitStreamFrame({ ...frame(streamer, 3, 'x'), payload: new TextEncoder().encode('y') }, clock.next()), (error) => error instanceof KernelError && error.code === 'STREAM_FRAME_REFUSED');
  assert.equal(world.head.height, height, 'refusals journal nothing');
  assert.ok(world.openIntents().has(streamer), 'frames do not settle the intent');
});

test('a module without a Frame arm gets frames journaled only; a frame after the receipt is fenced', async () => {
  const { world, clock, keep, quiet, seen } = await start();
  assert.deepEqual(kinds(keep(world.submitStreamFrame(frame(quiet, 1, 'abc'), clock.next()))), ['stream_frame']);
  assert.deepEqual(seen(world, 'test/Quiet@1'), [], 'journaled, not delivered');
  keep(world.submitReceipt(signedReceipt(ADAPTER, { intent_hash: quiet, status: 'ok', payload: BLOB_OK }), clock.next()));
  assert.deepEqual(seen(world, 'test/Quiet@1'), ['receipt:ok']);
  assert.throws(() => world.submitStreamFrame(frame(quiet, 2, 'late'), clock.next()), fenced(/the intent is not open/));
});

test('replay from genesis and from a snapshot taken mid-stream reproduces records, state and the sequence', async () => {
  const { fixture, content, journal, world, clock, keep, streamer, seen } = await start();
  keep(world.submitStreamFrame(frame(streamer, 1, 'abc'), clock.next()));
  keep(world.snapshot());
  keep(world.submitStreamFrame(frame(streamer, 2, 'de'), clock.next()));
  keep(world.snapshot());
  const genesis = World.replay(fixture.view, await fixture.modules(), content, journal.records);
  assert.deepEqual(genesis.head, world.head);
  assert.deepEqual(seen(genesis, 'test/Streamer@1'), seen(world, 'test/Streamer@1'));
  const snapshot = [...journal.records].reverse().find((record) => record.body.kind === 'snapshot');
  assert.ok(snapshot !== undefined);
  const restored = World.replay(fixture.view, await fixture.modules(), content, [], snapshot, trustedFor(ADAPTER));
  assert.deepEqual(restored.head, world.head);
  assert.equal(restored.openIntents().get(streamer)?.frames, 2);
  assert.throws(() => restored.submitStreamFrame(frame(streamer, 2, 'de'), clock.next()), fenced(/duplicate/));
  assert.deepEqual(kinds(restored.submitStreamFrame(frame(streamer, 3, 'f'), clock.next())), ['stream_frame']);
  assert.deepEqual(seen(restored, 'test/Streamer@1'), ['frame:1:delta:3', 'frame:2:delta:2', 'frame:3:delta:1']);
});

test('aos audit verify re-checks frames offline: order, open intent, signature', async () => {
  const { auditJournal } = await import('../../../src/node/audit.ts');
  const { sealRecord } = await import('../../../src/kernel/index.ts');
  const { journal, world, clock, keep, streamer, quiet } = await start();
  keep(world.submitStreamFrame(frame(streamer, 1, 'abc'), clock.next()));
  keep(world.submitStreamFrame(frame(streamer, 2, 'de'), clock.next()));
  keep(world.submitReceipt(signedReceipt(ADAPTER, { intent_hash: quiet, status: 'ok', payload: BLOB_OK }), clock.next()));
  const records = journal.records;
  assert.deepEqual(auditJournal(records).findings, []);
  const reseal = (index: number, change: (body: Extract<SealedRecord['body'], { kind: 'stream_frame' }>) => SealedRecord['body']) => {
    const out = records.slice(0, index);
    let prev = records[index - 1]?.hash ?? null;
    for (let at = index; at < records.length; at += 1) {
      const record = records[at];
      assert.ok(record !== undefined);
      const body = at === index && record.body.kind === 'stream_frame' ? change(record.body) : record.body;
      const sealed = sealRecord(record.height, prev, body);
      out.push(sealed);
      prev = sealed.hash;
    }
    return auditJournal(out).findings.map((finding) => finding.code);
  };
  const second = records.findIndex((record) => record.body.kind === 'stream_frame' && record.body.seq === 2);
  assert.deepEqual(reseal(second, (body) => ({ ...body, payload: new TextEncoder().encode('dE') })), ['SIGNATURE_INVALID']);
  assert.deepEqual(reseal(second, (body) => ({ ...body, seq: 3 })), ['FRAME_OUT_OF_ORDER', 'SIGNATURE_INVALID']);
  assert.deepEqual(reseal(second, (body) => ({ ...body, intent_hash: quiet })), ['FRAME_OUT_OF_ORDER', 'SIGNATURE_INVALID']);
});
