// Goal: a world moves between folders as one bundle and nothing altered gets through: export is
// deterministic, import into a second folder replays to the same head and state, a bundle audit
// passes; one flipped byte anywhere in the bundle (every Nth byte plus a seeded random sample)
// fails both import and audit with BUNDLE_INVALID naming what is wrong, never a crash, never a
// silent acceptance, and leaves the target folder empty. Forks keep whole inputs only.
// Method: the runner fixture run through the real executor (blob receipts signed by test keys)
// with a snapshot, exported and re-imported through the node API on real SQLite; a signed
// approval on the guarded fixture checks the approval audit. Seed: AOS_SIM_SEED or a fresh one,
// printed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobAdapter } from '../../src/adapters/blob-adapter.ts';
import { encodeCanonical } from '../../src/cbor/index.ts';
import { buildWorld, writeModuleHashes } from '../../src/cli/build/index.ts';
import { sealRecord } from '../../src/kernel/index.ts';
import type { SealedRecord } from '../../src/kernel/index.ts';
import { auditApprovals, auditBundle, EffectExecutor, EmbeddedWorld, exportWorld, forkWorld, generateKey, importBundle, loadApprovalSigner, NodeError } from '../../src/node/index.ts';
import { FakeClock } from '../support/kernel-fixture.ts';
import { testSigner, trustedFor } from '../support/receipt-keys.ts';

const ROOT = join(import.meta.dirname, '../..');
const SIGNER = testSigner('blob.default');
/** Flips tried: one every this many bytes, plus RANDOM_FLIPS at seeded positions. */
const FLIP_STRIDE_BYTES_MIN = 97;
const STRIDE_FLIPS = 160;
const RANDOM_FLIPS = 60;

async function ranWorld(dir: string): Promise<void> {
  cpSync(join(ROOT, 'test/fixtures/worlds/runner'), dir, { recursive: true });
  writeModuleHashes(dir, (await buildWorld(dir)).modules);
  const world = await EmbeddedWorld.create(dir, new FakeClock(11), trustedFor(SIGNER));
  try {
    const executor = new EffectExecutor(world, [{ adapter: new BlobAdapter(), signer: SIGNER }]);
    for (const text of ['alpha', 'beta', 'gamma']) {
      world.send({ schema: 'test/RunnerOp@1', value: encodeCanonical({ $tag: 'Store', $value: { bytes: new TextEncoder().encode(text), then_wait_ns: 0 } }, { selfDescribe: false }) });
      executor.dispatch();
      await executor.idle();
      if (text === 'beta') world.snapshot();
    }
    executor.close();
  } finally {
    world.close();
  }
}

function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state;
  };
}

test('export → import on a second folder → bundle audit; exports are deterministic; a fork keeps whole inputs', async () => {
  const base = mkdtempSync(join(tmpdir(), 'aos-bundle-'));
  try {
    const source = join(base, 'source');
    await ranWorld(source);
    const file = join(base, 'world.aosb');
    const exported = exportWorld(source, file);
    assert.equal(exported.records, exported.head_height);
    const again = exportWorld(source, join(base, 'again.aosb'));
    assert.deepEqual(readFileSync(join(base, 'again.aosb')), readFileSync(file), 'the same world exports to the same bytes');
    assert.equal(again.sha256, exported.sha256);

    const imported = await importBundle(file, join(base, 'copy'));
    assert.equal(imported.journal.ok && imported.approvals.ok, true);
    assert.equal(imported.journal.signatures_verified, 3);
    assert.equal(imported.replay?.snapshots, 1);
    assert.deepEqual(imported.trusted_keys.map(([adapter]) => adapter), ['blob.default']);
    const [left, right] = [await EmbeddedWorld.open(source, { readOnly: true }), await EmbeddedWorld.open(join(base, 'copy'), { readOnly: true })];
    try {
      assert.deepEqual(right.head, left.head);
      assert.deepEqual(right.state('test/Runner@1', encodeCanonical('alpha', { selfDescribe: false })), left.state('test/Runner@1', encodeCanonical('alpha', { selfDescribe: false })));
    } finally {
      left.close();
      right.close();
    }
    await assert.rejects(importBundle(file, join(base, 'copy')), (error: unknown) => error instanceof NodeError && error.code === 'TARGET_EXISTS');
    const audit = await auditBundle(file);
    assert.equal(audit.journal.ok && audit.approvals.ok && audit.replay !== null, true);

    const tail = audit.replay?.heights ?? 0;
    await assert.rejects(forkWorld(source, join(base, 'mid'), { height: 3 }), (error: unknown) => {
      assert.ok(error instanceof NodeError && error.code === 'FORK_INVALID', String(error));
      assert.match(error.message, /height 3 is inside an input/);
      assert.match(error.hint ?? '', /fork at height 2 or \d+/);
      return true;
    });
    const fork = await forkWorld(source, join(base, 'fork'), { height: 2 });
    assert.deepEqual([fork.height, fork.replay.heights], [2, 2]);
    const atSnapshot = await forkWorld(source, join(base, 'fork-snapshot'), { snapshot: (await snapshotOf(source)) });
    assert.ok(atSnapshot.height < tail && atSnapshot.replay.snapshots === 1, 'a fork at a snapshot keeps it');
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

async function snapshotOf(dir: string): Promise<NonNullable<ReturnType<EmbeddedWorld['latestSnapshotHash']>>> {
  const world = await EmbeddedWorld.open(dir, { readOnly: true });
  try {
    const hash = world.latestSnapshotHash();
    assert.ok(hash !== null);
    return hash;
  } finally {
    world.close();
  }
}

test('one flipped byte anywhere in a bundle fails import and audit, naming what is wrong', async () => {
  const seed = Number(process.env.AOS_SIM_SEED ?? Math.floor(Math.random() * 2 ** 31));
  console.log(`bundle flip seed=${seed} (AOS_SIM_SEED=${seed} replays it)`);
  const base = mkdtempSync(join(tmpdir(), 'aos-bundle-flip-'));
  try {
    const source = join(base, 'source');
    await ranWorld(source);
    const file = join(base, 'world.aosb');
    exportWorld(source, file);
    const bytes = readFileSync(file);
    const stride = Math.max(FLIP_STRIDE_BYTES_MIN, Math.floor(bytes.length / STRIDE_FLIPS));
    const random = seeded(seed);
    const positions = [0, bytes.length - 1];
    for (let position = 1; position < bytes.length; position += stride) positions.push(position);
    for (let index = 0; index < RANDOM_FLIPS; index += 1) positions.push(random() % bytes.length);
    const tampered = join(base, 'tampered.aosb');
    const target = join(base, 'target');
    const codes = new Map<string, number>();
    for (const position of positions) {
      const copy = Buffer.from(bytes);
      copy[position] = (copy[position] ?? 0) ^ (1 << (random() % 8));
      writeFileSync(tampered, copy);
      const where = `byte ${position} of ${bytes.length} (seed=${seed})`;
      await assert.rejects(importBundle(tampered, target), (error: unknown) => {
        assert.ok(error instanceof NodeError && (error.code === 'BUNDLE_INVALID' || error.code === 'REPLAY_FAILED'), `${where}: import failed with ${String(error)}`);
        assert.ok(error.message.length > 30 && error.hint !== undefined, `${where}: the error says what is wrong and what to do`);
        codes.set(error.message.replace(/[0-9a-f]{64}|\d+/g, '#').slice(0, 60), 0);
        return true;
      }, `${where}: a tampered bundle was imported`);
      assert.ok(!existsSync(join(target, '.aos')) && (!existsSync(target) || readdirSync(target).length === 0), `${where}: a failed import leaves the target empty`);
      let audited: Awaited<ReturnType<typeof auditBundle>> | null = null;
      try {
        audited = await auditBundle(tampered);
      } catch (error) {
        assert.ok(error instanceof NodeError && error.code === 'BUNDLE_INVALID', `${where}: audit failed with ${String(error)}`);
      }
      assert.ok(audited === null || !audited.journal.ok || !audited.approvals.ok, `${where}: the audit passed a tampered bundle`);
    }
    assert.ok(codes.size >= 3, `different flips are named differently: ${[...codes.keys()].join(' | ')}`);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test('the approval audit verifies a principal\'s signed approval and names an altered one', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'aos-bundle-approvals-'));
  try {
    cpSync(join(ROOT, 'test/fixtures/worlds/guarded'), dir, { recursive: true, filter: (path) => !path.endsWith('.aos') });
    const alice = generateKey(dir, { name: 'alice', role: 'principal' });
    const manifestFile = join(dir, 'air/manifest.air.json');
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Record<string, unknown>;
    writeFileSync(manifestFile, JSON.stringify({ ...manifest, approval_policy: { principals: [{ name: 'alice', public_key: alice.public_key }], quorum: 1 } }));
    writeModuleHashes(dir, (await buildWorld(dir)).modules);
    const world = await EmbeddedWorld.create(dir, new FakeClock(5), new Map());
    let records: SealedRecord[];
    try {
      world.send({ schema: 'test/GuardedEvent@1', value: encodeCanonical({ id: 'a', op: { $tag: 'Wait', $value: 5 } }, { selfDescribe: false }) });
      const pending = world.pendingApprovals()[0];
      assert.ok(pending !== undefined, 'the timer waits for approval');
      world.approve(pending.hash, 'approve', loadApprovalSigner(dir, 'alice'));
      records = world.tail(0, 1_000);
    } finally {
      world.close();
    }
    const clean = auditApprovals(records);
    assert.deepEqual([clean.ok, clean.approvals, clean.verified, clean.principals], [true, 1, 1, [alice.public_key]]);
    let prev: SealedRecord['prev'] = null;
    const forged = records.map((record) => {
      const body = record.body.kind === 'approval' ? { ...record.body, signature: record.body.signature.map((byte, index) => (index === 0 ? byte ^ 1 : byte)) } : record.body;
      const sealed = sealRecord(record.height, prev, body);
      prev = sealed.hash;
      return sealed;
    });
    const report = auditApprovals(forged);
    assert.equal(report.ok, false);
    assert.equal(report.findings[0]?.code, 'APPROVAL_SIGNATURE_INVALID');
    assert.match(report.findings[0]?.message ?? '', /does not verify under that key/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
