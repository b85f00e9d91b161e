// `aos ws` through a running node: the world's CAS is the node's, so trees are read from it and
// pushes are committed by it. Reads fetch what they will read before reading it (a tree's
// directory nodes, then the files asked for) into memory, where the same tree code as on a
// folder reads them; every object fetched is checked against its hash. A push stores each file
// of the folder in the world's CAS, then has the node build the tree and journal the commit.
import type { AdapterBlobs } from '../../adapters/adapter.ts';
import { WORKSPACE_WALK_ENTRIES_MAX } from '../../adapters/limits.ts';
import { getTree } from '../../adapters/workspace/index.ts';
import type { WorkspaceHistory, WorkspaceVersion } from '../../adapters/workspace/index.ts';
import { assert, hashBytes } from '../../cbor/index.ts';
import type { Hash } from '../../cbor/index.ts';
import { CliError } from '../cli-error.ts';
import { nodeCasGet, nodeCasPut, nodeRequest, worldPath } from '../node-client.ts';
import type { NodeTarget } from '../node-client.ts';
import { readLocalFolder } from './ws-local.ts';
import type { WorkspaceSync } from './ws-local.ts';

/** Requests to the node in flight at once while fetching or storing objects. */
const NODE_OBJECT_REQUESTS_AT_ONCE = 8;

/** The world's workspaces as the node listed them. */
export interface NodeRegistry {
  readonly dir: string;
  readonly enabled: boolean;
  history(workspace: string): WorkspaceHistory | null;
  workspaces(): Array<{ readonly workspace: string; readonly history: WorkspaceHistory }>;
}

interface RegistryAnswer {
  readonly dir: string;
  readonly enabled: boolean;
  readonly workspaces: ReadonlyArray<{ workspace: string; latest: number; versions: ReadonlyArray<{ version: number; root_hash: Hash; owner: string; created_at: number | bigint }> }>;
}

/** Every committed version of every workspace, read once from the node. */
export async function nodeRegistry(target: NodeTarget): Promise<NodeRegistry> {
  const answer = await nodeRequest<RegistryAnswer>(target, 'GET', worldPath(target, '/workspace-registry'));
  const histories = answer.workspaces.map(({ workspace, latest, versions }) => ({
    workspace, history: { latest, versions: new Map<number, WorkspaceVersion>(versions.map((entry) => [entry.version, { root_hash: entry.root_hash, owner: entry.owner, created_at: BigInt(entry.created_at) }])) },
  }));
  const byName = new Map(histories.map((entry) => [entry.workspace, entry.history]));
  return { dir: answer.dir, enabled: answer.enabled, history: (workspace) => byName.get(workspace) ?? null, workspaces: () => histories };
}

/** Runs `work` on every item, NODE_OBJECT_REQUESTS_AT_ONCE at a time. */
async function inBatches<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  for (let start = 0; start < items.length; start += NODE_OBJECT_REQUESTS_AT_ONCE) {
    await Promise.all(items.slice(start, start + NODE_OBJECT_REQUESTS_AT_ONCE).map(work));
  }
}

/** CAS objects of the world on the node, held in memory once fetched; what is built here (a local folder's tree) stays here. */
export class NodeBlobs implements AdapterBlobs {
  private readonly objects = new Map<Hash, Uint8Array>();

  constructor(private readonly target: NodeTarget) {}

  put(bytes: Uint8Array): Hash {
    const hash = hashBytes(bytes);
    this.objects.set(hash, bytes);
    return hash;
  }

  get(hash: Hash): Uint8Array {
    const bytes = this.objects.get(hash);
    // Every read is preceded by the load of what it reads.
    assert(bytes !== undefined, `CAS object ${hash} was fetched from the node before it is read`);
    return bytes;
  }

  /** Fetches the directory nodes of the tree under `root` (breadth first, at most WORKSPACE_WALK_ENTRIES_MAX). */
  async loadTree(root: Hash): Promise<void> {
    let level: Hash[] = [root];
    let loaded = 0;
    while (level.length > 0) {
      loaded += level.length;
      if (loaded > WORKSPACE_WALK_ENTRIES_MAX) throw new CliError('WORKSPACE_TOO_LARGE', `the tree ${root} has over ${WORKSPACE_WALK_ENTRIES_MAX} directories (WORKSPACE_WALK_ENTRIES_MAX)`, 'read a part of it: aos ws ls <workspace>/<path>');
      await this.loadFiles(level);
      const next = new Set<Hash>();
      for (const hash of level) {
        for (const entry of getTree(this, hash).entries) if (entry.kind === 'dir' && !this.objects.has(entry.hash)) next.add(entry.hash);
      }
      level = [...next];
    }
  }

  /** Fetches these objects (files' bytes) unless held already. */
  async loadFiles(hashes: readonly Hash[]): Promise<void> {
    const missing = [...new Set(hashes)].filter((hash) => !this.objects.has(hash));
    await inBatches(missing, async (hash) => {
      const bytes = await nodeCasGet(this.target, hash);
      if (hashBytes(bytes) !== hash) throw new CliError('NODE_BAD_ANSWER', `the node at ${this.target.url} answered CAS object ${hash} with bytes of another hash`, 'the node\'s store may be damaged: run `aos audit verify` on its world');
      this.objects.set(hash, bytes);
    });
  }
}

/** What the node answers a push. */
interface PushAnswer { readonly workspace: string; readonly head: number | null; readonly root_hash: Hash; readonly files: number; readonly version: number | null; readonly changes: number }

/** Stores the synced folder's files in the world's CAS on the node, then has the node commit them as `workspace`'s next version. */
export async function pushViaNode(target: NodeTarget, sync: WorkspaceSync, workspace: string, owner: string) {
  const folder = readLocalFolder(sync);
  const files = folder.files.map((file) => ({ path: file.path, hash: hashBytes(file.bytes), ...(file.mode !== undefined ? { mode: file.mode } : {}) }));
  const stored = new Set<Hash>();
  await inBatches(folder.files, async (file) => {
    const hash = hashBytes(file.bytes);
    if (stored.has(hash)) return;
    stored.add(hash);
    const answered = await nodeCasPut(target, file.bytes);
    if (answered !== hash) throw new CliError('NODE_BAD_ANSWER', `the node at ${target.url} stored ${file.path} as ${answered}, not ${hash}`, 'is that URL an AgentOS node? `aos node status` shows where the node is');
  });
  const pushed = await nodeRequest<PushAnswer>(target, 'POST', worldPath(target, `/workspaces/${encodeURIComponent(workspace)}/push`), { owner, files });
  // The fields in the order `aos ws push` prints them on a folder.
  return { workspace: pushed.workspace, head: pushed.head, root_hash: pushed.root_hash, files: pushed.files, skipped: folder.skipped, version: pushed.version, changes: pushed.changes };
}
