// From checked sys/HttpRequestParams@1 to the request fetch sends, and from a redirect to the next one.
import { assert, InvariantError, isCborObject, isHash } from '../cbor/index.ts';
import type { CborObject } from '../cbor/index.ts';
import type { AdapterBlobs } from './adapter.ts';
import { isToken, requestHeaders } from './http-headers.ts';
import type { HttpErrorCode } from './http-receipt.ts';
import { textField } from './typed-params.ts';

/** One request as fetch will send it. */
export interface HttpRequestPlan {
  readonly method: string;
  readonly url: URL;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: Uint8Array | null;
}

/** A request to send, or the error code and message of why not. */
export type RequestPlanning =
  | { readonly ok: true; readonly request: HttpRequestPlan }
  | { readonly ok: false; readonly code: Exclude<HttpErrorCode, 'TIMEOUT'>; readonly message: string };

/** Methods fetch refuses to send (the Fetch standard's forbidden methods). */
const FORBIDDEN_METHODS: ReadonlySet<string> = new Set(['CONNECT', 'TRACE', 'TRACK']);
/** Redirect statuses the adapter can follow: 301, 302 and 303 may turn into GET; 307 and 308 never change the method. */
export const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);
/** Headers that travel only to the origin they were meant for (dropped on a cross-origin redirect). */
const CREDENTIAL_HEADERS: ReadonlySet<string> = new Set(['authorization', 'cookie']);
/** Headers that describe the request body (dropped when a redirect drops the body). */
const BODY_HEADERS: ReadonlySet<string> = new Set(['content-encoding', 'content-language', 'content-location', 'content-type']);

/**
 * Checks the params and builds the request: an absolute http(s) URL without credentials in
 * it, a token method fetch may send, sendable headers, and the body blob when body_ref names
 * one. Enforcement (hosts, ports, methods a grant allows) happened in the kernel; the scheme
 * is checked again here because anything but http(s) would make fetch read files or data.
 */
export function planRequest(params: CborObject, idempotencyKey: Uint8Array, blobs: AdapterBlobs): RequestPlanning {
  const url = parseHttpUrl(textField(params, 'url'), 'the request URL');
  if (!url.ok) return url;
  const method = textField(params, 'method');
  if (!isToken(method)) return { ok: false, code: 'INVALID_METHOD', message: `the method ${JSON.stringify(method)} is not an HTTP token` };
  if (FORBIDDEN_METHODS.has(method.toUpperCase())) return { ok: false, code: 'INVALID_METHOD', message: `fetch cannot send ${method} requests` };
  const headers = params['headers'];
  assert(headers !== undefined && isCborObject(headers), 'checked text-keyed headers are an object');
  const headerReading = requestHeaders(headers, idempotencyKey);
  if (!headerReading.ok) return { ok: false, code: 'INVALID_HEADER', message: headerReading.message };
  const bodyRef = params['body_ref'] ?? null;
  if (bodyRef === null) return { ok: true, request: { method, url: url.url, headers: headerReading.headers, body: null } };
  assert(isHash(bodyRef), 'a checked body_ref is a hash');
  if (['GET', 'HEAD'].includes(method.toUpperCase())) {
    return { ok: false, code: 'BODY_NOT_ALLOWED', message: `a ${method} request cannot carry a body; drop body_ref or use POST or PUT` };
  }
  try {
    return { ok: true, request: { method, url: url.url, headers: headerReading.headers, body: blobs.get(bodyRef) } };
  } catch (error) {
    if (error instanceof InvariantError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, code: 'BODY_MISSING', message: `the request body ${bodyRef} could not be read from the CAS (${reason}); put it with blob.put first` };
  }
}

/**
 * The request a redirect leads to: the Location resolved against the current URL (it must be
 * http(s)); 303, and 301/302 after a POST, turn into a GET without body, as in the Fetch
 * standard; authorization and cookie headers are dropped when the origin changes.
 */
export function redirectRequest(previous: HttpRequestPlan, status: number, location: string): RequestPlanning {
  assert(REDIRECT_STATUSES.has(status), 'only redirect statuses are followed');
  let target: URL;
  try {
    target = new URL(location, previous.url);
  } catch {
    return { ok: false, code: 'INVALID_REDIRECT', message: `${previous.url.origin} redirected (${status}) to a Location that is not a URL` };
  }
  const checked = parseHttpUrl(target.href, `the redirect from ${previous.url.origin}`);
  if (!checked.ok) return { ok: false, code: 'INVALID_REDIRECT', message: checked.message };
  const method = previous.method.toUpperCase();
  const toGet = (status === 303 && method !== 'HEAD') || ((status === 301 || status === 302) && method === 'POST');
  const crossOrigin = checked.url.origin !== previous.url.origin;
  const headers = previous.headers.filter(([name]) => !(crossOrigin && CREDENTIAL_HEADERS.has(name)) && !(toGet && BODY_HEADERS.has(name)));
  return { ok: true, request: { method: toGet ? 'GET' : previous.method, url: checked.url, headers, body: toGet ? null : previous.body } };
}

type UrlParsing = { readonly ok: true; readonly url: URL } | { readonly ok: false; readonly code: 'INVALID_URL' | 'UNSUPPORTED_SCHEME'; readonly message: string };

/** An absolute http: or https: URL without user:password (messages never echo the URL: it may carry tokens). */
function parseHttpUrl(text: string, what: string): UrlParsing {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, code: 'INVALID_URL', message: `${what} is not an absolute URL` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, code: 'UNSUPPORTED_SCHEME', message: `${what} has the scheme ${url.protocol.slice(0, -1)}; the HTTP adapter sends only http and https` };
  }
  if (url.username !== '' || url.password !== '') {
    return { ok: false, code: 'INVALID_URL', message: `${what} carries a user name or password; send credentials in an authorization header` };
  }
  return { ok: true, url };
}
