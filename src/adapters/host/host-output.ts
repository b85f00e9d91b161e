// Outputs of host effects as receipts carry them (sys/HostOutput@1, sys/HostTextOutput@1):
// inline up to HOST_INLINE_OUTPUT_BYTES_MAX, else stored in the CAS with a short preview, so a
// receipt (journaled, delivered to the workflow) never carries megabytes.
//
// output_mode (from the params): "auto" or absent = inline when small, blob when large;
// "blob" = always a blob; "inline" = inline, and an output too large for that is an error.
import type { CborObject } from '../../cbor/index.ts';
import type { AdapterBlobs } from '../adapter.ts';
import { AdapterError } from '../errors.ts';
import { HOST_INLINE_OUTPUT_BYTES_MAX, HOST_OUTPUT_PREVIEW_BYTES } from '../limits.ts';

/** The output modes the host effects accept. */
export const OUTPUT_MODES: readonly string[] = ['auto', 'inline', 'blob'];

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Checks an output_mode param; null reads as "auto". */
export function outputMode(mode: string | null): string {
  const chosen = mode ?? 'auto';
  if (!OUTPUT_MODES.includes(chosen)) {
    throw new AdapterError('HOST_INVALID_PARAMS', `output_mode ${JSON.stringify(chosen)} is not one of ${OUTPUT_MODES.join(', ')}`);
  }
  return chosen;
}

function blobOutput(bytes: Uint8Array, blobs: AdapterBlobs): CborObject {
  return { $tag: 'blob', $value: { blob_ref: blobs.put(bytes), size_bytes: bytes.byteLength, preview_bytes: bytes.slice(0, HOST_OUTPUT_PREVIEW_BYTES) } };
}

function mustInline(size: number, what: string): void {
  if (size > HOST_INLINE_OUTPUT_BYTES_MAX) {
    throw new AdapterError('HOST_TOO_LARGE', `${what} has ${size} bytes, over the ${HOST_INLINE_OUTPUT_BYTES_MAX}-byte inline cap; ask for output_mode "auto" or "blob"`);
  }
}

/** A sys/HostOutput@1: inline text when the bytes are UTF-8 (and text is wanted), inline bytes otherwise, or a blob. */
export function hostOutput(bytes: Uint8Array, mode: string, blobs: AdapterBlobs, what: string, asText = true): CborObject {
  if (mode === 'blob' || (mode === 'auto' && bytes.byteLength > HOST_INLINE_OUTPUT_BYTES_MAX)) return blobOutput(bytes, blobs);
  mustInline(bytes.byteLength, what);
  if (!asText) return { $tag: 'inline_bytes', $value: { bytes } };
  try {
    return { $tag: 'inline_text', $value: { text: strictUtf8.decode(bytes) } };
  } catch (error) {
    if (!(error instanceof TypeError)) throw error; // the decoder's only failure: not UTF-8
    return { $tag: 'inline_bytes', $value: { bytes } };
  }
}

/** A sys/HostTextOutput@1: inline text, or a blob when large. */
export function hostTextOutput(text: string, mode: string, blobs: AdapterBlobs, what: string): CborObject {
  const bytes = new TextEncoder().encode(text);
  if (mode === 'blob' || (mode === 'auto' && bytes.byteLength > HOST_INLINE_OUTPUT_BYTES_MAX)) return blobOutput(bytes, blobs);
  mustInline(bytes.byteLength, what);
  return { $tag: 'inline_text', $value: { text } };
}
