// Stores: the journal, snapshot index and meta table of each world, and the node's CAS,
// behind small synchronous interfaces with a memory and a SQLite backend.
export { StoreError } from './errors.ts';
export type { StoreErrorCode } from './errors.ts';
export { FileCas } from './file-cas.ts';
export { createMemoryNodeStore } from './memory-store.ts';
export { nodeDatabaseFile, openSqliteNodeStore } from './sqlite-store.ts';
export * from './limits.ts';
export type { CasStore, Durability, JournalEntry, JournalHead, JournalStore, MetaStore, NodeStore, SnapshotIndex, SnapshotRef, WorldStore } from './types.ts';
