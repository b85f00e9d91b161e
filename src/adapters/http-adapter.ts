// The sys/http.request@1 adapter: one HTTP exchange through Node's fetch, bodies in the CAS.
//
// Outcomes (payloads are always sys/HttpRequestReceipt@1 values; see http-receipt.ts):
// - ok: a response arrived and its body was read in full, whatever its HTTP status (a 404 or
//   a 503 is the server's answer, carried in the receipt's status; the workflow decides). A
//   3xx is returned as it is unless the adapter was built to follow redirects.
// - timeout: the executor's signal or the adapter's own timeout fired before the body was
//   complete (connecting, waiting, or reading).
// - error: the request could not be sent (bad URL, scheme, method, header, missing body blob),
//   the network failed (DNS, connection refused or reset, TLS, a response cut off or whose
//   content-encoding lied), the body passed the size cap,
//   or redirects went wrong. Status 0 with an x-aos-error code and message.
// The response body goes to the CAS and body_ref names it; an empty body has no body_ref
// (as upstream), so the CAS never fills with empty blobs and "no body" reads the same for
// 204, HEAD and an empty 200. CAS write failures are not receipts: they propagate, and the
// executor retries the intent (at-least-once) instead of settling it on a local disk fault.
import { InvariantError, assert } from '../cbor/index.ts';
import type { Hash } from '../cbor/index.ts';
import type { Adapter, AdapterContext, AdapterIntent, AdapterOutcome } from './adapter.ts';
import { AdapterError } from './errors.ts';
import { declaredContentLength, readBodyBounded } from './http-body.ts';
import type { BodyReading } from './http-body.ts';
import { HttpDeadline } from './http-deadline.ts';
import { fetchDecodedBody, receiptHeaders } from './http-headers.ts';
import { httpErrorOutcome, httpTimeoutOutcome, responsePayload } from './http-receipt.ts';
import type { HttpTimings } from './http-receipt.ts';
import { planRequest, redirectRequest, REDIRECT_STATUSES } from './http-request.ts';
import type { HttpRequestPlan, RequestPlanning } from './http-request.ts';
import { HTTP_REDIRECT_HOPS_MAX, HTTP_RESPONSE_BYTES_MAX, HTTP_TIMEOUT_MS_DEFAULT } from './limits.ts';
import { readParams } from './typed-params.ts';
import { networkFailure } from './network-failure.ts';

/** The effect this adapter executes. */
export const HTTP_REQUEST_EFFECT = 'sys/http.request@1';
/** The adapter_id of an HTTP adapter built without one (upstream's default route name). */
export const HTTP_ADAPTER_ID_DEFAULT = 'http.default';
/** setTimeout's largest delay (2^31 - 1 ms); a larger one would fire at once. */
const TIMER_DELAY_MS_MAX = 2_147_483_647;

/** How an HTTP adapter is built. */
export interface HttpAdapterOptions {
  /** The adapter_id its receipts carry; default HTTP_ADAPTER_ID_DEFAULT. */
  readonly id?: string;
  /** Per-request deadline in ms (the executor's signal applies too); default HTTP_TIMEOUT_MS_DEFAULT. */
  readonly timeoutMs?: number;
  /**
   * Redirects to follow, at most HTTP_REDIRECT_HOPS_MAX; default 0: a 3xx is the answer.
   * The kernel's enforcer checked only the intent's URL, so a followed redirect may reach a
   * host the grant does not list: enable this only where every reachable host is acceptable.
   */
  readonly redirectHopsMax?: number;
}

/** A response fetched (after any redirects), with its body read; or why there is none. */
type Exchange =
  | { readonly ok: true; readonly status: number; readonly headers: Headers; readonly decoded: boolean; readonly body: BodyReading; readonly origin: string }
  | Extract<RequestPlanning, { ok: false }>;

/** Executes sys/http.request@1 with fetch: redirects off by default, bounded time and memory. */
export class HttpAdapter implements Adapter {
  readonly id: string;
  readonly kinds: readonly string[] = [HTTP_REQUEST_EFFECT];
  private readonly timeoutMs: number;
  private readonly redirectHopsMax: number;

  constructor(options: HttpAdapterOptions = {}) {
    this.id = options.id ?? HTTP_ADAPTER_ID_DEFAULT;
    this.timeoutMs = options.timeoutMs ?? HTTP_TIMEOUT_MS_DEFAULT;
    this.redirectHopsMax = options.redirectHopsMax ?? 0;
    if (this.id === '') throw new AdapterError('BAD_OPTION', 'an HTTP adapter needs a non-empty id (the adapter_id of its receipts)');
    if (!Number.isSafeInteger(this.timeoutMs) || this.timeoutMs <= 0 || this.timeoutMs > TIMER_DELAY_MS_MAX) {
      throw new AdapterError('BAD_OPTION', `timeoutMs is ${this.timeoutMs}; give a whole number of milliseconds from 1 to ${TIMER_DELAY_MS_MAX}`);
    }
    if (!Number.isSafeInteger(this.redirectHopsMax) || this.redirectHopsMax < 0 || this.redirectHopsMax > HTTP_REDIRECT_HOPS_MAX) {
      throw new AdapterError('BAD_OPTION', `redirectHopsMax is ${this.redirectHopsMax}; give a whole number from 0 (redirects off) to ${HTTP_REDIRECT_HOPS_MAX}`);
    }
  }

  async execute(intent: AdapterIntent, context: AdapterContext): Promise<AdapterOutcome> {
    assert(intent.effect_kind === HTTP_REQUEST_EFFECT, `the executor routes only ${HTTP_REQUEST_EFFECT} to the HTTP adapter, not ${intent.effect_kind}`);
    const startNs = context.now();
    const timings = (): HttpTimings => ({ start_ns: startNs, end_ns: context.now() });
    const reading = readParams(intent, 'sys/HttpRequestParams@1');
    if (!reading.ok) return httpErrorOutcome(this.id, 'INVALID_PARAMS', reading.message, timings());
    const plan = planRequest(reading.params, intent.idempotency_key, context.blobs);
    if (!plan.ok) return httpErrorOutcome(this.id, plan.code, plan.message, timings());
    const deadline = new HttpDeadline(context.signal, this.timeoutMs);
    let exchange: Exchange;
    try {
      exchange = await this.exchange(plan.request, deadline.signal);
    } catch (error) {
      if (error instanceof InvariantError) throw error;
      if (deadline.signal.aborted) return httpTimeoutOutcome(this.id, deadline.describe(), timings());
      return httpErrorOutcome(this.id, 'NETWORK_FAILED', `the request to ${plan.request.url.origin} failed: ${networkFailure(error)}`, timings());
    } finally {
      deadline.release();
    }
    if (!exchange.ok) return httpErrorOutcome(this.id, exchange.code, exchange.message, timings());
    if (!exchange.body.ok) return httpErrorOutcome(this.id, 'RESPONSE_TOO_LARGE', tooLargeMessage(exchange.origin, exchange.status, exchange.body), timings());
    const bodyRef: Hash | null = exchange.body.bytes.byteLength === 0 ? null : context.blobs.put(exchange.body.bytes);
    const payload = responsePayload(this.id, exchange.status, receiptHeaders(exchange.headers, exchange.decoded), bodyRef, timings());
    return { status: 'ok', payload };
  }

  /** Sends the request, follows redirects when enabled, and reads the final body (bounded). */
  private async exchange(first: HttpRequestPlan, signal: AbortSignal): Promise<Exchange> {
    let request = first;
    for (let hops = 0; hops <= this.redirectHopsMax; hops++) {
      const response = await fetch(request.url, {
        method: request.method, headers: request.headers.map(([name, value]) => [name, value]), body: request.body, redirect: 'manual', signal,
      });
      const location = response.headers.get('location');
      if (this.redirectHopsMax === 0 || !REDIRECT_STATUSES.has(response.status) || location === null) {
        const decoded = fetchDecodedBody(request.method, response.status, response.headers.get('content-encoding'));
        const body = await readBodyBounded(response, decoded ? null : declaredContentLength(response.headers), HTTP_RESPONSE_BYTES_MAX);
        return { ok: true, status: response.status, headers: response.headers, decoded, body, origin: request.url.origin };
      }
      await response.body?.cancel();
      if (hops === this.redirectHopsMax) break;
      const next = redirectRequest(request, response.status, location);
      if (!next.ok) return next;
      request = next.request;
    }
    return { ok: false, code: 'TOO_MANY_REDIRECTS', message: `more than ${this.redirectHopsMax} redirects starting at ${first.url.origin}; the adapter follows at most ${this.redirectHopsMax}` };
  }
}

function tooLargeMessage(origin: string, status: number, body: Extract<BodyReading, { ok: false }>): string {
  const cap = `the ${HTTP_RESPONSE_BYTES_MAX}-byte cap (HTTP_RESPONSE_BYTES_MAX)`;
  if (body.declared) return `${origin} answered ${status} declaring a body over ${cap}; nothing was read`;
  return `${origin} answered ${status} with a body over ${cap}; the read stopped after ${body.bytesReceived} bytes`;
}
