// Stores: content-addressed objects (and later journal and snapshots).
export { FileCas, StoreError } from './file-cas.ts';
export type { StoreErrorCode } from './file-cas.ts';
