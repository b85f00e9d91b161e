// Goal: isHash accepts exactly the content addresses the CAS makes ("sha256:" and 64 lowercase
// hex digits) and nothing else, and parseHash says what is wrong with the rest.
// Method: hashes of random bytes, each mutated one character at a time (fast-check), and other
// random text, against the address's regular expression as the oracle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { hashBytes, isHash, parseHash } from '../../../src/cbor/index.ts';

const ORACLE = /^sha256:[0-9a-f]{64}$/;

test('property: isHash says yes exactly to "sha256:" and 64 lowercase hex digits', () => {
  const mutated = fc.tuple(fc.uint8Array({ maxLength: 32 }), fc.nat(), fc.string({ unit: 'binary', minLength: 0, maxLength: 2 })).map(([bytes, at, replacement]) => {
    const hash = hashBytes(bytes);
    const index = at % (hash.length + 1);
    return hash.slice(0, index) + replacement + hash.slice(index + 1);
  });
  fc.assert(fc.property(fc.oneof(mutated, fc.string({ maxLength: 80 }), fc.uint8Array().map(hashBytes)), (text) => {
    assert.equal(isHash(text), ORACLE.test(text), JSON.stringify(text));
  }), { numRuns: 20_000 });
  for (const other of [null, undefined, 71, {}, ['sha256:'], new String(hashBytes(new Uint8Array()))]) assert.equal(isHash(other), false);
});

test('parseHash names what is wrong with a text that is not a hash', () => {
  const good = hashBytes(Uint8Array.of(1));
  assert.equal(parseHash(good), good);
  assert.throws(() => parseHash(`md5:${good.slice(7)}`), /does not start with "sha256:"/);
  assert.throws(() => parseHash(good.slice(0, -1)), /63 hex digits/);
  assert.throws(() => parseHash(good.toUpperCase().replace('SHA256', 'sha256')), /uppercase/);
  assert.throws(() => parseHash(`${good.slice(0, -1)}g`), /not hex digits/);
});
