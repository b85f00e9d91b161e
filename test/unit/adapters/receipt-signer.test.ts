// Goal: a ReceiptSigner signs its own adapter's receipts so that the kernel verifies them, and
// never shows its private key: not by toString, inspect, JSON, spreading or key enumeration.
// Method: sign with a generated key and verify through the kernel; render the signer every way
// a log line might and scan the output for the private key's PEM body and raw seed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { inspect } from 'node:util';
import { ReceiptSigner } from '../../../src/adapters/index.ts';
import { InvariantError } from '../../../src/cbor/index.ts';
import type { Hash } from '../../../src/cbor/index.ts';
import { checkReceiptSignature, verifyReceiptSignature } from '../../../src/kernel/index.ts';
import type { ReceiptSigningFields } from '../../../src/kernel/index.ts';

const FIELDS: ReceiptSigningFields = {
  intent_hash: `sha256:${'aa'.repeat(32)}` as Hash, adapter_id: 'blob.local', status: 'ok', payload_hash: `sha256:${'bb'.repeat(32)}` as Hash,
};

test('signatures are 64 bytes and verify under the signer\'s public key', () => {
  const { privateKey } = generateKeyPairSync('ed25519');
  const signer = new ReceiptSigner('blob.local', privateKey);
  const signature = signer.sign(FIELDS);
  assert.equal(signature.length, 64);
  assert.ok(verifyReceiptSignature(signer.publicKey, FIELDS, signature));
  assert.deepEqual(checkReceiptSignature(new Map([['blob.local', [signer.publicKey]]]), FIELDS, signature), { ok: true, key: signer.keyId });
  assert.equal(verifyReceiptSignature(signer.publicKey, { ...FIELDS, status: 'error' }, signature), false);
});

test('a signer refuses to sign for another adapter_id', () => {
  const signer = new ReceiptSigner('blob.local', generateKeyPairSync('ed25519').privateKey);
  assert.throws(() => signer.sign({ ...FIELDS, adapter_id: 'http' }), (error: unknown) => error instanceof InvariantError && /signer of adapter blob\.local signs only its own receipts \(this one names http\)/.test(error.message));
});

test('printing, inspecting or serialising a signer shows its adapter_id and public key only', () => {
  const { privateKey } = generateKeyPairSync('ed25519');
  const signer = new ReceiptSigner('blob.local', privateKey);
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const pemBody = pem.split('\n').filter((line) => line !== '' && !line.startsWith('-----')).join('');
  const seed = Buffer.from(privateKey.export({ format: 'jwk' }).d ?? '', 'base64url');
  const secrets = [pemBody, seed.toString('hex'), seed.toString('base64'), seed.toString('base64url')];
  const renderings = [
    String(signer), `${signer}`, inspect(signer), inspect(signer, { showHidden: true, depth: 10 }), inspect({ signer }),
    JSON.stringify(signer), JSON.stringify({ ...signer }), Object.keys(signer).join(','), Object.getOwnPropertyNames(signer).join(','),
  ];
  assert.equal(String(signer), `ReceiptSigner(blob.local, ${signer.keyId})`);
  assert.deepEqual(JSON.parse(JSON.stringify(signer)), { adapter_id: 'blob.local', public_key: signer.keyId });
  for (const text of renderings) {
    for (const secret of secrets) assert.ok(!text.includes(secret), `a rendering shows the private key: ${text}`);
  }
});

test('a signer holds only an ed25519 private key', () => {
  const { publicKey } = generateKeyPairSync('ed25519');
  assert.throws(() => new ReceiptSigner('x', publicKey), InvariantError);
  assert.throws(() => new ReceiptSigner('x', generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey), InvariantError);
  assert.throws(() => new ReceiptSigner('', generateKeyPairSync('ed25519').privateKey), InvariantError);
});
