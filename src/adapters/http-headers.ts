// Header handling of the HTTP adapter: what it sends, and what a receipt records.
import { assert, toHex } from '../cbor/index.ts';
import type { CborObject } from '../cbor/index.ts';

/**
 * Hop-by-hop headers (RFC 9110 §7.6.1, plus the legacy keep-alive and proxy-connection):
 * they describe one connection, not the message, so they are neither sent from params nor
 * recorded in receipts. Names a `connection` header lists are hop-by-hop too.
 */
const HOP_BY_HOP_HEADERS: ReadonlySet<string> = new Set([
  'connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade',
]);
/**
 * Request headers fetch derives itself: `host` from the URL (a param could otherwise aim a
 * request at another virtual host than the one the grant's enforcer checked) and
 * `content-length` from the body. Dropped from params like hop-by-hop headers.
 */
const TRANSPORT_HEADERS: ReadonlySet<string> = new Set(['content-length', 'host']);
/** The content-codings fetch (undici) decodes by itself; see fetchDecodedBody. */
const FETCH_DECODED_CODINGS: ReadonlySet<string> = new Set(['br', 'deflate', 'gzip', 'x-gzip']);
/** Statuses whose responses have no body (fetch's null body statuses). */
const NULL_BODY_STATUSES: ReadonlySet<number> = new Set([101, 204, 205, 304]);
/** An HTTP token (RFC 9110 §5.6.2): header names and methods. */
const TOKEN_PATTERN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** A header value fetch accepts: Latin-1 text without CR, LF or NUL. */
const HEADER_VALUE_PATTERN = /^[^\r\n\0\u0100-\uffff]*$/;

/** The header that carries an intent's idempotency key to the server. */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';

/** Headers to send, lowercase and unique; or why the params' headers cannot be sent. */
export type RequestHeaderReading = { readonly ok: true; readonly headers: ReadonlyArray<readonly [string, string]> } | { readonly ok: false; readonly message: string };

/** True for an HTTP token (a method or header name). */
export function isToken(text: string): boolean {
  return TOKEN_PATTERN.test(text);
}

/**
 * The request headers: names lowercased, hop-by-hop and transport headers dropped. Adds
 * `idempotency-key` (the intent's key in lowercase hex: stable across at-least-once retries)
 * and `accept-encoding: identity` (so the body a receipt records is the one the server sent)
 * unless the params set them. Values never appear in messages: they may hold credentials.
 */
export function requestHeaders(headers: CborObject, idempotencyKey: Uint8Array): RequestHeaderReading {
  const out = new Map<string, string>();
  for (const [name, value] of Object.entries(headers)) {
    if (!isToken(name)) return { ok: false, message: `the request header name ${JSON.stringify(name)} is not an HTTP token (RFC 9110 §5.6.2)` };
    assert(typeof value === 'string', 'checked HttpRequestParams headers map text to text');
    if (!HEADER_VALUE_PATTERN.test(value)) {
      return { ok: false, message: `the value of request header ${name} has a line break, a NUL or a character beyond Latin-1, which HTTP cannot carry` };
    }
    const lower = name.toLowerCase();
    if (out.has(lower)) return { ok: false, message: `the request header ${lower} is given twice (header names are case-insensitive); join the values with ", "` };
    out.set(lower, value);
  }
  const connectionListed = listedNames(out.get('connection'));
  for (const name of [...out.keys()]) {
    if (HOP_BY_HOP_HEADERS.has(name) || TRANSPORT_HEADERS.has(name) || connectionListed.has(name)) out.delete(name);
  }
  if (!out.has(IDEMPOTENCY_KEY_HEADER)) out.set(IDEMPOTENCY_KEY_HEADER, toHex(idempotencyKey));
  if (!out.has('accept-encoding')) out.set('accept-encoding', 'identity');
  return { ok: true, headers: [...out] };
}

/**
 * True when fetch decoded the body it hands us (so the bytes are not those the headers
 * describe). Mirrors undici 6 (Node 20): it decodes when the method is not HEAD, the status
 * can carry a body, and every listed coding is one it knows; one unknown coding and it
 * decodes nothing.
 */
export function fetchDecodedBody(method: string, status: number, contentEncoding: string | null): boolean {
  if (contentEncoding === null || method.toUpperCase() === 'HEAD' || NULL_BODY_STATUSES.has(status)) return false;
  const codings = contentEncoding.toLowerCase().split(',').map((coding) => coding.trim());
  return codings.every((coding) => FETCH_DECODED_CODINGS.has(coding));
}

/**
 * The response headers as a receipt records them: names lowercase (fetch lowercases them),
 * hop-by-hop headers dropped, repeated headers joined with ", " by fetch, except set-cookie,
 * whose values may contain commas (Expires) and are joined with "\n" (no header value can
 * contain one). When fetch decoded the body, content-encoding and content-length describe
 * bytes the receipt does not hold and are dropped.
 */
export function receiptHeaders(headers: Headers, bodyDecoded: boolean): CborObject {
  const connectionListed = listedNames(headers.get('connection') ?? undefined);
  const entries: Array<readonly [string, string]> = [];
  for (const [name, value] of headers) {
    if (HOP_BY_HOP_HEADERS.has(name) || connectionListed.has(name) || name === 'set-cookie') continue;
    if (bodyDecoded && (name === 'content-encoding' || name === 'content-length')) continue;
    entries.push([name, value]);
  }
  const cookies = headers.getSetCookie();
  if (cookies.length > 0) entries.push(['set-cookie', cookies.join('\n')]);
  // fromEntries defines own properties, so a header named __proto__ stays an ordinary key.
  return Object.fromEntries(entries);
}

/** The lowercase header names a `connection` header lists. */
function listedNames(connection: string | undefined): ReadonlySet<string> {
  if (connection === undefined) return new Set();
  return new Set(connection.split(',').map((name) => name.trim().toLowerCase()).filter((name) => name !== ''));
}
