// What `aos ws` does; loaded only when one of its commands runs. Workspaces are read from the
// world's sys/Workspace@1 cells and trees from its CAS. A push stores the local folder's tree in
// the CAS and sends a sys/WorkspaceCommit@1 into the world, so the commit is journaled, checked
// by the same workflow as any other (a stale head is refused) and replays with the world.
// Through a running node the CAS and the journal are the node's (ws-node.ts): the same tree code
// reads objects fetched from it, and the node builds and commits a pushed folder.
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import type { AdapterBlobs } from '../../adapters/adapter.ts';
import { AdapterError } from '../../adapters/errors.ts';
import { buildTree, WorkspaceTrees } from '../../adapters/workspace/index.ts';
import type { DiffChange, ListedEntry, WorkspaceHistory } from '../../adapters/workspace/index.ts';
import { valueFromJson } from '../../air/index.ts';
import { encodeCanonical, hashBytes } from '../../cbor/index.ts';
import type { Hash } from '../../cbor/index.ts';
import { EmbeddedWorld, WORKSPACE_COMMIT_SCHEMA, WORKSPACE_WORKFLOW, WorldWorkspaceRegistry } from '../../node/index.ts';
import { CliError } from '../cli-error.ts';
import { emit } from '../output.ts';
import { readLocalFolder, readWorkspaceSyncs, removeLocalFile, writeLocalFile, ignoreMatcher } from './ws-local.ts';
import type { WorkspaceSync } from './ws-local.ts';
import { NodeBlobs, nodeRegistry, pushViaNode } from './ws-node.ts';
import type { WsOptions } from './ws.ts';
import { nodeTarget } from '../node-client.ts';
import type { NodeTarget } from '../node-client.ts';

/** A parsed `<workspace>[@version][/path]`. */
interface WorkspaceRef { readonly workspace: string; readonly version: number | null; readonly path: string | null }
/** A reference resolved against the world. */
interface Resolved extends WorkspaceRef { readonly resolvedVersion: number; readonly root: Hash }

const REF = /^([^@/]+)(?:@(\d+))?(?:\/(.*))?$/;

function parseRef(text: string): WorkspaceRef {
  const match = REF.exec(text);
  if (match === null || match[1] === undefined) throw new CliError('BAD_REF', `"${text}" is not a workspace reference`, 'write <workspace>[@version][/path], e.g. docs@2/README.md');
  const path = match[3] === undefined || match[3] === '' ? null : match[3];
  return { workspace: match[1], version: match[2] === undefined ? null : Number(match[2]), path };
}

interface Session {
  /** The world's committed workspaces (through a node: as they were when the command began). */
  readonly registry: Pick<WorldWorkspaceRegistry, 'history' | 'workspaces'>;
  /** The world's CAS; for a read-only session, nodes it builds stay in memory (a diff against a local folder writes nothing). */
  readonly blobs: AdapterBlobs;
  readonly trees: WorkspaceTrees;
  /** Makes the tree under `root` readable: through a node its directories are fetched first (on a folder, a no-op). */
  readonly loadTree: (root: Hash) => Promise<void>;
  /** Makes these files' bytes readable, likewise. */
  readonly loadFiles: (hashes: readonly Hash[]) => Promise<void>;
  /** Commits a synced folder as the workspace's next version. */
  readonly push: (sync: WorkspaceSync, owner: string) => Promise<PushRow>;
}

/** One pushed folder, as `aos ws push` prints it. */
interface PushRow {
  readonly workspace: string;
  readonly head: number | null;
  readonly root_hash: Hash;
  readonly files: number;
  readonly skipped: readonly string[];
  readonly version: number | null;
  readonly changes: number;
}

/** A session through the node serving the world: its registry read once, its CAS fetched as needed, pushes committed by it. */
async function nodeSession(target: NodeTarget): Promise<Session> {
  const registry = await nodeRegistry(target);
  if (!registry.enabled) throw noWorkspaces(registry.dir);
  const blobs = new NodeBlobs(target);
  return {
    registry, blobs, trees: new WorkspaceTrees(blobs),
    loadTree: (root) => blobs.loadTree(root), loadFiles: (hashes) => blobs.loadFiles(hashes),
    push: (sync, owner) => pushViaNode(target, sync, pushedRef(sync).workspace, owner),
  };
}

function noWorkspaces(dir: string): CliError {
  return new CliError('NO_WORKSPACES', `the world in ${dir} does not list ${WORKSPACE_WORKFLOW}, which keeps workspaces`, `add {"name": "${WORKSPACE_WORKFLOW}"} to its manifest's modules, route ${WORKSPACE_COMMIT_SCHEMA} to it with key_field "workspace", and rebuild`);
}

async function withSession<T>(options: WsOptions, readOnly: boolean, work: (session: Session) => T | Promise<T>): Promise<T> {
  try {
    const target = await nodeTarget(options);
    if (target !== null) return await work(await nodeSession(target));
    const world = await EmbeddedWorld.open(resolve(options.root), { readOnly });
    try {
      if (!world.view.modules.has(WORKSPACE_WORKFLOW)) throw noWorkspaces(world.dir);
      const cas = world.cas;
      const scratch = new Map<Hash, Uint8Array>();
      const blobs: AdapterBlobs = readOnly ? {
        put: (bytes) => {
          const hash = hashBytes(bytes);
          scratch.set(hash, bytes);
          return hash;
        },
        get: (hash) => scratch.get(hash) ?? cas.get(hash),
      } : { put: (bytes) => cas.put(bytes), get: (hash) => cas.get(hash) };
      const session: Session = {
        registry: new WorldWorkspaceRegistry(world), blobs, trees: new WorkspaceTrees(blobs), loadTree: async () => {}, loadFiles: async () => {},
        push: async (sync, owner) => pushOne(world, session, sync, owner),
      };
      return await work(session);
    } finally {
      world.close();
    }
  } catch (error) {
    // The tree library's refusals (a bad path, a missing entry) are the user's input: say so plainly.
    if (error instanceof AdapterError) throw new CliError(error.code, error.message, 'check the workspace reference with `aos ws ls`');
    throw error;
  }
}

function historyOf(session: Session, workspace: string): WorkspaceHistory {
  const history = session.registry.history(workspace);
  if (history === null) throw new CliError('NO_WORKSPACE', `workspace ${workspace} has no committed version in this world`, 'list workspaces with `aos ws ls`, or push one with `aos ws push`');
  return history;
}

function resolveRef(session: Session, ref: WorkspaceRef): Resolved {
  const history = historyOf(session, ref.workspace);
  const version = ref.version ?? history.latest;
  const found = history.versions.get(version);
  if (found === undefined) throw new CliError('NO_VERSION', `workspace ${ref.workspace} has no version ${version}; its head is ${history.latest}`, `use a version from 1 to ${history.latest}`);
  return { ...ref, resolvedVersion: version, root: found.root_hash };
}

/** Every entry under a directory, following list pages to the end. */
function listAll(session: Session, root: Hash, path: string | null, scope: 'dir' | 'subtree'): ListedEntry[] {
  const entries: ListedEntry[] = [];
  let cursor: string | null = null;
  do {
    const page = session.trees.list(root, path, scope, cursor, 0);
    entries.push(...page.entries);
    cursor = page.next_cursor;
  } while (cursor !== null);
  return entries;
}

export async function ls(refText: string | undefined, options: WsOptions & { scope: string }): Promise<void> {
  if (options.scope !== 'dir' && options.scope !== 'subtree') throw new CliError('BAD_INPUT', `--scope ${options.scope} is neither dir nor subtree`, 'pass --scope dir or --scope subtree');
  const scope = options.scope;
  await withSession(options, true, async (session) => {
    if (refText === undefined) {
      const workspaces = session.registry.workspaces().map(({ workspace, history }) => {
        const head = history.versions.get(history.latest);
        return { workspace, head: history.latest, root_hash: head?.root_hash ?? null, owner: head?.owner ?? null, created_at_ns: head?.created_at.toString() ?? null };
      });
      emit(options, { workspaces }, () => (workspaces.length === 0 ? 'no workspaces yet (push one with `aos ws push`)' : workspaces.map((row) => `${row.workspace}\tv${row.head}\t${row.root_hash ?? '-'}\t${row.owner ?? '-'}`).join('\n')));
      return;
    }
    const ref = resolveRef(session, parseRef(refText));
    await session.loadTree(ref.root);
    const entries = listAll(session, ref.root, ref.path, scope);
    emit(options, { workspace: ref.workspace, version: ref.resolvedVersion, root_hash: ref.root, path: ref.path ?? '', entries },
      () => (entries.length === 0 ? '(empty)' : entries.map((entry) => `${entry.kind === 'dir' ? 'dir ' : 'file'}\t${entry.size ?? '-'}\t${entry.path}${entry.kind === 'dir' ? '/' : ''}`).join('\n')));
  });
}

export async function cat(refText: string, options: WsOptions): Promise<void> {
  await withSession(options, true, async (session) => {
    const ref = resolveRef(session, parseRef(refText));
    if (ref.path === null) throw new CliError('BAD_REF', `${refText} names a whole workspace; cat needs a file`, `e.g. aos ws cat ${ref.workspace}/README.md (list files with aos ws ls ${ref.workspace} --scope subtree)`);
    await session.loadTree(ref.root);
    const entry = session.trees.lookup(ref.root, ref.path);
    if (entry !== null && entry.kind === 'file') await session.loadFiles([entry.hash]);
    const bytes = session.trees.readBytes(ref.root, ref.path, null);
    if (options.json === true) {
      let text: string | null;
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      } catch {
        text = null; // not UTF-8: only content_base64 carries it
      }
      emit(options, { workspace: ref.workspace, version: ref.resolvedVersion, path: ref.path, hash: entry?.hash ?? null, size: bytes.byteLength, text, content_base64: Buffer.from(bytes).toString('base64') }, () => '');
      return;
    }
    process.stdout.write(bytes);
  });
}

/** The syncs of aos.sync.json, or only the one for `workspace`. */
function syncsFor(root: string, workspace: string | undefined): WorkspaceSync[] {
  const syncs = readWorkspaceSyncs(resolve(root));
  const chosen = workspace === undefined ? syncs : syncs.filter((sync) => parseRef(sync.ref).workspace === workspace);
  if (chosen.length === 0) throw new CliError('NO_SYNC', `aos.sync.json syncs no folder with workspace ${workspace ?? ''}`, `it syncs ${syncs.map((sync) => sync.ref).join(', ')}`);
  return chosen;
}

function changeLine(change: DiffChange): string {
  return `${change.kind === 'added' ? 'A' : change.kind === 'removed' ? 'D' : 'M'}\t${change.path}`;
}

export async function diff(fromText: string, toText: string | undefined, options: WsOptions & { dir?: string }): Promise<void> {
  await withSession(options, true, async (session) => {
    const from = resolveRef(session, parseRef(fromText));
    await session.loadTree(from.root);
    let to: { label: string; root: Hash };
    if (options.dir !== undefined) {
      if (toText !== undefined) throw new CliError('BAD_INPUT', 'give either a second reference or --dir, not both', `aos ws diff ${fromText} --dir <folder>`);
      const folder = readLocalFolder({ dir: options.dir, path: resolve(options.dir), ref: from.workspace, ignore: ignoreOf(options.root, from.workspace) });
      to = { label: resolve(options.dir), root: buildTree(session.blobs, folder.files) };
    } else {
      const other = toText === undefined ? resolveRef(session, { workspace: from.workspace, version: null, path: from.path }) : resolveRef(session, parseRef(toText));
      await session.loadTree(other.root);
      to = { label: `${other.workspace}@${other.resolvedVersion}`, root: other.root };
    }
    const changes = session.trees.diff(from.root, to.root, from.path);
    emit(options, { from: { ref: `${from.workspace}@${from.resolvedVersion}`, root_hash: from.root }, to: { ref: to.label, root_hash: to.root }, changes },
      () => (changes.length === 0 ? `no changes from ${from.workspace}@${from.resolvedVersion} to ${to.label}` : changes.map(changeLine).join('\n')));
  });
}

export async function push(workspace: string | undefined, options: WsOptions & { owner?: string }): Promise<void> {
  const owner = options.owner ?? ownerDefault();
  await withSession(options, false, async (session) => {
    const pushed: PushRow[] = [];
    for (const sync of syncsFor(options.root, workspace)) pushed.push(await session.push(sync, owner));
    emit(options, { pushed }, () => pushed.map((row) => (row.version === null ? `${row.workspace}: up to date (v${row.head ?? '-'})` : `${row.workspace}: v${row.version} ${row.root_hash} (${row.changes} change${row.changes === 1 ? '' : 's'}, ${row.files} files)`)
      + row.skipped.map((path) => `\n  skipped symbolic link ${path}`).join('')).join('\n'));
  });
}

function pushOne(world: EmbeddedWorld, session: Session, sync: WorkspaceSync, owner: string): PushRow {
  const ref = pushedRef(sync);
  const folder = readLocalFolder(sync);
  const root = buildTree(session.blobs, folder.files);
  const history = session.registry.history(ref.workspace);
  const headRoot = history?.versions.get(history.latest)?.root_hash ?? null;
  const base = { workspace: ref.workspace, head: history?.latest ?? null, root_hash: root, files: folder.files.length, skipped: folder.skipped };
  if (headRoot === root) return { ...base, version: null, changes: 0 };
  const changes = session.trees.diff(headRoot ?? session.trees.emptyRoot(), root, null).length;
  const commit = { workspace: ref.workspace, expected_head: history?.latest ?? null, meta: { root_hash: root, owner, created_at: BigInt(Date.now()) * 1_000_000n } };
  const value = valueFromJson(commit, { ref: WORKSPACE_COMMIT_SCHEMA }, world.view.index, { path: 'commit' });
  const records = world.send({ schema: WORKSPACE_COMMIT_SCHEMA, value: encodeCanonical(value, { selfDescribe: false }) });
  const fault = records.find((record) => record.body.kind === 'workflow_fault');
  if (fault !== undefined && fault.body.kind === 'workflow_fault') {
    throw new CliError(fault.body.failure.code === 'stale_head' ? 'STALE_HEAD' : 'COMMIT_REFUSED', `${WORKSPACE_WORKFLOW} refused the commit to ${ref.workspace} (journaled at height ${fault.height}): ${fault.body.failure.message}`, 'pull the workspace, merge your changes and push again');
  }
  const after = session.registry.history(ref.workspace);
  return { ...base, version: after?.latest ?? null, changes };
}

/** The workspace a sync pushes: a whole one, never a version or a path. */
function pushedRef(sync: WorkspaceSync): WorkspaceRef {
  const ref = parseRef(sync.ref);
  if (ref.version !== null || ref.path !== null) throw new CliError('SYNC_CONFIG_INVALID', `push syncs whole workspaces, but ref "${sync.ref}" names a version or a path`, `set "ref": "${ref.workspace}"`);
  return ref;
}

export async function pull(workspace: string | undefined, options: WsOptions & { prune?: boolean }): Promise<void> {
  await withSession(options, true, async (session) => {
    const pulled: Array<{ workspace: string; version: number; dir: string; files: number; written: number; removed: string[] }> = [];
    for (const sync of syncsFor(options.root, workspace)) {
      const ref = resolveRef(session, parseRef(sync.ref));
      await session.loadTree(ref.root);
      const entries = listAll(session, ref.root, ref.path, 'subtree').filter((entry) => entry.kind === 'file');
      const ignored = ignoreMatcher(sync.ignore);
      await session.loadFiles(entries.filter((entry) => !ignored(entry.path, false)).map((entry) => entry.hash));
      let written = 0;
      for (const entry of entries) {
        if (ignored(entry.path, false)) continue;
        const bytes = session.trees.readBytes(ref.root, entry.path, null);
        if (writeLocalFile(sync, ref.path === null ? entry.path : entry.path.slice(ref.path.length + 1), bytes, entry.mode)) written += 1;
      }
      const removed: string[] = [];
      if (options.prune === true) {
        const kept = new Set(entries.map((entry) => (ref.path === null ? entry.path : entry.path.slice(ref.path.length + 1))));
        for (const file of readLocalFolder(sync).files) {
          if (kept.has(file.path)) continue;
          removeLocalFile(sync, file.path);
          removed.push(file.path);
        }
      }
      pulled.push({ workspace: ref.workspace, version: ref.resolvedVersion, dir: sync.path, files: entries.length, written, removed });
    }
    emit(options, { pulled }, () => pulled.map((row) => `${row.workspace}@${row.version} -> ${row.dir}: ${row.written} written, ${row.files - row.written} unchanged${row.removed.length > 0 ? `, ${row.removed.length} removed` : ''}`).join('\n'));
  });
}

function ownerDefault(): string {
  try {
    return userInfo().username;
  } catch {
    return 'aos'; // no user name on this system (e.g. a container without passwd entry)
  }
}

/** The ignore patterns aos.sync.json gives a workspace's folder, if it syncs one (a diff against any folder uses them). */
function ignoreOf(root: string, workspace: string): readonly string[] {
  try {
    return readWorkspaceSyncs(resolve(root)).find((sync) => parseRef(sync.ref).workspace === workspace)?.ignore ?? [];
  } catch (error) {
    if (error instanceof CliError && error.code === 'SYNC_CONFIG_INVALID') return []; // no sync config: nothing is ignored but .aos
    throw error;
  }
}
