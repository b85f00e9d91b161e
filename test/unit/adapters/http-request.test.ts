// Goal: a redirect leads only to an http(s) URL, changes the method and drops the body exactly
// as the Fetch standard does, and never carries credentials to another origin.
// Method: named cases per redirect status, then a fast-check property over arbitrary Location
// text (a failure prints its seed and path).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { redirectRequest } from '../../../src/adapters/http-request.ts';
import type { HttpRequestPlan } from '../../../src/adapters/http-request.ts';

const BODY = new TextEncoder().encode('body');

function request(method: string): HttpRequestPlan {
  return {
    method, url: new URL('http://127.0.0.1:8080/start'), body: method === 'GET' || method === 'HEAD' ? null : BODY,
    headers: [['authorization', 'Bearer t'], ['cookie', 'c=1'], ['content-type', 'text/plain'], ['x-keep', '1']],
  };
}

test('method and body per redirect status: 303 and POST after 301/302 become GET; 307/308 keep both', () => {
  const cases: Array<[string, number, string, boolean]> = [
    ['POST', 301, 'GET', false], ['POST', 302, 'GET', false], ['POST', 303, 'GET', false], ['PUT', 303, 'GET', false],
    ['PUT', 302, 'PUT', true], ['POST', 307, 'POST', true], ['POST', 308, 'POST', true], ['HEAD', 303, 'HEAD', false],
  ];
  for (const [method, status, expectedMethod, keepsBody] of cases) {
    const next = redirectRequest(request(method), status, '/next');
    assert.ok(next.ok);
    assert.equal(next.request.method, expectedMethod, `${method} ${status}`);
    assert.equal(next.request.body !== null, keepsBody && method !== 'HEAD', `${method} ${status} body`);
    const names = next.request.headers.map(([name]) => name);
    assert.equal(names.includes('content-type'), next.request.method === method, `${method} ${status} content-type`);
    assert.ok(names.includes('authorization') && names.includes('x-keep'), 'same origin keeps credentials');
    assert.equal(next.request.url.href, 'http://127.0.0.1:8080/next');
  }
});

test('a cross-origin redirect drops authorization and cookie; a non-http target is refused', () => {
  const next = redirectRequest(request('GET'), 302, 'http://127.0.0.1:9090/other');
  assert.ok(next.ok);
  assert.deepEqual(next.request.headers.map(([name]) => name), ['content-type', 'x-keep']);
  for (const [location, message] of [['javascript:alert(1)', /scheme javascript/], ['http://u:p@127.0.0.1/', /user name or password/], ['http://[::1', /not a URL/]] as const) {
    const refused = redirectRequest(request('GET'), 302, location);
    assert.ok(!refused.ok);
    assert.equal(refused.code, 'INVALID_REDIRECT');
    assert.match(refused.message, message);
  }
});

test('property: any Location gives an http(s) request without credentials in the URL, or INVALID_REDIRECT', () => {
  const location = fc.oneof(fc.string({ maxLength: 40 }), fc.webUrl(), fc.webPath(), fc.constantFrom('file:///etc/passwd', 'data:,x', '//127.0.0.2/x'));
  fc.assert(fc.property(location, fc.constantFrom(301, 302, 303, 307, 308), (text, status) => {
    const next = redirectRequest(request('POST'), status, text);
    if (!next.ok) {
      assert.equal(next.code, 'INVALID_REDIRECT');
      return;
    }
    assert.ok(['http:', 'https:'].includes(next.request.url.protocol));
    assert.equal(next.request.url.username + next.request.url.password, '');
    if (next.request.url.origin !== 'http://127.0.0.1:8080') {
      assert.ok(next.request.headers.every(([name]) => name !== 'authorization' && name !== 'cookie'));
    }
  }), { numRuns: 2_000 });
});
