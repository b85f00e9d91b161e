// One directory of a workspace tree, stored in the CAS as the canonical CBOR (self-describe
// prefix included) of upstream's sys/WorkspaceTree@2 {entries, annotations_hash}, each entry a
// sys/WorkspaceEntry@2 {name, kind, hash, size, mode, annotations_hash}:
// - kind "file": hash names the file's bytes (a raw CAS blob), size is their length;
// - kind "dir": hash names the child tree node, size is 0;
// - mode is a Unix permission value (0o644 for files and 0o755 for directories unless set);
// - entries are sorted by name (UTF-8 byte order) and names are unique, so equal trees always
//   have equal bytes and one hash: the root hash names a whole tree.
// A node read back is checked against the schema and these rules; anything else is
// WORKSPACE_TREE_INVALID (a hash that names a blob, not a tree).
import { builtinCatalog, valueFromCbor, AirError } from '../../air/index.ts';
import { CborError, decodeCanonical, encodeCanonical, InvariantError, isCborObject } from '../../cbor/index.ts';
import type { CborValue, Hash } from '../../cbor/index.ts';
import type { AdapterBlobs } from '../adapter.ts';
import { AdapterError } from '../errors.ts';
import { WORKSPACE_NAME_BYTES_MAX, WORKSPACE_TREE_ENTRIES_MAX } from '../limits.ts';
import { comparePaths } from './paths.ts';

/** The schema of a tree node. */
export const WORKSPACE_TREE_SCHEMA = 'sys/WorkspaceTree@2';
/** Mode of a file written without one. */
export const FILE_MODE_DEFAULT = 0o644;
/** Mode of a directory. */
export const DIR_MODE_DEFAULT = 0o755;
/** Largest mode accepted (permission and special bits). */
export const MODE_MAX = 0o7777;

/** An entry's kind: a file's bytes, or a directory's tree node. */
export type EntryKind = 'file' | 'dir';

/** One entry of a tree node (sys/WorkspaceEntry@2). */
export interface TreeEntry {
  readonly name: string;
  readonly kind: EntryKind;
  readonly hash: Hash;
  readonly size: number;
  readonly mode: number;
  readonly annotations_hash: Hash | null;
}

/** A tree node (sys/WorkspaceTree@2). */
export interface TreeNode {
  readonly entries: readonly TreeEntry[];
  readonly annotations_hash: Hash | null;
}

/** The node of an empty directory. */
export const EMPTY_TREE: TreeNode = Object.freeze({ entries: Object.freeze([]), annotations_hash: null });

/** Stores a node (entries sorted here) and returns its hash. */
export function putTree(blobs: AdapterBlobs, node: TreeNode): Hash {
  const entries = [...node.entries].sort((a, b) => comparePaths(a.name, b.name));
  if (entries.length > WORKSPACE_TREE_ENTRIES_MAX) {
    throw new AdapterError('WORKSPACE_TOO_LARGE', `a directory would hold ${entries.length} entries, over the ${WORKSPACE_TREE_ENTRIES_MAX}-entry limit (WORKSPACE_TREE_ENTRIES_MAX)`);
  }
  const value = { entries: entries.map((entry) => ({ ...entry })), annotations_hash: node.annotations_hash };
  return blobs.put(encodeCanonical(value));
}

/** Reads and checks the node `hash` names. */
export function getTree(blobs: AdapterBlobs, hash: Hash): TreeNode {
  let bytes: Uint8Array;
  try {
    bytes = blobs.get(hash);
  } catch (error) {
    if (error instanceof InvariantError) throw error;
    throw notATree(hash, `it cannot be read from the CAS (${error instanceof Error ? error.message : String(error)})`);
  }
  let value: CborValue;
  try {
    value = valueFromCbor(decodeCanonical(bytes), { ref: WORKSPACE_TREE_SCHEMA }, builtinCatalog(), { def: WORKSPACE_TREE_SCHEMA, path: 'tree' });
  } catch (error) {
    if (!(error instanceof AirError || error instanceof CborError)) throw error;
    throw notATree(hash, `it is not a ${WORKSPACE_TREE_SCHEMA} node (${error.message})`);
  }
  if (!isCborObject(value) || !Array.isArray(value['entries'])) throw notATree(hash, 'it has no entries');
  const entries = value['entries'].map((entry) => entryOf(hash, entry));
  if (entries.length > WORKSPACE_TREE_ENTRIES_MAX) throw notATree(hash, `it has ${entries.length} entries, over WORKSPACE_TREE_ENTRIES_MAX`);
  for (let index = 1; index < entries.length; index += 1) {
    if (comparePaths((entries[index - 1] as TreeEntry).name, (entries[index] as TreeEntry).name) >= 0) throw notATree(hash, 'its entries are not sorted by name without repeats');
  }
  return { entries, annotations_hash: (value['annotations_hash'] ?? null) as Hash | null };
}

function entryOf(tree: Hash, value: CborValue): TreeEntry {
  if (!isCborObject(value)) throw notATree(tree, 'an entry is not a record');
  const { name, kind, hash, size, mode } = value;
  if (typeof name !== 'string' || name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\\') || name.includes('\0')
    || Buffer.byteLength(name, 'utf8') > WORKSPACE_NAME_BYTES_MAX) {
    throw notATree(tree, `entry name ${JSON.stringify(name)} is not a single path segment`);
  }
  if (kind !== 'file' && kind !== 'dir') throw notATree(tree, `entry ${name} has kind ${JSON.stringify(kind)}, not "file" or "dir"`);
  const sizeNumber = Number(size);
  const modeNumber = Number(mode);
  if (!Number.isSafeInteger(sizeNumber) || !Number.isSafeInteger(modeNumber) || modeNumber > MODE_MAX) throw notATree(tree, `entry ${name} has a size or mode out of range`);
  return { name, kind, hash: hash as Hash, size: sizeNumber, mode: modeNumber, annotations_hash: (value['annotations_hash'] ?? null) as Hash | null };
}

function notATree(hash: Hash, why: string): AdapterError {
  return new AdapterError('WORKSPACE_TREE_INVALID', `${hash} is not a workspace tree: ${why}`);
}
