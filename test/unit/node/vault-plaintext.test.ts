// Goal: a secret stored through a workflow's vault.put never lies in plaintext in the world's
// folder: after the put, a byte scan of every file under the root (journal database and its WAL,
// CAS files, vault files) finds neither the value nor its hex or base64 form; the put settles ok,
// the vault holds the value, and replay-or-die holds. The scan is shown to work: a value a user
// put into the world's CAS is found by it (and that vault.put is refused with a message).
// Method: the vault-keeper fixture world in a temporary root with real keys, the real executor
// and vault adapter, and the value staged with Vault.stage (what `aos vault stage` does).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeCanonical, encodeCanonical } from '../../../src/cbor/index.ts';
import type { CborValue, Hash } from '../../../src/cbor/index.ts';
import { buildWorld, writeModuleHashes } from '../../../src/cli/build/index.ts';
import { EffectExecutor, EmbeddedWorld, generateKey, loadSigner, Vault, VaultAdapter } from '../../../src/node/index.ts';
import { VAULT_KEY_ENV } from '../../../src/node/vault-key.ts';
import { FakeClock, ROOT } from '../../support/kernel-fixture.ts';

const cbor = (value: CborValue) => encodeCanonical(value, { selfDescribe: false });

/** Every file under `dir`, recursively (bounded by the test's own small world). */
function filesUnder(dir: string): string[] {
  const found: string[] = [];
  const pending = [dir];
  for (let folder = pending.pop(); folder !== undefined; folder = pending.pop()) {
    for (const entry of readdirSync(folder)) {
      const path = join(folder, entry);
      if (statSync(path).isDirectory()) pending.push(path);
      else found.push(path);
    }
  }
  return found;
}

/** The files under `dir` that hold `secret` raw, as hex, or as base64. */
function filesHolding(dir: string, secret: Uint8Array): string[] {
  const needles = [Buffer.from(secret), Buffer.from(Buffer.from(secret).toString('hex')), Buffer.from(Buffer.from(secret).toString('base64'))];
  return filesUnder(dir).filter((file) => {
    const bytes = readFileSync(file);
    return needles.some((needle) => bytes.includes(needle));
  });
}

async function keeperWorld() {
  const dir = mkdtempSync(join(tmpdir(), 'aos-vault-scan-'));
  cpSync(join(ROOT, 'test/fixtures/worlds/vault-keeper'), dir, { recursive: true });
  writeModuleHashes(dir, (await buildWorld(dir)).modules);
  generateKey(dir, { name: 'vault.default', role: 'adapter' });
  const world = await EmbeddedWorld.create(dir, new FakeClock(3));
  const vault = new Vault(dir, { env: { [VAULT_KEY_ENV]: randomBytes(32).toString('base64') } });
  const put = async (ref: Hash) => {
    world.send({ schema: 'test/KeepOp@1', value: cbor({ alias: 'api', binding_id: 'vault:svc/api', value_ref: ref }) });
    const executor = new EffectExecutor(world, [{ adapter: new VaultAdapter(vault), signer: loadSigner(dir, 'vault.default') }]);
    executor.dispatch();
    await executor.idle();
    executor.close();
    return world.tail(0, 1_000, 'effect_receipt').at(-1)?.body;
  };
  return { dir, world, vault, put };
}

test('a secret put through a staged value_ref is nowhere in the world folder in plaintext, hex or base64', async () => {
  const { dir, world, vault, put } = await keeperWorld();
  try {
    const secret = new TextEncoder().encode(`sk-live-${randomBytes(24).toString('hex')}`);
    const ref = vault.stage(secret);
    const receipt = await put(ref);
    assert.ok(receipt?.kind === 'effect_receipt');
    assert.equal(receipt.status, 'ok');
    assert.deepEqual(vault.read('svc/api').value, secret);
    assert.equal(vault.staged(ref), null, 'the staged copy was consumed');
    world.snapshot();
    await world.verifyReplay();
    assert.deepEqual(filesHolding(dir, secret), [], 'with the journal database and its WAL open');
    world.close();
    assert.deepEqual(filesHolding(dir, secret), [], 'after close');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the scan finds a value a user put into the world\'s CAS; a vault.put of it is refused with a message', async () => {
  const { dir, world, vault, put } = await keeperWorld();
  try {
    const secret = new TextEncoder().encode(`sk-live-${randomBytes(24).toString('hex')}`);
    const ref = world.cas.put(secret);
    const receipt = await put(ref);
    assert.ok(receipt?.kind === 'effect_receipt');
    assert.equal(receipt.status, 'error');
    assert.match(String(decodeCanonical(receipt.payload)), /is not staged in the vault but is a blob in the world's CAS/);
    assert.equal(vault.list().entries.length, 0);
    world.close();
    assert.notDeepEqual(filesHolding(dir, secret), [], 'the scan sees plaintext where it is');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
