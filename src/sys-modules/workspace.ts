// sys/Workspace@1, the built-in workspace registry (shipped with AgentOS; `aos build` bundles it
// for any world whose manifest lists it). Keyed by workspace name, it receives
// sys/WorkspaceCommit@1 {workspace, expected_head, meta} and keeps sys/WorkspaceHistory@1
// {latest, versions}: version n+1 gets the commit's meta (its root hash, owner and time).
// Optimistic concurrency: a commit names the head it was made against (none, or 0, for a
// workspace without versions). A commit against a stale head changes nothing and fails the step
// with code `stale_head`, which the kernel journals as a workflow_fault the committer can read;
// the cell keeps serving later commits.
import { defineWorkflow, ModuleFailure } from 'agentos/sdk';

interface CommitMeta {
  readonly root_hash: string;
  readonly owner: string;
  readonly created_at: number | bigint;
}
interface WorkspaceHistory {
  readonly latest: number | bigint;
  readonly versions: ReadonlyMap<number | bigint, CommitMeta>;
}
interface WorkspaceCommit {
  readonly workspace: string;
  readonly expected_head: number | bigint | null;
  readonly meta: CommitMeta;
}

/** The workspace names the workspace adapter and `aos ws` accept (see src/adapters/workspace/paths.ts). */
const WORKSPACE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const WORKSPACE_NAME_LENGTH_MAX = 128;

defineWorkflow<WorkspaceHistory, WorkspaceCommit>({
  init: () => ({ latest: 0, versions: new Map() }),
  step(state, event) {
    const commit = event.value;
    if (!WORKSPACE_NAME.test(commit.workspace) || commit.workspace.length > WORKSPACE_NAME_LENGTH_MAX) {
      throw new ModuleFailure('invalid_workspace', `workspace name ${JSON.stringify(commit.workspace)} is not valid: use letters, digits, ".", "_" and "-", starting with a letter or digit`);
    }
    const head = Number(state.latest);
    const expected = commit.expected_head === null ? 0 : Number(commit.expected_head);
    if (expected !== head) {
      throw new ModuleFailure('stale_head', `commit to workspace ${commit.workspace} was made against head ${expected === 0 ? 'none' : expected}, but its head is ${head === 0 ? 'none' : head}; resolve it again, reapply the change and commit against the new head`);
    }
    // An empty CBOR map decodes as a record, so only a Map carries versions.
    const versions = new Map(state.versions instanceof Map ? state.versions : []);
    versions.set(head + 1, commit.meta);
    return { state: { latest: head + 1, versions } };
  },
});
