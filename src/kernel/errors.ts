/** Stable codes of the kernel's refusals. */
export type KernelErrorCode =
  | 'UNKNOWN_SCHEMA'
  | 'INVALID_EVENT'
  | 'NO_ROUTE'
  | 'UNKNOWN_WORKFLOW'
  | 'UNKNOWN_INTENT'
  /** A receipt for an intent settled recently (at-least-once executors send these): fenced, not journaled. */
  | 'DUPLICATE_RECEIPT'
  | 'BAD_STAMP'
  | 'MODULE_MISSING'
  /** A manifest whose grants, bindings or policy do not fit its defs (a loaded manifest never has this). */
  | 'MANIFEST_INVALID'
  | 'REPLAY_DIVERGED'
  | 'JOURNAL_CORRUPT'
  | 'SNAPSHOT_INVALID'
  /** A snapshot written by a kernel with another snapshot or cell-index format: valid, but not readable here. */
  | 'SNAPSHOT_FORMAT'
  | 'CELL_INDEX_CORRUPT'
  | 'RUNAWAY'
  | 'RECEIPT_INVALID'
  | 'BAD_PUBLIC_KEY'
  /** A key rotation refused before it was journaled: see its message (unknown or retired key, nothing to change). */
  | 'KEY_ROTATION_REFUSED'
  /** A stream frame for an intent not open, not started, or out of sequence (a gap or a duplicate): not journaled. */
  | 'STREAM_FRAME_FENCED'
  /** A malformed stream frame, or one whose signature does not verify: not journaled. */
  | 'STREAM_FRAME_REFUSED'
  /** An effect approval refused before it was journaled: see its message (unknown principal, bad signature, not pending, duplicate). */
  | 'APPROVAL_REFUSED'
  /** A governance step refused before it was journaled: unknown proposal, wrong state, key or signature, apply before quorum. */
  | 'GOVERNANCE_REFUSED'
  /** An apply refused because the world is not quiescent: the message names the instances and intents in flight. */
  | 'APPLY_BLOCKED';

/** The one error class of the kernel: a code, and a message that says what, where and what to do. */
export class KernelError extends Error {
  override readonly name = 'KernelError';
  constructor(readonly code: KernelErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
