// The world's committed workspaces, read from the cells of the built-in sys/Workspace@1
// workflow (one cell per workspace, keyed by its name, state sys/WorkspaceHistory@1): what
// workspace.resolve and `aos ws` see.
import { builtinCatalog, valueFromCbor } from '../air/index.ts';
import { assert, decodeCanonical, encodeCanonical, isCborObject, isHash } from '../cbor/index.ts';
import { comparePaths } from '../adapters/workspace/paths.ts';
import type { WorkspaceHistory, WorkspaceRegistry, WorkspaceVersion } from '../adapters/workspace/registry.ts';
import type { EmbeddedWorld } from './embedded-world.ts';

/** The built-in workflow that keeps each workspace's versions. */
export const WORKSPACE_WORKFLOW = 'sys/Workspace@1';
/** The event that commits a workspace version. */
export const WORKSPACE_COMMIT_SCHEMA = 'sys/WorkspaceCommit@1';
const HISTORY_SCHEMA = 'sys/WorkspaceHistory@1';

/** The cell key of a workspace: the canonical CBOR of its name (sys/WorkspaceName@1 is text). */
export function workspaceKey(workspace: string): Uint8Array {
  return encodeCanonical(workspace, { selfDescribe: false });
}

/** A history from the canonical bytes of a sys/Workspace@1 cell's state. */
export function workspaceHistoryOf(state: Uint8Array): WorkspaceHistory {
  const value = valueFromCbor(decodeCanonical(state), { ref: HISTORY_SCHEMA }, builtinCatalog(), { def: HISTORY_SCHEMA, path: 'state' });
  assert(isCborObject(value) && value['versions'] instanceof Map, 'a checked sys/WorkspaceHistory@1 is a record with a nat-keyed map');
  const versions = new Map<number, WorkspaceVersion>();
  for (const [version, meta] of value['versions']) {
    assert(isCborObject(meta) && isHash(meta['root_hash']) && typeof meta['owner'] === 'string', 'a checked version is a sys/WorkspaceCommitMeta@1');
    versions.set(Number(version), { root_hash: meta['root_hash'], owner: meta['owner'], created_at: BigInt(meta['created_at'] as number | bigint) });
  }
  return { latest: Number(value['latest']), versions };
}

/** The registry of one embedded world; it reads the world's cells as they are when asked. */
export class WorldWorkspaceRegistry implements WorkspaceRegistry {
  constructor(private readonly world: EmbeddedWorld) {}

  history(workspace: string): WorkspaceHistory | null {
    if (!this.world.view.modules.has(WORKSPACE_WORKFLOW)) return null;
    const state = this.world.state(WORKSPACE_WORKFLOW, workspaceKey(workspace));
    return state === null ? null : workspaceHistoryOf(state);
  }

  /** Every workspace with a committed version, sorted by name. */
  workspaces(): Array<{ readonly workspace: string; readonly history: WorkspaceHistory }> {
    if (!this.world.view.modules.has(WORKSPACE_WORKFLOW)) return [];
    return this.world.cells(WORKSPACE_WORKFLOW).flatMap((cell) => {
      if (cell.key === null || cell.state === null) return [];
      const name = decodeCanonical(cell.key);
      assert(typeof name === 'string', 'a sys/Workspace@1 cell is keyed by text');
      return [{ workspace: name, history: workspaceHistoryOf(cell.state) }];
    }).sort((a, b) => comparePaths(a.workspace, b.workspace)); // cells come in key-byte order, which puts shorter names first
  }
}
