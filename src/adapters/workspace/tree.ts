// Operations on workspace trees (tree-node.ts says how a tree is stored). Trees are immutable:
// a write, remove or annotation change stores new nodes along the path and returns the new root
// hash; every node off the path is shared. Results depend only on the CAS: listings and diffs
// are sorted by path (UTF-8 byte order) and bounded by named limits.
// - Writing a file creates the directories on its path; removing the last entry of a directory
//   removes the directory too (directories exist only to hold entries, as in git).
// - Annotations (sys/WorkspaceAnnotations@1, a text → hash map stored as its own node) belong
//   to an entry (its annotations_hash in its parent) or, for the root path, to the tree itself.
// - A diff compares files: each file added, removed or changed (new bytes) between two roots.
import { AirError, builtinCatalog, valueFromCbor } from '../../air/index.ts';
import { assert, CborError, decodeCanonical, encodeCanonical, hashBytes, InvariantError, isCborObject } from '../../cbor/index.ts';
import type { Hash } from '../../cbor/index.ts';
import type { AdapterBlobs } from '../adapter.ts';
import { AdapterError } from '../errors.ts';
import { WORKSPACE_DIFF_CHANGES_MAX, WORKSPACE_LIST_ENTRIES_MAX, WORKSPACE_READ_BYTES_MAX, WORKSPACE_WALK_ENTRIES_MAX } from '../limits.ts';
import { comparePaths, isUnder, joinPath, pathSegments, rootOrPathSegments, splitPath } from './paths.ts';
import { DIR_MODE_DEFAULT, EMPTY_TREE, FILE_MODE_DEFAULT, getTree, MODE_MAX, putTree } from './tree-node.ts';
import type { TreeEntry, TreeNode } from './tree-node.ts';

const ANNOTATIONS_SCHEMA = 'sys/WorkspaceAnnotations@1';

/** How far `list` looks: the directory's own entries, or everything beneath it. */
export type ListScope = 'dir' | 'subtree';

/** One entry of a listing (sys/WorkspaceListEntry@1): a directory has no size. */
export interface ListedEntry {
  readonly path: string;
  readonly kind: 'file' | 'dir';
  readonly hash: Hash;
  readonly size: number | null;
  readonly mode: number;
}

/** One page of a listing; `next_cursor` continues it (null when it is complete). */
export interface Listing {
  readonly entries: readonly ListedEntry[];
  readonly next_cursor: string | null;
}

/** One changed file (sys/WorkspaceDiffChange@1). */
export interface DiffChange {
  readonly path: string;
  readonly kind: 'added' | 'removed' | 'modified';
  readonly old_hash: Hash | null;
  readonly new_hash: Hash | null;
}

/** Annotation keys and the hashes they name. */
export type Annotations = Readonly<Record<string, Hash>>;

/** The tree operations over one CAS. */
export class WorkspaceTrees {
  constructor(private readonly blobs: AdapterBlobs) {}

  /** The root hash of a tree with no entries. */
  emptyRoot(): Hash {
    return putTree(this.blobs, EMPTY_TREE);
  }

  /** The entry at `path`, or null when nothing is there. */
  lookup(root: Hash, path: string): TreeEntry | null {
    const segments = pathSegments(path);
    let node = getTree(this.blobs, root);
    for (let index = 0; index < segments.length; index += 1) {
      const entry = find(node, segments[index] as string);
      if (entry === undefined) return null;
      if (index === segments.length - 1) return entry;
      if (entry.kind !== 'dir') return null;
      node = getTree(this.blobs, entry.hash);
    }
    assert(false, 'a path has at least one segment');
  }

  /** The bytes of the file at `path`, or of its range [start, end). */
  readBytes(root: Hash, path: string, range: { readonly start: number; readonly end: number } | null): Uint8Array {
    const entry = this.file(root, path);
    const start = range?.start ?? 0;
    const end = range?.end ?? entry.size;
    if (start > end || end > entry.size) {
      throw new AdapterError('WORKSPACE_TOO_LARGE', `range [${start}, ${end}) is not within ${path}, which has ${entry.size} bytes`);
    }
    if (end - start > WORKSPACE_READ_BYTES_MAX) {
      throw new AdapterError('WORKSPACE_TOO_LARGE', `reading ${end - start} bytes of ${path} is over the ${WORKSPACE_READ_BYTES_MAX}-byte limit (WORKSPACE_READ_BYTES_MAX); read a range`);
    }
    return this.blobs.get(entry.hash).slice(start, end);
  }

  /** Writes `bytes` as the file at `path`; returns the new root and the blob's hash. */
  writeBytes(root: Hash, path: string, bytes: Uint8Array, mode: number | null): { readonly root: Hash; readonly blob: Hash } {
    pathSegments(path); // a bad path stores nothing, not even the bytes
    const blob = this.blobs.put(bytes);
    assert(blob === hashBytes(bytes), 'the CAS names bytes by their sha256');
    return { root: this.placeFile(root, path, blob, bytes.byteLength, mode), blob };
  }

  /** Makes the blob `blob` (already in the CAS) the file at `path`; returns the new root. */
  writeRef(root: Hash, path: string, blob: Hash, mode: number | null): Hash {
    let size: number;
    try {
      size = this.blobs.get(blob).byteLength;
    } catch (error) {
      if (error instanceof InvariantError) throw error;
      throw new AdapterError('WORKSPACE_ENTRY_MISSING', `blob ${blob} is not in the CAS; put it first (blob.put), then write its ref`);
    }
    return this.placeFile(root, path, blob, size, mode);
  }

  /** Removes the entry at `path` (a whole directory, if it is one); returns the new root. */
  remove(root: Hash, path: string): Hash {
    const { parents, name } = splitPath(path);
    return this.update(root, parents, false, (node) => {
      if (find(node, name) === undefined) throw new AdapterError('WORKSPACE_ENTRY_MISSING', `nothing is at ${path} in root ${root}`);
      return { ...node, entries: node.entries.filter((entry) => entry.name !== name) };
    }, true);
  }

  /** A page of the entries in the directory at `path` (the root when null), sorted by path. */
  list(root: Hash, path: string | null, scope: ListScope, cursor: string | null, limit: number): Listing {
    const start = this.directory(root, path);
    const found: ListedEntry[] = [];
    const pending: Array<{ readonly node: TreeNode; readonly path: string }> = [{ node: start, path: path ?? '' }];
    for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
      for (const entry of item.node.entries) {
        const entryPath = joinPath(item.path, entry.name);
        found.push({ path: entryPath, kind: entry.kind, hash: entry.hash, size: entry.kind === 'file' ? entry.size : null, mode: entry.mode });
        if (found.length > WORKSPACE_WALK_ENTRIES_MAX) throw tooMany('list', path ?? '');
        if (scope === 'subtree' && entry.kind === 'dir') pending.push({ node: getTree(this.blobs, entry.hash), path: entryPath });
      }
    }
    found.sort((a, b) => comparePaths(a.path, b.path));
    const after = cursor === null ? found : found.filter((entry) => comparePaths(entry.path, cursor) > 0);
    const pageSize = limit <= 0 || limit > WORKSPACE_LIST_ENTRIES_MAX ? WORKSPACE_LIST_ENTRIES_MAX : limit;
    const entries = after.slice(0, pageSize);
    return { entries, next_cursor: after.length > pageSize ? (entries.at(-1)?.path ?? null) : null };
  }

  /** The files added, removed or changed from `rootA` to `rootB` (only under `prefix`, when given), sorted by path. */
  diff(rootA: Hash, rootB: Hash, prefix: string | null): DiffChange[] {
    const under = rootOrPathSegments(prefix).join('/');
    const changes: DiffChange[] = [];
    const pending: Array<{ readonly path: string; readonly a: Hash | null; readonly b: Hash | null }> = [{ path: '', a: rootA, b: rootB }];
    let walked = 0;
    for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
      const a = item.a === null ? EMPTY_TREE : getTree(this.blobs, item.a);
      const b = item.b === null ? EMPTY_TREE : getTree(this.blobs, item.b);
      walked += a.entries.length + b.entries.length;
      if (walked > WORKSPACE_WALK_ENTRIES_MAX) throw tooMany('diff', under);
      for (const name of mergedNames(a, b)) {
        const path = joinPath(item.path, name);
        if (!isUnder(path, under) && !isUnder(under, path)) continue;
        const before = find(a, name);
        const after = find(b, name);
        if (before !== undefined && after !== undefined && before.kind === after.kind && before.hash === after.hash) continue;
        if (before?.kind === 'file' && after?.kind === 'file') changes.push({ path, kind: 'modified', old_hash: before.hash, new_hash: after.hash });
        else {
          if (before?.kind === 'file' && isUnder(path, under)) changes.push({ path, kind: 'removed', old_hash: before.hash, new_hash: null });
          if (after?.kind === 'file' && isUnder(path, under)) changes.push({ path, kind: 'added', old_hash: null, new_hash: after.hash });
          const dirA = before?.kind === 'dir' ? before.hash : null;
          const dirB = after?.kind === 'dir' ? after.hash : null;
          if (dirA !== null || dirB !== null) pending.push({ path, a: dirA, b: dirB });
        }
        if (changes.length > WORKSPACE_DIFF_CHANGES_MAX) {
          throw new AdapterError('WORKSPACE_TOO_LARGE', `the diff has more than ${WORKSPACE_DIFF_CHANGES_MAX} changes (WORKSPACE_DIFF_CHANGES_MAX); narrow it with a prefix`);
        }
      }
    }
    return changes.sort((x, y) => comparePaths(x.path, y.path));
  }

  /** The annotations of the entry at `path` (of the tree itself when null), or null when it has none. */
  annotationsGet(root: Hash, path: string | null): Annotations | null {
    const hash = path === null || path === '' ? getTree(this.blobs, root).annotations_hash : this.entry(root, path).annotations_hash;
    return hash === null ? null : this.annotations(hash);
  }

  /** Applies `patch` (null removes a key) to the annotations at `path`; returns the new root and the annotations' hash. */
  annotationsSet(root: Hash, path: string | null, patch: Readonly<Record<string, Hash | null>>): { readonly root: Hash; readonly annotations: Hash } {
    const merged: Record<string, Hash> = { ...(this.annotationsGet(root, path) ?? {}) };
    for (const [key, value] of Object.entries(patch)) {
      if (value === null) delete merged[key];
      else merged[key] = value;
    }
    const annotations = this.blobs.put(encodeCanonical(merged));
    const segments = rootOrPathSegments(path);
    if (segments.length === 0) return { root: putTree(this.blobs, { ...getTree(this.blobs, root), annotations_hash: annotations }), annotations };
    const name = segments.pop();
    assert(name !== undefined, 'a path that is not the root has a last segment');
    const newRoot = this.update(root, segments, false, (node) => {
      const entry = find(node, name);
      if (entry === undefined) throw new AdapterError('WORKSPACE_ENTRY_MISSING', `nothing is at ${path ?? ''} in root ${root} to annotate`);
      return withEntry(node, { ...entry, annotations_hash: annotations });
    }, false);
    return { root: newRoot, annotations };
  }

  private annotations(hash: Hash): Annotations {
    try {
      const value = valueFromCbor(decodeCanonical(this.blobs.get(hash)), { ref: ANNOTATIONS_SCHEMA }, builtinCatalog(), { def: ANNOTATIONS_SCHEMA, path: 'annotations' });
      assert(isCborObject(value), 'a checked text-keyed map is an object');
      return value as Annotations;
    } catch (error) {
      if (!(error instanceof AirError || error instanceof CborError)) throw error;
      throw new AdapterError('WORKSPACE_TREE_INVALID', `${hash} is not a ${ANNOTATIONS_SCHEMA} node: ${error.message}`);
    }
  }

  private placeFile(root: Hash, path: string, blob: Hash, size: number, mode: number | null): Hash {
    if (mode !== null && (!Number.isSafeInteger(mode) || mode < 0 || mode > MODE_MAX)) {
      throw new AdapterError('WORKSPACE_PATH_INVALID', `mode ${mode} for ${path} is not a Unix permission value (0 to 0o7777)`);
    }
    const { parents, name } = splitPath(path);
    return this.update(root, parents, true, (node, where) => {
      const existing = find(node, name);
      if (existing?.kind === 'dir') throw new AdapterError('WORKSPACE_ENTRY_KIND', `${joinPath(where, name)} is a directory; remove it before writing a file there`);
      return withEntry(node, { name, kind: 'file', hash: blob, size, mode: mode ?? existing?.mode ?? FILE_MODE_DEFAULT, annotations_hash: existing?.annotations_hash ?? null });
    }, false);
  }

  /**
   * Changes the directory at `dirs` with `change` and stores the nodes on the way back up.
   * `create` makes missing directories on the way; `prune` drops directories left empty.
   */
  private update(root: Hash, dirs: readonly string[], create: boolean, change: (node: TreeNode, where: string) => TreeNode, prune: boolean): Hash {
    const chain: TreeNode[] = [getTree(this.blobs, root)];
    for (let index = 0; index < dirs.length; index += 1) {
      const where = dirs.slice(0, index + 1).join('/');
      const entry = find(chain[index] as TreeNode, dirs[index] as string);
      if (entry === undefined) {
        if (!create) throw new AdapterError('WORKSPACE_ENTRY_MISSING', `directory ${where} does not exist in root ${root}`);
        chain.push(EMPTY_TREE);
      } else if (entry.kind !== 'dir') {
        throw new AdapterError('WORKSPACE_ENTRY_KIND', `${where} is a file, not a directory`);
      } else chain.push(getTree(this.blobs, entry.hash));
    }
    let node = change(chain[dirs.length] as TreeNode, dirs.join('/'));
    for (let index = dirs.length - 1; index >= 0; index -= 1) {
      const parent = chain[index] as TreeNode;
      const name = dirs[index] as string;
      const existing = find(parent, name);
      if (prune && node.entries.length === 0 && node.annotations_hash === null) {
        node = { ...parent, entries: parent.entries.filter((entry) => entry.name !== name) };
        continue;
      }
      const hash = putTree(this.blobs, node);
      node = withEntry(parent, { name, kind: 'dir', hash, size: 0, mode: existing?.mode ?? DIR_MODE_DEFAULT, annotations_hash: existing?.annotations_hash ?? null });
    }
    return putTree(this.blobs, node);
  }

  private directory(root: Hash, path: string | null): TreeNode {
    const segments = rootOrPathSegments(path);
    if (segments.length === 0) return getTree(this.blobs, root);
    const entry = this.entry(root, path as string);
    if (entry.kind !== 'dir') throw new AdapterError('WORKSPACE_ENTRY_KIND', `${path ?? ''} is a file, not a directory; read it instead of listing it`);
    return getTree(this.blobs, entry.hash);
  }

  private entry(root: Hash, path: string): TreeEntry {
    const entry = this.lookup(root, path);
    if (entry === null) throw new AdapterError('WORKSPACE_ENTRY_MISSING', `nothing is at ${path} in root ${root}`);
    return entry;
  }

  private file(root: Hash, path: string): TreeEntry {
    const entry = this.entry(root, path);
    if (entry.kind !== 'file') throw new AdapterError('WORKSPACE_ENTRY_KIND', `${path} is a directory, not a file`);
    return entry;
  }
}

function find(node: TreeNode, name: string): TreeEntry | undefined {
  return node.entries.find((entry) => entry.name === name);
}

function withEntry(node: TreeNode, entry: TreeEntry): TreeNode {
  return { ...node, entries: [...node.entries.filter((other) => other.name !== entry.name), entry] };
}

/** Every name in either node, once each. */
function mergedNames(a: TreeNode, b: TreeNode): string[] {
  return [...new Set([...a.entries.map((entry) => entry.name), ...b.entries.map((entry) => entry.name)])];
}

function tooMany(what: string, path: string): AdapterError {
  return new AdapterError('WORKSPACE_TOO_LARGE', `the ${what} of ${path === '' ? 'the root' : path} walks more than ${WORKSPACE_WALK_ENTRIES_MAX} entries (WORKSPACE_WALK_ENTRIES_MAX); narrow it to a subdirectory`);
}
