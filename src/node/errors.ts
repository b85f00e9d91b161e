/** Stable codes of the node layer's refusals. */
export type NodeErrorCode = 'WORLD_EXISTS' | 'NO_WORLD' | 'AIR_INVALID' | 'AIR_MISMATCH' | 'MODULE_ARTIFACT_MISSING' | 'REPLAY_FAILED' | 'BAD_INPUT' | 'READ_ONLY'
  | 'KEY_EXISTS' | 'NO_KEY' | 'BAD_KEY_NAME' | 'KEY_INSECURE' | 'KEY_CORRUPT' | 'KEY_ROLE'
  /** A receipt failed admission; its refusal is journaled as receipt_rejected. */
  | 'RECEIPT_REJECTED'
  /** No receipt settles the intent asked about (aos receipts show). */
  | 'NO_RECEIPT';

/** The one error class of the node layer: what is wrong, where, and what to do. */
export class NodeError extends Error {
  override readonly name = 'NodeError';
  constructor(readonly code: NodeErrorCode, message: string, readonly hint?: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
