// The fetch the SDKs are built with: it reads each response body in full (bounded), keeps the
// exact bytes for the receipt's raw_output_ref, and hands the SDK an identical response.
// Reading the body before the SDK sees it costs nothing here: the adapter answers only once
// the reply is complete (receipts are terminal), streamed replies included.
import { assert } from '../../cbor/index.ts';
import { readBodyBounded } from '../http-body.ts';
import { LLM_RESPONSE_BYTES_MAX } from './limits.ts';

/** One HTTP response as it arrived: status, headers, and the body bytes after content decoding. */
export interface RawExchange {
  readonly status: number;
  readonly headers: Headers;
  readonly bytes: Uint8Array;
}

/** Statuses whose responses cannot carry a body (the Response constructor refuses one). */
const NULL_BODY_STATUSES: ReadonlySet<number> = new Set([101, 103, 204, 205, 304]);

/**
 * Thrown into the SDK when a body passes the cap; the SDK wraps it as a connection error, and
 * the adapter reads `overflow` instead, so this never reaches anyone.
 */
class ResponseBodyOverflow extends Error {
  override readonly name = 'ResponseBodyOverflow';
}

/** A fetch that records the one response of an execution (the SDKs' retries are off). */
export class RecordingFetch {
  /** The response, once its body was read in full. */
  raw: RawExchange | null = null;
  /** Set when a body passed LLM_RESPONSE_BYTES_MAX: the status and how many bytes had arrived. */
  overflow: { readonly status: number; readonly bytesReceived: number } | null = null;

  readonly fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    assert(this.raw === null && this.overflow === null, 'one request per execution: the SDKs are built with maxRetries 0');
    const response = await fetch(input, init);
    const body = await readBodyBounded(response, null, LLM_RESPONSE_BYTES_MAX);
    if (!body.ok) {
      this.overflow = { status: response.status, bytesReceived: body.bytesReceived };
      throw new ResponseBodyOverflow(`the response body passed ${LLM_RESPONSE_BYTES_MAX} bytes`);
    }
    this.raw = { status: response.status, headers: response.headers, bytes: body.bytes };
    const replayed = NULL_BODY_STATUSES.has(response.status) || body.bytes.byteLength === 0 ? null : body.bytes;
    return new Response(replayed, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}
