// Goal: the links trace.ts recovers match what a real world journals: an allowed effect's
// decisions and intent, the receipt that settles it (linked by intent hash), and a denial in a
// later input that is not part of the first event's graph.
// Method: the guarded test world run in QuickJS with a fake clock and a signed receipt; the
// journal traced from each ingress event.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { encodeCanonical } from '../../../src/cbor/index.ts';
import type { CborValue } from '../../../src/cbor/index.ts';
import { diagnose, traceFrom, World } from '../../../src/kernel/index.ts';
import type { SealedRecord } from '../../../src/kernel/index.ts';
import { FakeClock, MemoryContent, MemoryJournal, ROOT, worldFixture } from '../../support/kernel-fixture.ts';
import { signedReceipt, testSigner, trustedFor } from '../../support/receipt-keys.ts';

const HTTP_SIGNER = testSigner('test.http');
const cbor = (value: CborValue) => encodeCanonical(value, { selfDescribe: false });
const fetchOp = (id: string, url: string) => ({ schema: 'test/GuardedEvent@1', value: cbor({ id, op: { $tag: 'Fetch', $value: [{ url, method: 'GET', slot: null }] } }) });

test('a real journal: the receipt joins its event\'s graph, a later denial does not', async () => {
  const fixture = await worldFixture(join(ROOT, 'test/fixtures/worlds/guarded'));
  const journal = new MemoryJournal();
  const clock = new FakeClock(5);
  const created = World.create(fixture.view, await fixture.modules(), new MemoryContent(), trustedFor(HTTP_SIGNER));
  journal.append(created.records);
  const world = created.world;
  const submit = (records: SealedRecord[]) => { journal.append(records); return records; };
  const allowed = submit(world.submitEvent(fetchOp('a', 'https://api.example.com/v1/items'), clock.next()));
  const denied = submit(world.submitEvent(fetchOp('b', 'https://evil.example/v1/x'), clock.next()));
  const intent = allowed.find((record) => record.body.kind === 'effect_intent');
  assert.ok(intent !== undefined && intent.body.kind === 'effect_intent');
  const payload = cbor({ status: 504, headers: {}, body_ref: null, timings: { start_ns: 1, end_ns: 2 }, adapter_id: 'test.http' });
  const settled = submit(world.submitReceipt(signedReceipt(HTTP_SIGNER, { intent_hash: intent.body.intent_hash, status: 'timeout', payload }), clock.next()));
  const root = allowed[0];
  assert.ok(root !== undefined);
  const graph = traceFrom(journal.records, root.height);
  assert.ok(graph !== null);
  assert.deepEqual(graph.nodes.map((record) => record.body.kind), ['domain_event', 'cap_decision', 'policy_decision', 'effect_intent', 'effect_receipt']);
  assert.deepEqual(graph.edges.map((edge) => edge.kind), ['caused', 'decided', 'opened', 'settled']);
  assert.equal(graph.nodes[4]?.height, settled[0]?.height);
  assert.ok(graph.nodes.every((record) => !denied.some((other) => other.height === record.height)));
  assert.equal(diagnose(graph).outcome, 'adapter_timeout');
  const deniedGraph = traceFrom(journal.records, denied[0]?.height ?? -1);
  assert.ok(deniedGraph !== null);
  assert.deepEqual(deniedGraph.nodes.map((record) => record.body.kind), ['domain_event', 'cap_decision', 'workflow_fault']);
  assert.equal(diagnose(deniedGraph).outcome, 'capability_denied');
});
