// Goal: the HTTP adapter turns every request, answer and failure into a receipt of
// sys/HttpRequestReceipt@1 with the right status: ok for any HTTP answer (404 included), timeout
// when a deadline fires, error (status 0, x-aos-error) when no usable answer came; bodies travel
// through the CAS, redirects are off unless enabled and then bounded, memory is bounded.
// Method: real fetch against node:http servers on 127.0.0.1 (port 0) started by the test; no
// sleeps: slow endpoints never answer, and the test aborts when the server has seen the request.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { AdapterError, HTTP_ERROR_HEADER, HTTP_ERROR_MESSAGE_HEADER, HTTP_REQUEST_EFFECT, HTTP_RESPONSE_BYTES_MAX, HttpAdapter } from '../../../src/adapters/index.ts';
import type { AdapterOutcome } from '../../../src/adapters/index.ts';
import { isCborObject, isHash, toHex } from '../../../src/cbor/index.ts';
import type { CborObject, Hash } from '../../../src/cbor/index.ts';
import { checkedPayload, MemoryBlobs, TEST_IDEMPOTENCY_KEY, testContext, testIntent } from '../../support/adapter-fixture.ts';

const RECEIPT = 'sys/HttpRequestReceipt@1';
const CHUNK = new Uint8Array(64 * 1024).fill(0x61);

interface Loopback { readonly server: Server; readonly base: string; readonly seen: Array<{ url: string; method: string; headers: IncomingMessage['headers'] }> }
let main: Loopback;
let other: Loopback;
/** Requests waiting on /slow, so the test can abort once the server has one. */
const slowArrivals: Array<() => void> = [];
let hugeBytesWritten = 0;

async function listen(handler: (request: IncomingMessage, response: ServerResponse, body: Buffer) => void): Promise<Loopback> {
  const seen: Loopback['seen'] = [];
  const server = createServer((request, response) => {
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => parts.push(part));
    request.on('end', () => {
      seen.push({ url: request.url ?? '', method: request.method ?? '', headers: request.headers });
      handler(request, response, Buffer.concat(parts));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

function route(request: IncomingMessage, response: ServerResponse, body: Buffer): void {
  const url = new URL(request.url ?? '/', 'http://loopback');
  const path = url.pathname;
  if (path === '/hello') {
    response.writeHead(200, { 'content-type': 'text/plain', 'X-Custom': 'yes', connection: 'keep-alive, x-per-hop', 'keep-alive': 'timeout=5', 'x-per-hop': 'drop me' });
    response.end('hello');
  } else if (path === '/echo') {
    response.writeHead(201, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ method: request.method, headers: request.headers, body: body.toString('utf8') }));
  } else if (path === '/missing') {
    response.writeHead(404, { 'content-type': 'text/plain' });
    response.end('not found');
  } else if (path === '/empty') {
    response.writeHead(204);
    response.end();
  } else if (path.startsWith('/redirect/')) {
    const left = Number(path.slice('/redirect/'.length));
    if (left === 0) response.writeHead(200).end('landed');
    else response.writeHead(302, { location: `/redirect/${left - 1}` }).end('moving');
  } else if (path === '/see-other') {
    response.writeHead(303, { location: '/echo' }).end();
  } else if (path === '/elsewhere') {
    response.writeHead(307, { location: `${url.searchParams.get('to') ?? ''}/echo` }).end();
  } else if (path === '/to-file') {
    response.writeHead(302, { location: 'file:///etc/passwd' }).end();
  } else if (path === '/cookies') {
    response.writeHead(200, { 'set-cookie': ['a=1; Expires=Wed, 21 Oct 2015 07:28:00 GMT', 'b=2'] }).end();
  } else if (path === '/gzip') {
    const zipped = gzipSync(Buffer.from('squeezed '.repeat(100)));
    response.writeHead(200, { 'content-encoding': 'gzip', 'content-length': zipped.byteLength }).end(zipped);
  } else if (path === '/slow') {
    slowArrivals.shift()?.();
  } else if (path === '/declared-huge') {
    response.writeHead(200, { 'content-length': String(HTTP_RESPONSE_BYTES_MAX + 1) });
    response.write(CHUNK);
  } else if (path === '/huge') {
    streamForever(response);
  } else {
    response.writeHead(500).end('no such route');
  }
}

/** Writes 64 KiB chunks as fast as the client reads them, until it goes away (or 4× the cap, a bug). */
function streamForever(response: ServerResponse): void {
  response.writeHead(200, { 'content-type': 'application/octet-stream' });
  const pump = (): void => {
    while (!response.destroyed && hugeBytesWritten < 4 * HTTP_RESPONSE_BYTES_MAX) {
      hugeBytesWritten += CHUNK.byteLength;
      if (!response.write(CHUNK)) {
        response.once('drain', pump);
        return;
      }
    }
    response.end();
  };
  pump();
}

before(async () => {
  main = await listen(route);
  other = await listen(route);
});

after(() => {
  for (const { server } of [main, other]) {
    server.closeAllConnections();
    server.close();
  }
});

function params(url: string, extra: Partial<{ method: string; headers: Record<string, string>; body_ref: Hash | null }> = {}): CborObject {
  return { method: extra.method ?? 'GET', url, headers: extra.headers ?? {}, body_ref: extra.body_ref ?? null };
}

async function run(adapter: HttpAdapter, requestParams: CborObject, blobs = new MemoryBlobs(), signal?: AbortSignal): Promise<{ outcome: AdapterOutcome; receipt: CborObject; blobs: MemoryBlobs }> {
  const outcome = await adapter.execute(testIntent(HTTP_REQUEST_EFFECT, requestParams), testContext(blobs, signal));
  return { outcome, receipt: checkedPayload(outcome, RECEIPT), blobs };
}

function headersOf(receipt: CborObject): CborObject {
  const headers = receipt['headers'];
  assert.ok(headers !== undefined && isCborObject(headers), 'text-keyed headers are an object');
  return headers;
}

function bodyText(receipt: CborObject, blobs: MemoryBlobs): string {
  const ref = receipt['body_ref'];
  assert.ok(isHash(ref), 'the receipt has a body_ref');
  return new TextDecoder().decode(blobs.get(ref));
}

/** Asserts an error or timeout receipt: status 0, the code header, a message, no body. */
function assertFailure(outcome: AdapterOutcome, receipt: CborObject, status: 'error' | 'timeout', code: string, message: RegExp): void {
  assert.equal(outcome.status, status);
  assert.equal(receipt['status'], 0);
  assert.equal(receipt['body_ref'], null);
  assert.equal(headersOf(receipt)[HTTP_ERROR_HEADER], code);
  assert.match(String(headersOf(receipt)[HTTP_ERROR_MESSAGE_HEADER]), message);
}

test('GET: status ok, lowercase headers without hop-by-hop ones, the body in the CAS, timings and adapter_id', async () => {
  const { outcome, receipt, blobs } = await run(new HttpAdapter(), params(`${main.base}/hello`));
  assert.equal(outcome.status, 'ok');
  assert.equal(receipt['status'], 200);
  assert.equal(receipt['adapter_id'], 'http.default');
  const headers = headersOf(receipt);
  assert.equal(headers['x-custom'], 'yes');
  assert.equal(headers['content-type'], 'text/plain');
  for (const hop of ['connection', 'keep-alive', 'x-per-hop', 'transfer-encoding']) assert.equal(headers[hop], undefined, hop);
  assert.equal(bodyText(receipt, blobs), 'hello');
  const timings = receipt['timings'] as { start_ns: number | bigint; end_ns: number | bigint };
  assert.ok(BigInt(timings.end_ns) > BigInt(timings.start_ns));
});

test('POST: the body comes from the CAS by body_ref, headers and the idempotency key reach the server', async () => {
  const blobs = new MemoryBlobs();
  const bodyRef = blobs.put(new TextEncoder().encode('{"n":1}'));
  const requestParams = params(`${main.base}/echo`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Trace': 't-1', Connection: 'close', Host: 'evil.example' }, body_ref: bodyRef });
  const { outcome, receipt } = await run(new HttpAdapter(), requestParams, blobs);
  assert.equal(outcome.status, 'ok');
  assert.equal(receipt['status'], 201);
  const echoed = JSON.parse(bodyText(receipt, blobs)) as { method: string; headers: Record<string, string>; body: string };
  assert.equal(echoed.method, 'POST');
  assert.equal(echoed.body, '{"n":1}');
  assert.equal(echoed.headers['content-type'], 'application/json');
  assert.equal(echoed.headers['x-trace'], 't-1');
  assert.equal(echoed.headers['idempotency-key'], toHex(TEST_IDEMPOTENCY_KEY));
  assert.equal(echoed.headers['accept-encoding'], 'identity');
  assert.equal(echoed.headers['host'], new URL(main.base).host, 'a host header from params is not sent');
});

test('an idempotency-key header in params wins over the intent\'s key', async () => {
  const blobs = new MemoryBlobs();
  const { receipt } = await run(new HttpAdapter(), params(`${main.base}/echo`, { headers: { 'Idempotency-Key': 'order-42' } }), blobs);
  const echoed = JSON.parse(bodyText(receipt, blobs)) as { headers: Record<string, string> };
  assert.equal(echoed.headers['idempotency-key'], 'order-42');
});

test('a 404 is an ok outcome whose receipt carries HTTP 404 and the body', async () => {
  const { outcome, receipt, blobs } = await run(new HttpAdapter(), params(`${main.base}/missing`));
  assert.equal(outcome.status, 'ok');
  assert.equal(receipt['status'], 404);
  assert.equal(bodyText(receipt, blobs), 'not found');
});

test('empty bodies (204, HEAD) have no body_ref and store nothing', async () => {
  for (const requestParams of [params(`${main.base}/empty`), params(`${main.base}/hello`, { method: 'HEAD' })]) {
    const { outcome, receipt, blobs } = await run(new HttpAdapter(), requestParams);
    assert.equal(outcome.status, 'ok');
    assert.equal(receipt['body_ref'], null);
    assert.equal(blobs.objects.size, 0);
  }
});

test('set-cookie values stay apart (joined by a newline); a gzip body fetch decoded drops content-encoding and content-length', async () => {
  const cookies = await run(new HttpAdapter(), params(`${main.base}/cookies`));
  assert.equal(headersOf(cookies.receipt)['set-cookie'], 'a=1; Expires=Wed, 21 Oct 2015 07:28:00 GMT\nb=2');
  const gzip = await run(new HttpAdapter(), params(`${main.base}/gzip`, { headers: { 'accept-encoding': 'gzip' } }));
  assert.equal(bodyText(gzip.receipt, gzip.blobs), 'squeezed '.repeat(100));
  assert.equal(headersOf(gzip.receipt)['content-encoding'], undefined);
  assert.equal(headersOf(gzip.receipt)['content-length'], undefined);
});

test('redirects are not followed by default: the 3xx is the answer', async () => {
  const { outcome, receipt, blobs } = await run(new HttpAdapter(), params(`${main.base}/redirect/1`));
  assert.equal(outcome.status, 'ok');
  assert.equal(receipt['status'], 302);
  assert.equal(headersOf(receipt)['location'], '/redirect/0');
  assert.equal(bodyText(receipt, blobs), 'moving');
});

test('with redirects enabled, up to the hop limit is followed and one more is an error', async () => {
  const adapter = new HttpAdapter({ redirectHopsMax: 2 });
  const followed = await run(adapter, params(`${main.base}/redirect/2`));
  assert.equal(followed.outcome.status, 'ok');
  assert.equal(followed.receipt['status'], 200);
  assert.equal(bodyText(followed.receipt, followed.blobs), 'landed');
  assert.equal(followed.blobs.objects.size, 1, 'only the final body is stored');
  const tooMany = await run(adapter, params(`${main.base}/redirect/3`));
  assertFailure(tooMany.outcome, tooMany.receipt, 'error', 'TOO_MANY_REDIRECTS', /more than 2 redirects/);
});

test('a followed 303 turns a POST into a GET without body; a cross-origin redirect drops authorization', async () => {
  const adapter = new HttpAdapter({ redirectHopsMax: 1 });
  const blobs = new MemoryBlobs();
  const bodyRef = blobs.put(new TextEncoder().encode('payload'));
  const seeOther = await run(adapter, params(`${main.base}/see-other`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body_ref: bodyRef }), blobs);
  const echoed = JSON.parse(bodyText(seeOther.receipt, blobs)) as { method: string; headers: Record<string, string>; body: string };
  assert.deepEqual([echoed.method, echoed.body, echoed.headers['content-type']], ['GET', '', undefined]);
  const crossBlobs = new MemoryBlobs();
  const cross = await run(adapter, params(`${main.base}/elsewhere?to=${other.base}`, { headers: { authorization: 'Bearer s3cret', 'x-keep': '1' } }), crossBlobs);
  const crossEcho = JSON.parse(bodyText(cross.receipt, crossBlobs)) as { headers: Record<string, string> };
  assert.equal(crossEcho.headers['authorization'], undefined);
  assert.equal(crossEcho.headers['x-keep'], '1');
});

test('a redirect to a non-http scheme is an error, never followed', async () => {
  const { outcome, receipt } = await run(new HttpAdapter({ redirectHopsMax: 3 }), params(`${main.base}/to-file`));
  assertFailure(outcome, receipt, 'error', 'INVALID_REDIRECT', /scheme file/);
});

test('an aborted signal while the server is silent settles as timeout', async () => {
  const controller = new AbortController();
  slowArrivals.push(() => controller.abort());
  const { outcome, receipt } = await run(new HttpAdapter(), params(`${main.base}/slow`), new MemoryBlobs(), controller.signal);
  assertFailure(outcome, receipt, 'timeout', 'TIMEOUT', /intent's deadline passed or it was cancelled/);
});

test('the adapter\'s own timeout settles as timeout; a signal aborted before the start too', async () => {
  slowArrivals.push(() => undefined);
  const own = await run(new HttpAdapter({ timeoutMs: 50 }), params(`${main.base}/slow`));
  assertFailure(own.outcome, own.receipt, 'timeout', 'TIMEOUT', /within 50 ms \(the HTTP adapter's timeout\)/);
  const early = await run(new HttpAdapter(), params(`${main.base}/hello`), new MemoryBlobs(), AbortSignal.abort());
  assertFailure(early.outcome, early.receipt, 'timeout', 'TIMEOUT', /cancelled/);
});

test('a refused connection is an error naming the system error', async () => {
  const closed = await listen(route);
  const base = closed.base;
  closed.server.close();
  await once(closed.server, 'close');
  const { outcome, receipt } = await run(new HttpAdapter(), params(`${base}/hello`));
  assertFailure(outcome, receipt, 'error', 'NETWORK_FAILED', /ECONNREFUSED/);
});

test('a body over the cap is an error: refused on its content-length, or cut off mid-stream', async () => {
  const declared = await run(new HttpAdapter(), params(`${main.base}/declared-huge`));
  assertFailure(declared.outcome, declared.receipt, 'error', 'RESPONSE_TOO_LARGE', /declaring a body over the 16777216-byte cap/);
  assert.equal(declared.blobs.objects.size, 0);
  const streamed = await run(new HttpAdapter(), params(`${main.base}/huge`));
  assertFailure(streamed.outcome, streamed.receipt, 'error', 'RESPONSE_TOO_LARGE', /the read stopped after \d+ bytes/);
  assert.equal(streamed.blobs.objects.size, 0);
  assert.ok(hugeBytesWritten < 2 * HTTP_RESPONSE_BYTES_MAX, `the server stopped early (wrote ${hugeBytesWritten} bytes)`);
});

test('requests that cannot be sent are errors before any network traffic', async () => {
  const cases: Array<[CborObject, string, RegExp]> = [
    [params('file:///etc/passwd'), 'UNSUPPORTED_SCHEME', /scheme file/],
    [params('not a url'), 'INVALID_URL', /not an absolute URL/],
    [params(`http://user:pw@127.0.0.1:1/`), 'INVALID_URL', /user name or password/],
    [params(`${main.base}/echo`, { method: 'TRACE' }), 'INVALID_METHOD', /cannot send TRACE/],
    [params(`${main.base}/echo`, { method: 'GE T' }), 'INVALID_METHOD', /not an HTTP token/],
    [params(`${main.base}/echo`, { headers: { 'x-bad': 'a\r\nb' } }), 'INVALID_HEADER', /x-bad has a line break/],
    [params(`${main.base}/echo`, { headers: { Accept: 'a', accept: 'b' } }), 'INVALID_HEADER', /accept is given twice/],
    [params(`${main.base}/echo`, { body_ref: `sha256:${'ab'.repeat(32)}` as Hash }), 'BODY_NOT_ALLOWED', /GET request cannot carry a body/],
    [params(`${main.base}/echo`, { method: 'PUT', body_ref: `sha256:${'ab'.repeat(32)}` as Hash }), 'BODY_MISSING', /could not be read from the CAS/],
  ];
  const before = main.seen.length;
  for (const [requestParams, code, message] of cases) {
    const { outcome, receipt } = await run(new HttpAdapter(), requestParams);
    assertFailure(outcome, receipt, 'error', code, message);
  }
  assert.equal(main.seen.length, before);
});

test('params that do not fit the schema settle as an error receipt, not a throw', async () => {
  const outcome = await new HttpAdapter().execute(testIntent(HTTP_REQUEST_EFFECT, { method: 'GET' }), testContext(new MemoryBlobs()));
  assertFailure(outcome, checkedPayload(outcome, RECEIPT), 'error', 'INVALID_PARAMS', /do not fit sys\/HttpRequestParams@1/);
});

test('bad options are refused when the adapter is built', () => {
  for (const options of [{ timeoutMs: 0 }, { timeoutMs: 1.5 }, { redirectHopsMax: -1 }, { redirectHopsMax: 21 }, { id: '' }]) {
    assert.throws(() => new HttpAdapter(options), (error: unknown) => error instanceof AdapterError && error.code === 'BAD_OPTION', JSON.stringify(options));
  }
});
