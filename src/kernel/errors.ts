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
  /** An effect approval refused before it was journaled: see its message (unknown principal, bad signature, not pending, duplicate). */
  | 'APPROVAL_REFUSED';

/** The one error class of the kernel: a code, and a message that says what, where and what to do. */
export class KernelError extends Error {
  override readonly name = 'KernelError';
  constructor(readonly code: KernelErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
