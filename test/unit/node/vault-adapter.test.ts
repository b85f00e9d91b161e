// Goal: the vault adapter executes sys/vault.put@1 and sys/vault.rotate@1 with receipts that
// are values of their receipt schemas; the value comes only from the vault's sealed staging by
// value_ref (never from the world's CAS, which is refused with a message), is checked against
// expected_digest, is consumed by the put, and appears in no receipt; refusals settle as error
// receipts.
// Method: a memory CAS and a real vault in a temporary root, intents built from params, each
// payload checked with valueFromCbor against the built-in catalog and scanned for the value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeCanonical, hashBytes, ZERO_HASH } from '../../../src/cbor/index.ts';
import type { AdapterOutcome } from '../../../src/adapters/index.ts';
import { VAULT_PUT_EFFECT, VAULT_ROTATE_EFFECT, VaultAdapter } from '../../../src/node/vault-adapter.ts';
import { VAULT_KEY_ENV } from '../../../src/node/vault-key.ts';
import { Vault } from '../../../src/node/vault.ts';
import { checkedPayload, MemoryBlobs, testContext, testIntent } from '../../support/adapter-fixture.ts';

const SECRET = new TextEncoder().encode('tok-9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d');
const ENV = { [VAULT_KEY_ENV]: randomBytes(32).toString('base64') };

async function withVault(work: (vault: Vault, adapter: VaultAdapter, blobs: MemoryBlobs) => Promise<void>): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'aos-vault-adapter-'));
  try {
    const vault = new Vault(root, { env: ENV });
    await work(vault, new VaultAdapter(vault), new MemoryBlobs());
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

function noValue(outcome: AdapterOutcome): void {
  assert.equal(Buffer.from(encodeCanonical(outcome.payload)).indexOf(Buffer.from(SECRET)), -1, 'the value is in the receipt');
}

test('vault.put stores the staged value as the next version and consumes it; its receipt fits sys/VaultPutReceipt@1', () => withVault(async (vault, adapter, blobs) => {
  const ref = vault.stage(SECRET);
  assert.deepEqual(vault.staged(ref), SECRET);
  const params = { alias: 'llm/openai_api', binding_id: 'llm/openai_api', value_ref: ref, expected_digest: ref };
  const outcome = await adapter.execute(testIntent(VAULT_PUT_EFFECT, params), testContext(blobs));
  assert.equal(outcome.status, 'ok');
  assert.deepEqual(checkedPayload(outcome, 'sys/VaultPutReceipt@1'), { alias: 'llm/openai_api', version: 1, binding_id: 'llm/openai_api', digest: hashBytes(SECRET) });
  noValue(outcome);
  assert.deepEqual(vault.read('llm/openai_api').value, SECRET);
  assert.equal(vault.staged(ref), null, 'the put consumed the staged copy');
  const retried = await adapter.execute(testIntent(VAULT_PUT_EFFECT, params), testContext(blobs));
  assert.equal(checkedPayload(retried, 'sys/VaultPutReceipt@1')['version'], 1, 'a retried intent (same idempotency key) does not add a version');
}));

test('vault.put refuses a value not staged, a digest mismatch and env: bindings as error receipts', () => withVault(async (vault, adapter, blobs) => {
  const ref = vault.stage(SECRET);
  const cases = [
    { alias: 'a', binding_id: 'a', value_ref: hashBytes(new TextEncoder().encode('absent')), expected_digest: ref },
    { alias: 'a', binding_id: 'a', value_ref: ref, expected_digest: hashBytes(new TextEncoder().encode('other')) },
    { alias: 'a', binding_id: 'env:OPENAI_API_KEY', value_ref: ref, expected_digest: ref },
    { alias: 'a', binding_id: 'bad name', value_ref: ref, expected_digest: ref },
  ];
  for (const params of cases) {
    const outcome = await adapter.execute(testIntent(VAULT_PUT_EFFECT, params), testContext(blobs));
    assert.equal(outcome.status, 'error', JSON.stringify(params.binding_id));
    assert.deepEqual(checkedPayload(outcome, 'sys/VaultPutReceipt@1'), { alias: 'a', version: 0, binding_id: params.binding_id, digest: ZERO_HASH });
  }
  assert.equal(vault.list().entries.length, 0);
}));

test('vault.rotate makes a stored version active after checking its digest; its receipt fits sys/VaultRotateReceipt@1', () => withVault(async (vault, adapter, blobs) => {
  vault.put('token', SECRET);
  vault.put('token', new TextEncoder().encode('newer'));
  const rotate = (version: number, digest: string) => adapter.execute(testIntent(VAULT_ROTATE_EFFECT, { alias: 'token', version, binding_id: 'token', expected_digest: digest }), testContext(blobs));
  const wrong = await rotate(1, hashBytes(new TextEncoder().encode('newer')));
  assert.equal(wrong.status, 'error');
  checkedPayload(wrong, 'sys/VaultRotateReceipt@1');
  assert.equal((await rotate(9, hashBytes(SECRET))).status, 'error');
  const outcome = await rotate(1, hashBytes(SECRET));
  assert.equal(outcome.status, 'ok');
  assert.deepEqual(checkedPayload(outcome, 'sys/VaultRotateReceipt@1'), { alias: 'token', version: 1, binding_id: 'token', digest: hashBytes(SECRET) });
  noValue(outcome);
  assert.deepEqual(vault.read('token').value, SECRET);
}));

test('vault.put refuses a value_ref that names a plaintext blob in the world\'s CAS, saying how to stage it instead', () => withVault(async (vault, adapter, blobs) => {
  const ref = blobs.put(SECRET);
  const outcome = await adapter.execute(testIntent(VAULT_PUT_EFFECT, { alias: 'a', binding_id: 'a', value_ref: ref, expected_digest: ref }), testContext(blobs));
  assert.equal(outcome.status, 'error');
  assert.equal(typeof outcome.payload, 'string');
  assert.match(String(outcome.payload), /is not staged in the vault but is a blob in the world's CAS, where its plaintext lies unencrypted; stage the value with `aos vault stage --value-stdin`/);
  noValue(outcome);
  assert.equal(vault.list().entries.length, 0);
}));
