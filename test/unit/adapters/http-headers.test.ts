// Goal: header handling never hands fetch a header it refuses and never records a header the
// receipt schema refuses, whatever text params or servers supply; hop-by-hop headers never pass.
// Method: named cases, then fast-check properties over arbitrary names and values (a failure
// prints its seed and path; pass them back to fc.assert to replay it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { builtinCatalog, valueFromCbor } from '../../../src/air/index.ts';
import { fetchDecodedBody, receiptHeaders, requestHeaders } from '../../../src/adapters/http-headers.ts';
import { TEST_IDEMPOTENCY_KEY } from '../../support/adapter-fixture.ts';

const HEADER_MAP = { map: { key: { text: {} }, value: { text: {} } } } as const;
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade'];
const TOKEN_CHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

test('request headers: lowercased, hop-by-hop and transport headers dropped, defaults added', () => {
  const reading = requestHeaders({ 'X-A': '1', Connection: 'x-private', 'X-Private': 'p', 'Content-Length': '5', Host: 'h', TE: 'trailers', 'Accept-Encoding': 'br' }, TEST_IDEMPOTENCY_KEY);
  assert.ok(reading.ok);
  assert.deepEqual(Object.fromEntries(reading.headers), { 'x-a': '1', 'accept-encoding': 'br', 'idempotency-key': '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f' });
});

test('request headers: named refusals', () => {
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ 'bad name': 'x' }, /name "bad name" is not an HTTP token/],
    [{ 'x-a': 'line\nbreak' }, /x-a has a line break, a NUL or a character beyond Latin-1/],
    [{ 'x-a': 'snow ☃' }, /beyond Latin-1/],
    [{ 'X-A': '1', 'x-a': '2' }, /x-a is given twice/],
  ];
  for (const [headers, message] of cases) {
    const reading = requestHeaders(headers, TEST_IDEMPOTENCY_KEY);
    assert.ok(!reading.ok);
    assert.match(reading.message, message);
  }
});

test('fetch decodes gzip, deflate and br bodies, unless a coding is unknown, the method is HEAD or the status has no body', () => {
  assert.equal(fetchDecodedBody('GET', 200, 'gzip'), true);
  assert.equal(fetchDecodedBody('GET', 200, 'GZIP, br'), true);
  assert.equal(fetchDecodedBody('GET', 200, 'gzip, zstd'), false);
  assert.equal(fetchDecodedBody('GET', 200, null), false);
  assert.equal(fetchDecodedBody('head', 200, 'gzip'), false);
  assert.equal(fetchDecodedBody('GET', 304, 'gzip'), false);
});

test('property: any params headers either fail with a message or give headers fetch accepts', () => {
  const name = fc.oneof(fc.string({ minLength: 1, maxLength: 12 }), fc.constantFrom(...HOP_BY_HOP, 'Host', 'Content-Length', 'Idempotency-Key', '__proto__'));
  fc.assert(fc.property(fc.dictionary(name, fc.string({ maxLength: 20 }), { maxKeys: 8 }), (headers) => {
    const reading = requestHeaders(headers, TEST_IDEMPOTENCY_KEY);
    if (!reading.ok) {
      assert.ok(reading.message.length > 0);
      return;
    }
    const names = reading.headers.map(([headerName]) => headerName);
    assert.equal(new Set(names).size, names.length, 'names are unique');
    for (const headerName of names) {
      assert.equal(headerName, headerName.toLowerCase());
      assert.ok(!HOP_BY_HOP.includes(headerName) && headerName !== 'host' && headerName !== 'content-length', headerName);
    }
    assert.ok(names.includes('idempotency-key'));
    assert.doesNotThrow(() => new Headers(reading.headers.map(([headerName, value]) => [headerName, value])));
  }), { numRuns: 2_000 });
});

test('property: any response headers become a receipt header map without hop-by-hop headers', () => {
  const name = fc.oneof(fc.string({ unit: fc.constantFrom(...TOKEN_CHARS), minLength: 1, maxLength: 12 }), fc.constantFrom(...HOP_BY_HOP, 'set-cookie', '__proto__'));
  const value = fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).map((code) => String.fromCharCode(code)), maxLength: 20 });
  fc.assert(fc.property(fc.array(fc.tuple(name, value), { maxLength: 10 }), fc.boolean(), (pairs, decoded) => {
    const headers = new Headers();
    for (const [headerName, headerValue] of pairs) headers.append(headerName, headerValue);
    const recorded = receiptHeaders(headers, decoded);
    const checked = valueFromCbor(recorded, HEADER_MAP, builtinCatalog(), { path: 'headers' });
    assert.deepEqual(checked, recorded);
    for (const hop of HOP_BY_HOP) assert.ok(!Object.hasOwn(recorded, hop), hop);
    assert.equal(Object.getPrototypeOf(recorded), Object.prototype, 'a header named __proto__ stays a key');
  }), { numRuns: 2_000 });
});
