// Reading an HTTP response body without ever holding more than the cap (plus one chunk).
import { assert } from '../cbor/index.ts';

/** The whole body, or how many bytes had arrived when the read stopped at the cap. */
export type BodyReading = { readonly ok: true; readonly bytes: Uint8Array } | { readonly ok: false; readonly bytesReceived: number; readonly declared: boolean };

/**
 * Reads a response body of at most `bytesMax` bytes. A body that declares a larger
 * content-length (`declaredLength`, null when unknown or when fetch decoded the body, so the
 * length no longer applies) is refused before any byte is read; any other body is read chunk
 * by chunk and the stream cancelled the moment the total passes the cap. Stream errors
 * (a reset, the abort signal) propagate to the caller.
 */
export async function readBodyBounded(response: Response, declaredLength: number | null, bytesMax: number): Promise<BodyReading> {
  assert(bytesMax >= 0, 'a body cap is not negative');
  const body = response.body;
  if (body === null) return { ok: true, bytes: new Uint8Array(0) };
  if (declaredLength !== null && declaredLength > bytesMax) {
    await body.cancel();
    return { ok: false, bytesReceived: 0, declared: true };
  }
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let bytesReceived = 0;
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    bytesReceived += chunk.value.byteLength;
    if (bytesReceived > bytesMax) {
      await reader.cancel();
      return { ok: false, bytesReceived, declared: false };
    }
    chunks.push(chunk.value);
  }
  return { ok: true, bytes: concat(chunks, bytesReceived) };
}

/** The content-length a response declares, or null when it has none or an invalid one. */
export function declaredContentLength(headers: Headers): number | null {
  const text = headers.get('content-length');
  if (text === null || !/^[0-9]{1,16}$/.test(text)) return null;
  return Number(text);
}

function concat(chunks: readonly Uint8Array[], bytesTotal: number): Uint8Array {
  const out = new Uint8Array(bytesTotal);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  assert(offset === bytesTotal, 'the chunks add up to the bytes counted');
  return out;
}
