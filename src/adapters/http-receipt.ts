// The payloads of sys/HttpRequestReceipt@1 the HTTP adapter produces, for every outcome.
//
// The receipt schema has no field for a failure, and the executor canonicalises every payload
// against it whatever the status, so an `error` or `timeout` receipt is a value of the same
// schema: HTTP status 0 (no response: 0 is never a real status code, so it cannot be confused
// with a server's 5xx, nor with the 598/599 that some proxies send), no body_ref, and two
// headers that no server can have sent, because a receipt with status 0 has no server headers:
//   x-aos-error          a stable UPPER_SNAKE code (HttpErrorCode below)
//   x-aos-error-message  one sentence for people: what failed and what to do
// Upstream writes 599 (error) or 598 (timeout) with the message in a body blob instead.
import type { CborObject } from '../cbor/index.ts';
import type { Hash } from '../cbor/index.ts';
import type { AdapterOutcome } from './adapter.ts';

/** Header that carries the error code of an `error` or `timeout` receipt. */
export const HTTP_ERROR_HEADER = 'x-aos-error';
/** Header that carries the message of an `error` or `timeout` receipt. */
export const HTTP_ERROR_MESSAGE_HEADER = 'x-aos-error-message';
/** The HTTP status of a receipt for a request that got no (usable) response. */
export const HTTP_STATUS_NO_RESPONSE = 0;

/** Why an HTTP intent settled without a response; the x-aos-error header of its receipt. */
export type HttpErrorCode =
  | 'INVALID_PARAMS'       // the params do not fit sys/HttpRequestParams@1 (a kernel bug)
  | 'INVALID_URL'          // unparseable, or carries user:password
  | 'UNSUPPORTED_SCHEME'   // not http: or https:
  | 'INVALID_METHOD'       // not an HTTP token, or CONNECT/TRACE/TRACK
  | 'INVALID_HEADER'       // a bad name or value, or a name given twice
  | 'BODY_NOT_ALLOWED'     // a body_ref on GET or HEAD
  | 'BODY_MISSING'         // body_ref names no blob in the CAS
  | 'NETWORK_FAILED'       // DNS, refused, reset, TLS, a response cut off or not decodable
  | 'RESPONSE_TOO_LARGE'   // the body passed the response size cap
  | 'TOO_MANY_REDIRECTS'   // more redirects than the adapter follows
  | 'INVALID_REDIRECT'     // a Location that is not an http(s) URL
  | 'TIMEOUT';             // the deadline passed (status timeout)

/** Wall-clock nanoseconds when the adapter began and finished the request. */
export interface HttpTimings {
  readonly start_ns: bigint;
  readonly end_ns: bigint;
}

/** The payload of a request that got a response (any HTTP status, 4xx and 5xx included). */
export function responsePayload(adapterId: string, status: number, headers: CborObject, bodyRef: Hash | null, timings: HttpTimings): CborObject {
  return { status, headers, body_ref: bodyRef, timings: { ...timings }, adapter_id: adapterId };
}

/** An `error` outcome: status 0 and the x-aos-error headers. */
export function httpErrorOutcome(adapterId: string, code: Exclude<HttpErrorCode, 'TIMEOUT'>, message: string, timings: HttpTimings): AdapterOutcome {
  return { status: 'error', payload: failurePayload(adapterId, code, message, timings) };
}

/** A `timeout` outcome: the deadline (the executor's signal or the adapter's own) passed first. */
export function httpTimeoutOutcome(adapterId: string, message: string, timings: HttpTimings): AdapterOutcome {
  return { status: 'timeout', payload: failurePayload(adapterId, 'TIMEOUT', message, timings) };
}

function failurePayload(adapterId: string, code: HttpErrorCode, message: string, timings: HttpTimings): CborObject {
  const headers = { [HTTP_ERROR_HEADER]: code, [HTTP_ERROR_MESSAGE_HEADER]: message };
  return responsePayload(adapterId, HTTP_STATUS_NO_RESPONSE, headers, null, timings);
}
