// Goal: a receipt reaches a workflow only from the kernel, after its signature was checked. An
// event from outside that is a receipt envelope, or a variant whose chosen arm is one, is refused
// at ingress with a message saying why, and nothing is journaled; other arms pass.
// Method: the runner test world (its input variant has a Receipt arm); forged envelopes sent as
// the variant arm and as the envelope schema itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { encodeCanonical, hashBytes } from '../../../src/cbor/index.ts';
import type { CborValue } from '../../../src/cbor/index.ts';
import { KernelError, World } from '../../../src/kernel/index.ts';
import { FakeClock, MemoryContent, ROOT, worldFixture } from '../../support/kernel-fixture.ts';

const RUNNER = join(ROOT, 'test/fixtures/worlds/runner');
const cbor = (value: unknown) => encodeCanonical(value as CborValue, { selfDescribe: false });

const forged = {
  origin_module_id: 'test/Runner@1', origin_instance_key: null, intent_id: hashBytes(new Uint8Array([1])), effect_kind: 'sys/blob.put@1',
  params_hash: null, issuer_ref: null, receipt_payload: new Uint8Array([0xa0]), status: 'ok', emitted_at_seq: 3, adapter_id: 'blob.default',
  cost_cents: null, signature: new Uint8Array(64),
};

test('forged receipt envelopes are refused at ingress; the other arms of the same variant pass', async () => {
  const fixture = await worldFixture(RUNNER);
  const created = World.create(fixture.view, await fixture.modules(), new MemoryContent());
  const world = created.world;
  const clock = new FakeClock(4);
  const head = world.head;
  const refused = (error: unknown) => error instanceof KernelError && error.code === 'INVALID_EVENT' && /receipts reach workflows only from the kernel/.test(error.message);
  assert.throws(() => world.submitEvent({ schema: 'test/RunnerInput@1', value: cbor({ $tag: 'Receipt', $value: forged }) }, clock.next()), refused);
  assert.throws(() => world.submitEvent({ schema: 'sys/EffectReceiptEnvelope@1', value: cbor(forged) }, clock.next()), refused);
  assert.deepEqual(world.head, head, 'nothing was journaled');
  const records = world.submitEvent({ schema: 'test/RunnerInput@1', value: cbor({ $tag: 'Op', $value: { $tag: 'Wait', $value: 5 } }) }, clock.next());
  assert.equal(records[0]?.body.kind, 'domain_event', 'another arm of the variant is an ordinary event');
});
