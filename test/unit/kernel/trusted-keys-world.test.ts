// Goal: a key_rotation trusts a new adapter key and retires the old one from its own height on:
// receipts admitted after it are checked against the new key set (one signed by the retired key
// is refused as KEY_RETIRED and journaled with its evidence; one signed by the new key settles),
// receipts admitted before it against the old; bad rotations are refused unjournaled; and replay
// from genesis and from a snapshot taken after the rotation reproduces every record and the key
// sets (replay or die).
// Method: the guarded world with seeded test adapter keys; a fake clock; a memory journal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { encodeCanonical } from '../../../src/cbor/index.ts';
import type { CborValue, Hash } from '../../../src/cbor/index.ts';
import { KernelError, publicKeyId, World } from '../../../src/kernel/index.ts';
import type { SealedRecord } from '../../../src/kernel/index.ts';
import { FakeClock, MemoryContent, MemoryJournal, ROOT, worldFixture } from '../../support/kernel-fixture.ts';
import { signedReceipt, testSigner, trustedFor } from '../../support/receipt-keys.ts';

const GUARDED = join(ROOT, 'test/fixtures/worlds/guarded');
const OLD = testSigner('test.adapter', 1);
const NEW = testSigner('test.adapter', 2);
const cbor = (value: CborValue) => encodeCanonical(value, { selfDescribe: false });
const FETCH = { $tag: 'Fetch', $value: [{ url: 'https://api.example.com/v1/items', method: 'GET', slot: null }] };
const HTTP_OK = cbor({ status: 200, headers: {}, body_ref: null, timings: { start_ns: 1, end_ns: 2 }, adapter_id: 'test.adapter' });
const kinds = (records: readonly SealedRecord[]) => records.map((record) => record.body.kind);

async function start() {
  const fixture = await worldFixture(GUARDED);
  const content = new MemoryContent();
  const journal = new MemoryJournal();
  const clock = new FakeClock(4);
  const created = World.create(fixture.view, await fixture.modules(), content, trustedFor(OLD));
  journal.append(created.records);
  const world = created.world;
  const keep = (records: SealedRecord[]) => {
    journal.append(records);
    return records;
  };
  const fetch = (id: string): Hash => {
    const intent = keep(world.submitEvent({ schema: 'test/GuardedEvent@1', value: cbor({ id, op: FETCH }) }, clock.next())).find((record) => record.body.kind === 'effect_intent');
    assert.ok(intent?.body.kind === 'effect_intent');
    return intent.body.intent_hash;
  };
  const receipt = (signer: typeof OLD, hash: Hash) => keep(world.submitReceipt(signedReceipt(signer, { intent_hash: hash, status: 'ok', payload: HTTP_OK }), clock.next()));
  return { fixture, content, journal, clock, world, keep, fetch, receipt };
}

test('after a rotation, the retired key\'s receipts are refused as KEY_RETIRED and the new key\'s admitted', async () => {
  const { world, clock, keep, fetch, receipt, journal, fixture, content } = await start();
  const early = fetch('a');
  assert.deepEqual(kinds(receipt(OLD, early)), ['effect_receipt'], 'before the rotation the old key is trusted');
  const pending = fetch('b');
  const rotation = keep(world.rotateKeys({ adapter_id: 'test.adapter', trust: [NEW.keyId], retire: [OLD.keyId] }, clock.next()));
  assert.deepEqual(kinds(rotation), ['key_rotation']);
  assert.deepEqual({ ...rotation[0]?.body, stamp: undefined }, { kind: 'key_rotation', adapter_id: 'test.adapter', trust: [NEW.keyId], retire: [OLD.keyId], stamp: undefined });
  assert.deepEqual(world.trustedKeys().get('test.adapter')?.map(publicKeyId), [NEW.keyId]);
  const refused = receipt(OLD, pending);
  assert.deepEqual(kinds(refused), ['receipt_rejected'], 'an intent opened before the rotation still needs a receipt from a key trusted when it is admitted');
  const body = refused[0]?.body;
  assert.ok(body?.kind === 'receipt_rejected');
  assert.equal(body.reason, 'KEY_RETIRED');
  assert.match(body.message, /signed by ed25519:[0-9a-f]{64}, a key this world has retired for that adapter/);
  assert.equal(body.signature?.length, 64, 'the refusal keeps the signature as evidence');
  assert.deepEqual(kinds(receipt(NEW, pending)), ['effect_receipt'], 'the new key settles it');
  keep(world.snapshot());
  const replayed = World.replay(fixture.view, await fixture.modules(), content, journal.records);
  assert.deepEqual(replayed.head, world.head);
  assert.deepEqual(replayed.trustedKeys(), world.trustedKeys());
  assert.deepEqual(replayed.retiredKeys(), world.retiredKeys());
});

test('a snapshot after a rotation restores the rotated keys, whatever the height-1 record said', async () => {
  const { world, clock, keep, fetch, journal, fixture, content } = await start();
  keep(world.rotateKeys({ adapter_id: 'test.adapter', trust: [NEW.keyId], retire: [OLD.keyId] }, clock.next()));
  const open = fetch('c');
  keep(world.snapshot());
  const snapshot = [...journal.records].reverse().find((record) => record.body.kind === 'snapshot');
  assert.ok(snapshot !== undefined);
  const restored = World.replay(fixture.view, await fixture.modules(), content, [], snapshot, trustedFor(OLD));
  assert.deepEqual(restored.head, world.head);
  assert.deepEqual(restored.trustedKeys().get('test.adapter')?.map(publicKeyId), [NEW.keyId]);
  const stale = restored.submitReceipt(signedReceipt(OLD, { intent_hash: open, status: 'ok', payload: HTTP_OK }), clock.next());
  assert.equal(stale[0]?.body.kind === 'receipt_rejected' ? stale[0].body.reason : null, 'KEY_RETIRED');
  assert.deepEqual(kinds(restored.submitReceipt(signedReceipt(NEW, { intent_hash: open, status: 'ok', payload: HTTP_OK }), clock.next())), ['effect_receipt']);
});

test('rotations that retire an untrusted key, trust a retired one again, or change nothing are refused unjournaled', async () => {
  const { world, clock, keep } = await start();
  const refusal = (pattern: RegExp) => (error: unknown) => error instanceof KernelError && error.code === 'KEY_ROTATION_REFUSED' && pattern.test(error.message);
  assert.throws(() => world.rotateKeys({ adapter_id: 'test.adapter', trust: [], retire: [NEW.keyId] }, clock.next()), refusal(/is not trusted for test.adapter, so it cannot be retired/));
  assert.throws(() => world.rotateKeys({ adapter_id: 'test.adapter', trust: [], retire: [] }, clock.next()), refusal(/trusts and retires nothing/));
  assert.throws(() => world.rotateKeys({ adapter_id: 'test.adapter', trust: [OLD.keyId], retire: [] }, clock.next()), refusal(/already trusted/));
  const height = world.head.height;
  keep(world.rotateKeys({ adapter_id: 'test.adapter', trust: [NEW.keyId], retire: [OLD.keyId] }, clock.next()));
  assert.equal(world.head.height, height + 1);
  assert.throws(() => world.rotateKeys({ adapter_id: 'test.adapter', trust: [OLD.keyId], retire: [] }, clock.next()), refusal(/was retired for test.adapter and a retired key is never trusted again/));
  assert.equal(world.head.height, height + 1, 'refusals journal nothing');
});
