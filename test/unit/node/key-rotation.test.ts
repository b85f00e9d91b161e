// Goal: `aos key rotate`'s work (rotateAdapterKey) replaces an adapter key end to end: the world
// journals a key_rotation (new key trusted, old retired from that height), the new private key is
// 0600 like every key and takes the adapter's name, the old files are kept under keys/retired;
// a receipt the old key signs afterwards is refused as KEY_RETIRED while the new key's settles;
// the world reopens (from a snapshot after the rotation, and from genesis) with the rotated keys;
// replay-or-die and `aos audit verify` hold across the rotation; an interrupted rotation finishes
// when run again.
// Method: the runner fixture world in a temporary root with real key files, driven by the real
// executor and blob adapter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobAdapter } from '../../../src/adapters/index.ts';
import { encodeCanonical } from '../../../src/cbor/index.ts';
import type { CborValue } from '../../../src/cbor/index.ts';
import { buildWorld, writeModuleHashes } from '../../../src/cli/build/index.ts';
import { publicKeyId } from '../../../src/kernel/index.ts';
import { auditWorld, EffectExecutor, EmbeddedWorld, generateKey, keysDirectory, listKeys, loadSigner, retiredDirectory, rotateAdapterKey, rotatingDirectory } from '../../../src/node/index.ts';
import { FakeClock, ROOT } from '../../support/kernel-fixture.ts';

const cbor = (value: CborValue) => encodeCanonical(value, { selfDescribe: false });
const store = (text: string) => ({ schema: 'test/RunnerOp@1', value: cbor({ $tag: 'Store', $value: { bytes: new TextEncoder().encode(text), then_wait_ns: 0 } }) });

async function runnerRoot(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'aos-rotate-'));
  cpSync(join(ROOT, 'test/fixtures/worlds/runner'), dir, { recursive: true });
  writeModuleHashes(dir, (await buildWorld(dir)).modules);
  generateKey(dir, { name: 'blob.default', role: 'adapter' });
  return dir;
}

async function settleWith(world: EmbeddedWorld, text: string, signerRoot: ReturnType<typeof loadSigner>) {
  world.send(store(text));
  const executor = new EffectExecutor(world, [{ adapter: new BlobAdapter(), signer: signerRoot }]);
  executor.dispatch();
  await executor.idle();
  executor.close();
  return executor.problems;
}

test('a rotation journals the change, swaps the key files, refuses the retired key and survives reopen, replay and audit', async () => {
  const dir = await runnerRoot();
  try {
    const world = await EmbeddedWorld.create(dir, new FakeClock(3));
    const oldSigner = loadSigner(dir, 'blob.default');
    assert.deepEqual(await settleWith(world, 'before', oldSigner), []);
    world.snapshot(); // verifyReplay below also replays from here, across the rotation
    const done = rotateAdapterKey(world, 'blob.default', () => new Date('2026-01-02T03:04:05Z'));
    assert.equal(done.retired, oldSigner.keyId);
    assert.notEqual(done.trusted, oldSigner.keyId);
    assert.equal(world.tail(done.height ?? -1, 1)[0]?.body.kind, 'key_rotation');
    assert.deepEqual(world.trustedKeys().get('blob.default')?.map(publicKeyId), [done.trusted]);
    const listed = listKeys(dir);
    assert.deepEqual(listed.keys.map((key) => [key.name, key.public_key]), [['blob.default', done.trusted]]);
    assert.deepEqual(listed.warnings, []);
    assert.equal(statSync(join(keysDirectory(dir), 'blob.default.key')).mode & 0o777, 0o600, 'the new private key is 0600');
    assert.equal(statSync(`${done.retired_files ?? ''}.key`).mode & 0o777, 0o600, 'the retired private key stays 0600');
    assert.ok(done.retired_files?.startsWith(retiredDirectory(dir)));

    const problems = await settleWith(world, 'stale', oldSigner);
    assert.equal(problems.length, 1);
    assert.match(problems[0]?.message ?? '', /receipt refused \(KEY_RETIRED\)/);
    assert.deepEqual(await settleWith(world, 'fresh', loadSigner(dir, 'blob.default')), [], 'the new key settles the new intent and the one the stale receipt left open');
    assert.equal(world.openIntents().size, 0);
    world.snapshot();
    await world.verifyReplay();
    const audit = auditWorld(world);
    assert.deepEqual(audit.findings, []);
    assert.equal(audit.signatures_verified, audit.receipts);
    assert.equal(audit.rejections, 1);
    world.close();

    for (const fromGenesis of [false, true]) {
      const reopened = await EmbeddedWorld.open(dir, { fromGenesis });
      try {
        assert.deepEqual(reopened.trustedKeys().get('blob.default')?.map(publicKeyId), [done.trusted], `reopened ${fromGenesis ? 'from genesis' : 'from the snapshot'}`);
        assert.deepEqual(await settleWith(reopened, `again-${fromGenesis}`, loadSigner(dir, 'blob.default')), []);
      } finally {
        reopened.close();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an interrupted rotation (journaled, files not swapped yet) finishes when run again, without a second record', async () => {
  const dir = await runnerRoot();
  try {
    const world = await EmbeddedWorld.create(dir, new FakeClock(3));
    const first = rotateAdapterKey(world, 'blob.default');
    // Undo the file swap to stand for a crash after the journal step: the staged key back in rotating/, the old key back in place.
    const base = first.retired_files ?? '';
    for (const ext of ['key', 'pub', 'json']) renameSync(join(keysDirectory(dir), `blob.default.${ext}`), join(rotatingDirectory(dir), `blob.default.${ext}`));
    for (const ext of ['key', 'pub', 'json']) renameSync(`${base}.${ext}`, join(keysDirectory(dir), `blob.default.${ext}`));
    const height = world.head.height;
    const again = rotateAdapterKey(world, 'blob.default');
    assert.equal(again.trusted, first.trusted, 'the staged key is reused');
    assert.equal(again.height, null, 'the world already trusts it: nothing more is journaled');
    assert.equal(world.head.height, height);
    assert.equal(loadSigner(dir, 'blob.default').keyId, first.trusted);
    assert.ok(!existsSync(join(rotatingDirectory(dir), 'blob.default.json')));
    world.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
