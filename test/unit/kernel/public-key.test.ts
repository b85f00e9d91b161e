// Goal: public key ids (`ed25519:<64 hex>`) round-trip with raw 32-byte keys, bad ids and bad
// lengths are refused saying what is wrong, and KeyObjects are built once per key.
// Method: fixed cases with their messages, then fast-check (a failure prints its seed and path)
// over arbitrary text and arbitrary bytes: a key or a KernelError, never anything else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { isPublicKeyId, KernelError, parsePublicKeyId, publicKeyId, rawPublicKey } from '../../../src/kernel/index.ts';
import { publicKeyObject } from '../../../src/kernel/public-key.ts';

const isBadKey = (pattern: RegExp) => (error: unknown) => error instanceof KernelError && error.code === 'BAD_PUBLIC_KEY' && pattern.test(error.message);

test('an id is "ed25519:" and the raw key in lowercase hex, and parses back to the same bytes', () => {
  const { publicKey } = generateKeyPairSync('ed25519');
  const raw = rawPublicKey(publicKey);
  const id = publicKeyId(raw);
  assert.match(id, /^ed25519:[0-9a-f]{64}$/);
  assert.ok(isPublicKeyId(id));
  assert.deepEqual(parsePublicKeyId(id), raw);
  assert.equal(publicKeyObject(raw), publicKeyObject(Uint8Array.from(raw)), 'the KeyObject is cached by key');
  assert.deepEqual(rawPublicKey(publicKeyObject(raw)), raw);
});

test('bad ids and bad lengths say what is wrong', () => {
  const digits = 'ab'.repeat(32);
  assert.throws(() => parsePublicKeyId(`sha256:${digits}`, 'trusted key'), isBadKey(/^trusted key: "sha256:ab.*" is not a public key id \(it does not start with "ed25519:"\); expected "ed25519:" followed by 64 lowercase hex digits$/));
  assert.throws(() => parsePublicKeyId(`ed25519:${digits.slice(2)}`), isBadKey(/it has 62 hex digits/));
  assert.throws(() => parsePublicKeyId(`ed25519:${digits.toUpperCase()}`), isBadKey(/uppercase hex digits/));
  assert.throws(() => parsePublicKeyId(`ed25519:${'zz'.repeat(32)}`), isBadKey(/not hex digits/));
  assert.throws(() => publicKeyId(new Uint8Array(31)), isBadKey(/32 bytes; got 31/));
  const { privateKey } = generateKeyPairSync('x25519');
  assert.throws(() => rawPublicKey(privateKey), isBadKey(/the key is x25519, not ed25519/));
});

test('any text parses to a 32-byte key with that very id, or is refused with BAD_PUBLIC_KEY', () => {
  const idLike = fc.stringMatching(/^ed25519:[0-9a-fA-F]{60,66}$/);
  fc.assert(fc.property(fc.oneof(fc.string(), idLike), (text) => {
    let raw: Uint8Array;
    try {
      raw = parsePublicKeyId(text);
    } catch (error) {
      assert.ok(isBadKey(/./)(error), String(error));
      return;
    }
    assert.equal(raw.length, 32);
    assert.equal(publicKeyId(raw), text);
  }), { numRuns: 2_000 });
});
