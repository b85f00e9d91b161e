// What the workspace adapter reads about committed workspaces: the history the built-in
// sys/Workspace@1 workflow keeps per workspace. The node implements it over the world's cells;
// adapters never reach into the node themselves.
import type { Hash } from '../../cbor/index.ts';

/** One committed version (sys/WorkspaceCommitMeta@1). */
export interface WorkspaceVersion {
  readonly root_hash: Hash;
  readonly owner: string;
  /** Nanoseconds since the Unix epoch, as stamped by the committer. */
  readonly created_at: bigint;
}

/** A workspace's history (sys/WorkspaceHistory@1): its head version and every version's root. */
export interface WorkspaceHistory {
  /** The head version; versions are numbered from 1. */
  readonly latest: number;
  readonly versions: ReadonlyMap<number, WorkspaceVersion>;
}

/** Read-only access to the world's workspaces. */
export interface WorkspaceRegistry {
  /** The history of `workspace`, or null when no version of it was ever committed. */
  history(workspace: string): WorkspaceHistory | null;
}
