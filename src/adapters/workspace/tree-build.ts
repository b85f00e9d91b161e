// Builds a whole tree at once from a list of files (a local folder pushed into a workspace):
// each file's bytes and each directory node are stored once, bottom-up, so no intermediate
// root is written. The result is the same root hash as writing the files one by one.
import { assert } from '../../cbor/index.ts';
import type { Hash } from '../../cbor/index.ts';
import type { AdapterBlobs } from '../adapter.ts';
import { AdapterError } from '../errors.ts';
import { splitPath } from './paths.ts';
import { DIR_MODE_DEFAULT, FILE_MODE_DEFAULT, putTree } from './tree-node.ts';
import type { TreeEntry } from './tree-node.ts';

/** One file to place: its path in the tree, its bytes and (optionally) its mode. */
export interface FileToPlace {
  readonly path: string;
  readonly bytes: Uint8Array;
  readonly mode?: number;
}

interface DirectoryDraft {
  readonly files: Map<string, TreeEntry>;
  readonly dirs: Map<string, DirectoryDraft>;
}

/** Stores `files` as a tree and returns its root hash; two files on one path, or a file where a directory is, are refused. */
export function buildTree(blobs: AdapterBlobs, files: readonly FileToPlace[]): Hash {
  const root: DirectoryDraft = { files: new Map(), dirs: new Map() };
  for (const file of files) {
    const { parents: segments, name } = splitPath(file.path);
    let dir = root;
    for (const [index, segment] of segments.entries()) {
      if (dir.files.has(segment)) throw new AdapterError('WORKSPACE_ENTRY_KIND', `${segments.slice(0, index + 1).join('/')} is both a file and a directory`);
      let child = dir.dirs.get(segment);
      if (child === undefined) {
        child = { files: new Map(), dirs: new Map() };
        dir.dirs.set(segment, child);
      }
      dir = child;
    }
    if (dir.files.has(name) || dir.dirs.has(name)) throw new AdapterError('WORKSPACE_ENTRY_KIND', `${file.path} is given twice, or as both a file and a directory`);
    dir.files.set(name, { name, kind: 'file', hash: blobs.put(file.bytes), size: file.bytes.byteLength, mode: file.mode ?? FILE_MODE_DEFAULT, annotations_hash: null });
  }
  return storeDraft(blobs, root);
}

/** Stores a draft's directories children first (post-order with an explicit stack: depth is bounded by the path limits). */
function storeDraft(blobs: AdapterBlobs, root: DirectoryDraft): Hash {
  const stored = new Map<DirectoryDraft, Hash>();
  const pending: Array<{ readonly draft: DirectoryDraft; readonly expanded: boolean }> = [{ draft: root, expanded: false }];
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    if (!item.expanded) {
      pending.push({ draft: item.draft, expanded: true });
      for (const child of item.draft.dirs.values()) pending.push({ draft: child, expanded: false });
      continue;
    }
    const dirs = [...item.draft.dirs].map(([name, child]): TreeEntry => ({ name, kind: 'dir', hash: storedHash(stored, child), size: 0, mode: DIR_MODE_DEFAULT, annotations_hash: null }));
    stored.set(item.draft, putTree(blobs, { entries: [...item.draft.files.values(), ...dirs], annotations_hash: null }));
  }
  return storedHash(stored, root);
}

function storedHash(stored: ReadonlyMap<DirectoryDraft, Hash>, draft: DirectoryDraft): Hash {
  const hash = stored.get(draft);
  assert(hash !== undefined, 'a directory is stored after its children');
  return hash;
}
