// Goal: `aos audit verify`'s walk (auditJournal/auditWorld) passes a world that ran real effects,
// and names the height, kind and code of each thing that does not hold: a receipt signed by a key
// the world does not trust, a payload byte altered with the chain recomputed after it, a receipt
// for an intent never opened, a second settlement, a broken chain, and a refusal that could not
// have happened.
// Method: the runner fixture world driven by the real executor with test keys from fixed seeds;
// its journal is read back, edited, and re-sealed (every later record's prev recomputed, as a
// forger with write access would), then audited offline.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobAdapter } from '../../../src/adapters/index.ts';
import { encodeCanonical, hashBytes } from '../../../src/cbor/index.ts';
import type { CborValue, Hash } from '../../../src/cbor/index.ts';
import { buildWorld, writeModuleHashes } from '../../../src/cli/build/index.ts';
import { sealRecord } from '../../../src/kernel/index.ts';
import type { RecordBody, SealedRecord } from '../../../src/kernel/index.ts';
import { auditJournal, auditWorld, EffectExecutor, EmbeddedWorld, listReceipts, NodeError, showReceipt } from '../../../src/node/index.ts';
import type { AuditReport } from '../../../src/node/index.ts';
import { FakeClock, ROOT } from '../../support/kernel-fixture.ts';
import { signedReceipt, testSigner, trustedFor } from '../../support/receipt-keys.ts';

const BLOB_SIGNER = testSigner('blob.default');
const cbor = (value: CborValue) => encodeCanonical(value, { selfDescribe: false });
const store = (text: string) => ({ schema: 'test/RunnerOp@1', value: cbor({ $tag: 'Store', $value: { bytes: new TextEncoder().encode(text), then_wait_ns: 0 } }) });
type Body<K extends RecordBody['kind']> = Extract<RecordBody, { kind: K }>;

/** The runner world after three blob.puts settled through the executor, and one forged receipt refused. */
async function ranWorld(): Promise<{ world: EmbeddedWorld; cleanup: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'aos-audit-'));
  cpSync(join(ROOT, 'test/fixtures/worlds/runner'), dir, { recursive: true });
  writeModuleHashes(dir, (await buildWorld(dir)).modules);
  const world = await EmbeddedWorld.create(dir, new FakeClock(3), trustedFor(BLOB_SIGNER, testSigner('timer.default')));
  const executor = new EffectExecutor(world, [{ adapter: new BlobAdapter(), signer: BLOB_SIGNER }]);
  for (const text of ['one', 'two']) {
    world.send(store(text));
    executor.dispatch();
    await executor.idle();
  }
  const open = world.send(store('three')).find((record) => record.body.kind === 'effect_intent');
  assert.ok(open !== undefined && open.body.kind === 'effect_intent');
  const forged = signedReceipt(testSigner('blob.default', 9), { intent_hash: open.body.intent_hash, status: 'ok', payload: cbor('forged') });
  assert.throws(() => world.receipt(forged), (error) => error instanceof NodeError && error.code === 'RECEIPT_REJECTED');
  executor.dispatch();
  await executor.idle();
  executor.close();
  return { world, cleanup: () => { world.close(); rmSync(dir, { recursive: true, force: true }); } };
}

let shared: { records: SealedRecord[]; report: AuditReport } | undefined;
async function journal(): Promise<SealedRecord[]> {
  if (shared === undefined) {
    const { world, cleanup } = await ranWorld();
    try {
      shared = { records: world.tail(0, 8_000), report: auditWorld(world) };
    } finally {
      cleanup();
    }
  }
  return shared.records;
}

/** The journal with record `index` replaced by `body` and every later record re-chained. */
function resealed(records: readonly SealedRecord[], index: number, body: RecordBody): SealedRecord[] {
  const out = records.slice(0, index);
  let prev: Hash | null = index === 0 ? null : hashBytes(records[index - 1]?.bytes ?? new Uint8Array());
  for (let at = index; at < records.length; at += 1) {
    const record = records[at];
    assert.ok(record !== undefined);
    const sealed = sealRecord(record.height, prev, at === index ? body : record.body);
    out.push(sealed);
    prev = sealed.hash;
  }
  return out;
}

function indexOf(records: readonly SealedRecord[], kind: RecordBody['kind'], nth = 0): number {
  const found = records.map((record, index) => (record.body.kind === kind ? index : -1)).filter((index) => index >= 0)[nth];
  assert.ok(found !== undefined, `a ${kind} record number ${nth}`);
  return found;
}

const receiptAt = (records: readonly SealedRecord[], index: number) => records[index]?.body as Body<'effect_receipt'>;
const codes = (report: AuditReport) => report.findings.map((finding) => [finding.height, finding.kind, finding.code]);

test('a world that ran real effects passes: chain whole, every signature verified, each intent settled once, the refusal well founded', async () => {
  const records = await journal();
  const report = shared?.report;
  assert.ok(report !== undefined);
  assert.deepEqual(report.findings, []);
  assert.equal(report.ok, true);
  assert.equal(report.receipts, 3);
  assert.equal(report.signatures_verified, 3);
  assert.equal(report.intents, 3);
  assert.equal(report.open_intents, 0);
  assert.equal(report.rejections, 1);
  assert.equal(report.records, records.length);
  assert.equal(report.head, records.at(-1)?.hash);
  assert.deepEqual(auditJournal(records), report, 'the same walk over the records alone');
});

test('a receipt signed by a key the world does not trust: SIGNATURE_INVALID at its height', async () => {
  const records = await journal();
  const index = indexOf(records, 'effect_receipt');
  const receipt = receiptAt(records, index);
  const other = signedReceipt(testSigner('blob.default', 7), { intent_hash: receipt.intent_hash, status: receipt.status, payload: receipt.payload });
  const report = auditJournal(resealed(records, index, { ...receipt, signature: other.signature }));
  assert.deepEqual(codes(report), [[index, 'effect_receipt', 'SIGNATURE_INVALID']]);
  assert.match(report.findings[0]?.message ?? '', /^BAD_SIGNATURE: .*altered or signed by another key/);
});

test('one payload byte altered, chain recomputed after it: the chain holds, the signature does not', async () => {
  const records = await journal();
  const index = indexOf(records, 'effect_receipt', 1);
  const receipt = receiptAt(records, index);
  const payload = Uint8Array.from(receipt.payload);
  payload[payload.length - 1] = (payload.at(-1) ?? 0) ^ 0x01;
  const report = auditJournal(resealed(records, index, { ...receipt, payload }));
  assert.deepEqual(codes(report), [[index, 'effect_receipt', 'SIGNATURE_INVALID']]);
  assert.equal(report.signatures_verified, 2);
});

test('a validly signed receipt for an intent never opened: RECEIPT_WITHOUT_INTENT', async () => {
  const records = await journal();
  const index = indexOf(records, 'effect_receipt');
  const receipt = receiptAt(records, index);
  const stranger = signedReceipt(BLOB_SIGNER, { intent_hash: hashBytes(Uint8Array.of(1, 2, 3)), status: 'ok', payload: receipt.payload });
  const report = auditJournal(resealed(records, index, { ...receipt, intent_hash: stranger.intent_hash, signature: stranger.signature }));
  assert.deepEqual(codes(report), [[index, 'effect_receipt', 'RECEIPT_WITHOUT_INTENT']]);
  assert.equal(report.signatures_verified, 3, 'the signature itself is good');
  assert.equal(report.open_intents, 1, 'the intent it should have settled stays open');
});

test('the same receipt journaled twice: DOUBLE_SETTLEMENT names where it was first settled', async () => {
  const records = await journal();
  const index = indexOf(records, 'effect_receipt');
  const last = records.at(-1);
  assert.ok(last !== undefined);
  const duplicate = sealRecord(last.height + 1, last.hash, receiptAt(records, index));
  const report = auditJournal([...records, duplicate]);
  assert.deepEqual(codes(report), [[duplicate.height, 'effect_receipt', 'DOUBLE_SETTLEMENT']]);
  assert.match(report.findings[0]?.message ?? '', new RegExp(`settled at height ${index}$`));
});

test('a record changed without re-chaining: CHAIN_BROKEN at the next height; a missing record: HEIGHT_GAP; a wrong head: HEAD_MISMATCH', async () => {
  const records = await journal();
  const index = indexOf(records, 'effect_receipt');
  const receipt = receiptAt(records, index);
  const changed = [...records];
  changed[index] = sealRecord(index, records[index]?.prev ?? null, { ...receipt, status: 'error' });
  assert.deepEqual(codes(auditJournal(changed)), [[index, 'effect_receipt', 'SIGNATURE_INVALID'], [index + 1, records[index + 1]?.body.kind, 'CHAIN_BROKEN']]);

  const gap = records.filter((_, at) => at !== 4);
  assert.deepEqual(codes(auditJournal(gap)).slice(0, 2), [[5, records[5]?.body.kind, 'HEIGHT_GAP'], [5, records[5]?.body.kind, 'CHAIN_BROKEN']]);

  const head = auditJournal(records, { height: records.length + 1, hash: records.at(-1)?.hash ?? null });
  assert.deepEqual(codes(head), [[records.length, 'journal', 'HEAD_MISMATCH']]);
});

test('refusals: one that admission could not have given is REJECTION_UNFOUNDED; one for an intent not open, REJECTION_WITHOUT_INTENT', async () => {
  const records = await journal();
  const index = indexOf(records, 'receipt_rejected');
  const refusal = records[index]?.body as Body<'receipt_rejected'>;
  assert.equal(refusal.reason, 'BAD_SIGNATURE');
  assert.equal(refusal.signature?.length, 64, 'the refusal keeps the signature it refused');
  const unknownKey = auditJournal(resealed(records, index, { ...refusal, reason: 'UNKNOWN_KEY' }));
  assert.deepEqual(codes(unknownKey), [[index, 'receipt_rejected', 'REJECTION_UNFOUNDED']]);
  assert.match(unknownKey.findings[0]?.message ?? '', /refused as UNKNOWN_KEY, but re-checked against the keys trusted at this height the signature is refused as BAD_SIGNATURE/);
  const { signature: _kept, cost_cents: _cost, usage: _usage, ...legacy } = refusal;
  const legacyUnknown = auditJournal(resealed(records, index, { ...legacy, reason: 'UNKNOWN_KEY' }));
  assert.match(legacyUnknown.findings[0]?.message ?? '', /UNKNOWN_KEY, but the world trusts a key for adapter "blob.default"/, 'a record without evidence is checked for consistency only');
  const status = auditJournal(resealed(records, index, { ...refusal, reason: 'STATUS_INVALID' }));
  assert.deepEqual(codes(status), [[index, 'receipt_rejected', 'REJECTION_UNFOUNDED']]);
  const stray = auditJournal(resealed(records, index, { ...refusal, intent_hash: hashBytes(Uint8Array.of(9)) }));
  assert.deepEqual(codes(stray), [[index, 'receipt_rejected', 'REJECTION_WITHOUT_INTENT']]);
});

test('receipts ls and show: every receipt verified, the payload in the sugar lens of sys/BlobPutReceipt@1, refusals listed', async () => {
  const { world, cleanup } = await ranWorld();
  try {
    const receipts = listReceipts(world);
    assert.deepEqual(receipts.map((receipt) => [receipt.effect_kind, receipt.status, receipt.adapter_id, receipt.signature]), Array(3).fill(['blob.put', 'ok', 'blob.default', 'verified']));
    const third = receipts[2];
    assert.ok(third !== undefined);
    assert.deepEqual(listReceipts(world, third.intent_hash), [third]);
    const detail = showReceipt(world, third.intent_hash);
    assert.equal(detail.receipt_schema, 'sys/BlobPutReceipt@1');
    assert.equal(detail.payload_lens, 'sugar');
    assert.equal((detail.payload as { blob_ref: string }).blob_ref, hashBytes(new TextEncoder().encode('three')));
    assert.deepEqual(detail.rejected.map((refusal) => refusal.reason), ['BAD_SIGNATURE']);
    assert.throws(() => showReceipt(world, hashBytes(Uint8Array.of(4))), (error) => error instanceof NodeError && error.code === 'NO_RECEIPT');
  } finally {
    cleanup();
  }
});

test('a BAD_SIGNATURE refusal whose receipt in fact verifies is REJECTION_UNFOUNDED; the genuine refusal is re-verified as founded', async () => {
  const records = await journal();
  const index = indexOf(records, 'receipt_rejected');
  const refusal = records[index]?.body as Body<'receipt_rejected'>;
  assert.deepEqual(codes(auditJournal(records)), [], 'the forged receipt really was signed by an untrusted key');
  const genuine = signedReceipt(BLOB_SIGNER, { intent_hash: refusal.intent_hash, status: 'ok', payload: cbor('forged') });
  assert.equal(hashBytes(cbor('forged')), refusal.payload_hash);
  const report = auditJournal(resealed(records, index, { ...refusal, signature: genuine.signature }));
  assert.deepEqual(codes(report), [[index, 'receipt_rejected', 'REJECTION_UNFOUNDED']]);
  assert.match(report.findings[0]?.message ?? '', /refused as BAD_SIGNATURE, but the receipt's signature verifies under ed25519:[0-9a-f]{64}, trusted for adapter "blob.default" at this height: the refusal is unfounded/);
  const payloadRefusal = auditJournal(resealed(records, index, { ...refusal, reason: 'PAYLOAD_INVALID' }));
  assert.match(payloadRefusal.findings[0]?.message ?? '', /refused as PAYLOAD_INVALID, but admission checks the signature first and re-checked it is refused as BAD_SIGNATURE/);
});
