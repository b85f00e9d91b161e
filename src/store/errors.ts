// Errors of the store layer: refusals a caller can act on (a missing object, a conflicting
// append, bytes changed on disk, a database from a newer build). Our own mistakes are
// InvariantErrors instead, raised by assert.

/** Stable codes of store refusals. */
export type StoreErrorCode =
  | 'CAS_CORRUPT'
  | 'CAS_MISSING'
  | 'IO'
  | 'BUSY'
  | 'CLOSED'
  | 'DATABASE_CORRUPT'
  | 'SCHEMA_TOO_NEW'
  | 'HEIGHT_CONFLICT'
  | 'JOURNAL_CORRUPT'
  | 'SNAPSHOT_CONFLICT'
  | 'BAD_WORLD_ID'
  | 'WORLD_EXISTS'
  | 'WORLD_MISSING'
  | 'LIMIT_EXCEEDED';

/** The one error class of the store layer; match on `code`. */
export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(readonly code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
