// Goal: the SDK's interpreted SHA-256 (its fallback outside the js runtime, which hashes on the host:
// test/unit/sandbox/host-hash.test.ts) names bytes exactly as the CAS does.
// Method: fast-check against node:crypto over random byte arrays, including every length around
// the 55/56/64-byte padding boundaries (a failure prints its seed and the bytes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { interpretedSha256 as sha256Hash } from '../../../src/sdk/sha256.ts';

const reference = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

test('sha256Hash matches node:crypto on every length up to three blocks and on random bytes', () => {
  for (let length = 0; length <= 192; length += 1) {
    const bytes = Uint8Array.from({ length }, (_, index) => (index * 31 + length) & 0xff);
    assert.equal(sha256Hash(bytes), reference(bytes), `length ${length}`);
  }
  fc.assert(fc.property(fc.uint8Array({ maxLength: 4_096 }), (bytes) => sha256Hash(bytes) === reference(bytes)), { numRuns: 300 });
});
