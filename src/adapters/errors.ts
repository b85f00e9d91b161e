/** Stable codes of the adapter layer's refusals (an adapter's failures at execution are error receipts, not these). */
export type AdapterErrorCode = 'BAD_OPTION';

/** The one error class of the adapter layer: a misconfigured adapter, refused when it is built. */
export class AdapterError extends Error {
  override readonly name = 'AdapterError';
  constructor(readonly code: AdapterErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
