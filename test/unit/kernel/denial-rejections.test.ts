// Goal: a workflow whose event takes sys/EffectReceiptRejected@1 (as the agent session's does)
// is not failed by a denied effect: the step takes effect, its allowed effects open, and each
// denied one settles at once as a rejection to the instance (status "denied", the decision's
// code and message, its issuer_ref), so the workflow can answer it (an agent shows the model an
// error result). The decisions are journaled as for any effect; nothing opens for a denied one;
// replay from genesis and from a snapshot gives the same bytes. A workflow without that arm is
// still failed (enforcement-world.test.ts).
// Method: the guarded fixture world copied and patched (a Rejected arm, a rejections list in the
// state) with the guarded-rejections workflow; records and state inspected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeCanonical, encodeCanonical } from '../../../src/cbor/index.ts';
import type { CborValue } from '../../../src/cbor/index.ts';
import type { RecordBody, SealedRecord } from '../../../src/kernel/index.ts';
import { ROOT, worldFixture } from '../../support/kernel-fixture.ts';
import { testSigner } from '../../support/receipt-keys.ts';
import { assertGuardedReplays, startGuarded } from '../../support/guarded-world.ts';

const MODULE = 'test/Guarded@1';
const ALLOWED = 'https://api.example.com/v1/items';
const EVIL = 'https://evil.example/v1/x';
const cbor = (value: CborValue) => encodeCanonical(value, { selfDescribe: false });
const fetch = (...urls: string[]) => ({ $tag: 'Fetch', $value: urls.map((url) => ({ url, method: 'GET', slot: null })) });

/** The guarded world in a temp dir, its event taking rejections and its state keeping them. */
function rejectingWorld(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'aos-rejections-'));
  cpSync(join(ROOT, 'test/fixtures/worlds/guarded'), dir, { recursive: true });
  const schemasFile = join(dir, 'air/schemas.air.json');
  const schemas = JSON.parse(readFileSync(schemasFile, 'utf8')) as Array<{ name: string; type: Record<string, Record<string, unknown>> }>;
  for (const schema of schemas) {
    if (schema.name === 'test/GuardedInput@1') schema.type['variant']!['Rejected'] = { ref: 'sys/EffectReceiptRejected@1' };
    if (schema.name === 'test/GuardedState@1') schema.type['record']!['rejections'] = { list: { text: {} } };
  }
  writeFileSync(schemasFile, JSON.stringify(schemas));
  const manifestFile = join(dir, 'air/manifest.air.json');
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { schemas: Array<{ name: string }> };
  manifest.schemas.push({ name: 'sys/EffectReceiptRejected@1' });
  writeFileSync(manifestFile, JSON.stringify(manifest));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const kinds = (records: readonly SealedRecord[]) => records.map((record) => record.body.kind);
const bodies = <K extends RecordBody['kind']>(records: readonly SealedRecord[], kind: K) => records.map((record) => record.body).filter((body): body is Extract<RecordBody, { kind: K }> => body.kind === kind);

test('a denied effect of a workflow that takes rejections settles as a rejection; the step and its allowed effects take effect; replay matches', async () => {
  const { dir, cleanup } = rejectingWorld();
  try {
    const fixture = await worldFixture(dir, { [MODULE]: join(dir, 'workflows/guarded-rejections.ts') });
    const { world, send, journal, content } = await startGuarded(fixture, testSigner('test.http'), 5);
    const stateOf = (id: string) => decodeCanonical(world.state(MODULE, cbor(id)) ?? new Uint8Array()) as { count: number; receipts: number; rejections: string[] };
    const statusOf = (id: string) => world.cells(MODULE).find((cell) => cell.key !== null && decodeCanonical(cell.key) === id)?.status;

    const records = send('a', fetch(EVIL, ALLOWED, EVIL.replace('/x', '/y')));
    assert.deepEqual(kinds(records), ['domain_event', 'cap_decision', 'cap_decision', 'policy_decision', 'effect_intent', 'cap_decision'], 'every effect is decided; only the allowed one opens');
    assert.deepEqual(bodies(records, 'cap_decision').map((cap) => cap.decision), ['deny', 'allow', 'deny']);
    assert.equal(bodies(records, 'workflow_fault').length, 0, 'no fault: the workflow takes rejections');
    const state = stateOf('a');
    assert.equal(state.count, 1, 'the step that emitted the denied effects took effect');
    assert.deepEqual(state.rejections, [`denied host_not_allowed ${EVIL}`, `denied host_not_allowed ${EVIL.replace('/x', '/y')}`], 'each denial came back, in emission order, under its issuer_ref');
    assert.equal(world.openIntents().size, 1, 'only the allowed effect is open work');
    assert.equal(statusOf('a'), 'waiting');

    send('b', fetch(EVIL));
    assert.equal(statusOf('b'), 'running', 'an instance whose only effect was denied keeps running');
    send('b', { $tag: 'Inc', $value: 3 });
    assert.equal(stateOf('b').count, 4);

    journal.append(world.snapshot());
    send('c', fetch(EVIL));
    await assertGuardedReplays(fixture, content, journal, world, MODULE, ['a', 'b', 'c']);
  } finally {
    cleanup();
  }
});
