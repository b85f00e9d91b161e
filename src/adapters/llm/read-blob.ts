// Fetching the blobs an llm.generate intent names (messages, tools, options, format) from the CAS.
import { InvariantError } from '../../cbor/index.ts';
import type { Hash } from '../../cbor/index.ts';
import type { AdapterBlobs } from '../adapter.ts';
import { llmFailure } from './llm-reply.ts';
import type { LlmFailure } from './llm-reply.ts';

/** A value read from the intent's inputs, or the failure that settles the intent. */
export type Reading<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly failure: LlmFailure };

/** The bytes of a blob the params name; a missing or corrupt blob is a BLOB_MISSING failure. */
export function fetchBlob(blobs: AdapterBlobs, ref: Hash, what: string): Reading<Uint8Array> {
  try {
    return { ok: true, value: blobs.get(ref) };
  } catch (error) {
    if (error instanceof InvariantError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, failure: llmFailure('BLOB_MISSING', `the ${what} blob ${ref} could not be read: ${reason}; put it in the CAS before emitting the intent`) };
  }
}

/** A failed reading of another type, passed on. */
export function failed<T>(failure: LlmFailure): Reading<T> {
  return { ok: false, failure };
}
