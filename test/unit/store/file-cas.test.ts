// Goal: the file CAS stores bytes under their hash, is idempotent, and refuses a changed or
// missing object with a typed StoreError naming the file and hash.
// Method: put/get/has in a temp world root; corrupt a stored file by hand.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { hashBytes } from '../../../src/cbor/index.ts';
import { FileCas, StoreError } from '../../../src/store/index.ts';

test('put/get round-trips, is idempotent, lays files out as <2 hex>/<62 hex>, and verifies on read', () => {
  const root = mkdtempSync(join(tmpdir(), 'aos-cas-'));
  try {
    const cas = new FileCas(root);
    const bytes = new TextEncoder().encode('hello cas');
    const hash = cas.put(bytes);
    assert.equal(hash, hashBytes(bytes));
    assert.equal(cas.put(bytes), hash);
    assert.ok(cas.has(hash));
    assert.deepEqual(cas.get(hash), bytes);
    const digits = hash.slice('sha256:'.length);
    assert.deepEqual(readdirSync(join(root, '.aos', 'cas', digits.slice(0, 2))), [digits.slice(2)]);
    writeFileSync(join(root, '.aos', 'cas', digits.slice(0, 2), digits.slice(2)), 'tampered');
    assert.throws(() => cas.get(hash), (error: unknown) => error instanceof StoreError && error.code === 'CAS_CORRUPT' && error.message.includes(hash) && error.message.includes(digits.slice(2)));
    const missing = hashBytes(new Uint8Array([1]));
    assert.equal(cas.has(missing), false);
    assert.throws(() => cas.get(missing), (error: unknown) => error instanceof StoreError && error.code === 'CAS_MISSING');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
