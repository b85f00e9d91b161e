// Goal: `aos audit verify`, `aos replay --verify` and `aos receipts ls|show` work as a user runs
// them on a world whose effects ran through the real executor: readable output, --json shapes,
// signature status per receipt, and a non-zero exit naming height, kind and code once a receipt
// in the journal is re-signed by a key the world does not trust (chain recomputed after it).
// Method: the runner fixture built and run in a temp folder through the node API (test keys from
// fixed seeds), then bin/aos.js (dist/) spawned on it; the tampering edits the SQLite journal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobAdapter } from '../../src/adapters/index.ts';
import { encodeCanonical, hashBytes } from '../../src/cbor/index.ts';
import { buildWorld, writeModuleHashes } from '../../src/cli/build/index.ts';
import { EffectExecutor, EmbeddedWorld } from '../../src/node/index.ts';
import { FakeClock } from '../support/kernel-fixture.ts';
import { rewriteFirstRecord } from '../support/journal-rewrite.ts';
import { signedReceipt, testSigner, trustedFor } from '../support/receipt-keys.ts';

const ROOT = join(import.meta.dirname, '../..');
const SIGNER = testSigner('blob.default');

function aos(...args: string[]): { code: number; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(ROOT, 'bin/aos.js'), ...args], { encoding: 'utf8', cwd: ROOT });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

async function ranWorld(dir: string): Promise<void> {
  cpSync(join(ROOT, 'test/fixtures/worlds/runner'), dir, { recursive: true });
  writeModuleHashes(dir, (await buildWorld(dir)).modules);
  const world = await EmbeddedWorld.create(dir, new FakeClock(11), trustedFor(SIGNER));
  try {
    const executor = new EffectExecutor(world, [{ adapter: new BlobAdapter(), signer: SIGNER }]);
    for (const text of ['alpha', 'beta']) {
      world.send({ schema: 'test/RunnerOp@1', value: encodeCanonical({ $tag: 'Store', $value: { bytes: new TextEncoder().encode(text), then_wait_ns: 0 } }, { selfDescribe: false }) });
      executor.dispatch();
      await executor.idle();
    }
    executor.close();
  } finally {
    world.close();
  }
}

/** Re-signs the first receipt with another key and re-chains every record after it, in place. */
function resignFirstReceipt(dir: string): number {
  return rewriteFirstRecord(dir, (body) => {
    if (body.kind !== 'effect_receipt') return undefined;
    const forged = signedReceipt(testSigner('blob.default', 5), { intent_hash: body.intent_hash, status: body.status, payload: body.payload });
    return { ...body, signature: forged.signature };
  });
}

test('audit verify, replay --verify and receipts ls/show on a world that ran the executor; a re-signed receipt fails the audit', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'aos-cli-audit-'));
  try {
    await ranWorld(dir);
    const audit = aos('audit', 'verify', '--root', dir, '--json');
    assert.equal(audit.code, 0, audit.stderr);
    const report = JSON.parse(audit.stdout) as { ok: boolean; receipts: number; signatures_verified: number; intents: number; open_intents: number; findings: unknown[] };
    assert.deepEqual([report.ok, report.receipts, report.signatures_verified, report.intents, report.open_intents, report.findings], [true, 2, 2, 2, 0, []]);
    const text = aos('audit', 'verify', '--root', dir);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^audit ok: \d+ records chained to sha256:[0-9a-f]{64}; 2\/2 receipt signatures verified, 2 intents \(0 open\), 0 refusals checked\napprovals ok: 0\/0 approval signatures verified \(0 effect approvals, 0 governance decisions\); principals: none\nreplay ok: \d+ heights from genesis and from 0 snapshot\(s\) end at sha256:[0-9a-f]{64}\n$/);

    const replay = aos('replay', '--verify', '--root', dir, '--json');
    assert.equal(replay.code, 0, replay.stderr);
    assert.equal((JSON.parse(replay.stdout) as { audit: { signatures_verified: number } }).audit.signatures_verified, 2);

    const ls = aos('receipts', 'ls', '--root', dir, '--json');
    assert.equal(ls.code, 0, ls.stderr);
    const receipts = (JSON.parse(ls.stdout) as { receipts: Array<{ intent_hash: string; effect_kind: string; status: string; adapter_id: string; signature: string; cost_cents: null }> }).receipts;
    assert.deepEqual(receipts.map((receipt) => [receipt.effect_kind, receipt.status, receipt.adapter_id, receipt.signature, receipt.cost_cents]), Array(2).fill(['blob.put', 'ok', 'blob.default', 'verified', null]));
    const lsText = aos('receipts', 'ls', '--root', dir);
    assert.match(lsText.stdout, /^ *HEIGHT +EFFECT +STATUS +ADAPTER +COST +SIGNATURE +INTENT\n +\d+ +blob\.put +ok +blob\.default +- +verified +sha256:/);
    const intent = receipts[1]?.intent_hash ?? '';
    assert.equal((JSON.parse(aos('receipts', 'ls', '--root', dir, '--intent', intent, '--json').stdout) as { receipts: unknown[] }).receipts.length, 1);

    const show = aos('receipts', 'show', intent, '--root', dir, '--json');
    assert.equal(show.code, 0, show.stderr);
    const detail = JSON.parse(show.stdout) as { receipt_schema: string; payload_lens: string; payload: { blob_ref: string; size: number }; signature: string };
    assert.deepEqual([detail.receipt_schema, detail.payload_lens, detail.signature], ['sys/BlobPutReceipt@1', 'sugar', 'verified']);
    assert.deepEqual([detail.payload.blob_ref, detail.payload.size], [hashBytes(new TextEncoder().encode('beta')), 4]);
    const showText = aos('receipts', 'show', intent, '--root', dir);
    assert.match(showText.stdout, /^receipt for sha256:\S+ \(blob\.put, opened at height \d+, settled at height \d+\)\n {2}status +ok\n {2}adapter +blob\.default\n {2}signature +verified\n/);
    assert.match(showText.stdout, /"blob_ref": "sha256:/);

    const missing = aos('receipts', 'show', hashBytes(Uint8Array.of(1)), '--root', dir);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^error: no receipt settles sha256:\S+: no intent with that hash was journaled\nhint: /);
    const bad = aos('receipts', 'show', 'not-a-hash', '--root', dir);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /is not an intent hash\nhint: an intent hash is "sha256:"/);

    const height = resignFirstReceipt(dir);
    const failed = aos('audit', 'verify', '--root', dir, '--json');
    assert.equal(failed.code, 1);
    const failedReport = JSON.parse(failed.stdout) as { ok: boolean; findings: Array<{ height: number; kind: string; code: string }> };
    assert.equal(failedReport.ok, false);
    assert.deepEqual(failedReport.findings.map((finding) => [finding.height, finding.kind, finding.code]), [[height, 'effect_receipt', 'SIGNATURE_INVALID']]);
    assert.equal((JSON.parse(failed.stderr) as { error: { code: string } }).error.code, 'AUDIT_FAILED');
    const failedText = aos('audit', 'verify', '--root', dir);
    assert.equal(failedText.code, 1);
    assert.match(failedText.stderr, new RegExp(`^error: the journal in .* fails its audit with 1 finding\\(s\\): height ${height} \\(effect_receipt\\) SIGNATURE_INVALID: BAD_SIGNATURE`));
    const replayFailed = aos('replay', '--verify', '--root', dir);
    assert.equal(replayFailed.code, 1, 'replay itself still matches (it re-checks no signature), the audit it runs does not');
    assert.match(replayFailed.stdout, /^replay ok: .*\naudit FAILED: /);
    assert.equal(aos('receipts', 'show', receipts[0]?.intent_hash ?? '', '--root', dir, '--json').stdout.includes('"signature": "invalid"'), true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
