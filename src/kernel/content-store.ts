import type { Hash } from '../cbor/index.ts';

/** Where snapshots and the cell index live: the world's CAS, supplied by the caller (memory in tests). */
export interface ContentStore {
  put(bytes: Uint8Array): Hash;
  get(hash: Hash): Uint8Array;
  /** Stores many objects at once (a file CAS then syncs each folder once); returns their hashes in order. */
  putMany?(batch: readonly Uint8Array[]): Hash[];
}
