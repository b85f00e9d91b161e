// The nodes of the cell index as canonical CBOR (DESIGN §6). A node's bytes are a function of
// the set of cells below it only, so equal states always give equal roots, whatever the
// history that led to them.
//
//   leaf   {kind: "leaf", entries: [[key_hash, key, status, open, state, state_hash], …]}
//          1..CELL_INDEX_LEAF_ENTRIES_MAX entries sorted by key_hash (32 bytes, sha256 of the key
//          bytes; a non-keyed cell has key null and hashes the empty string). open: the intent
//          hashes the cell waits on, sorted. state: bytes up to CELL_STATE_INLINE_BYTES_MAX, else
//          null with state_hash naming a CAS blob of the state (spill); both null for no state.
//   branch {kind: "branch", count, children: [[digit, child_hash, child_count], …]}
//          the subtree holds more than CELL_INDEX_LEAF_ENTRIES_MAX cells; children sorted by
//          digit, the hex digit of key_hash at this depth; counts sum to count.
import { assert, decodeVerified, encodeCanonical, hashBytes, hashDigest, isCborObject, isHash, toHex } from '../cbor/index.ts';
import type { CborValue, Hash } from '../cbor/index.ts';
import type { CellStatus } from './cells.ts';
import { KernelError } from './errors.ts';
import { CELL_INDEX_LEAF_ENTRIES_MAX, CELL_STATE_INLINE_BYTES_MAX } from './limits.ts';

/** Children per branch: one hex digit of the key hash per level. Part of the index format. */
export const CELL_INDEX_BRANCH_FANOUT = 16;
/** Levels a key hash can address: 64 hex digits of sha256. */
export const CELL_INDEX_DEPTH_MAX = 64;

/** One cell as the index stores it; `keyHash` is the lowercase hex of `keyDigest`, kept to compare and index by. */
export interface IndexEntry {
  readonly keyHash: string;
  readonly keyDigest: Uint8Array;
  readonly key: Uint8Array | null;
  readonly status: CellStatus;
  readonly open: readonly Hash[];
  readonly state: Uint8Array | null;
  readonly stateHash: Hash | null;
}

/** A child of a branch: the hex digit it sits under, its node, and the cells below it. */
export interface BranchChild {
  readonly digit: number;
  readonly hash: Hash;
  readonly count: number;
}

export type IndexNode =
  | { readonly kind: 'leaf'; readonly entries: readonly IndexEntry[] }
  | { readonly kind: 'branch'; readonly count: number; readonly children: readonly BranchChild[] };

const STATUSES: ReadonlySet<string> = new Set<CellStatus>(['running', 'waiting', 'completed', 'failed']);

/** The hex sha256 of a cell's key bytes: where the cell sits in the index. */
export function keyHashOf(key: Uint8Array | null): string {
  return hashBytes(key ?? new Uint8Array(0)).slice('sha256:'.length);
}

/** The sha256 of a cell's key bytes, as hex and as the digest bytes a leaf stores. */
export function keyDigestOf(key: Uint8Array | null): { keyHash: string; keyDigest: Uint8Array } {
  const hash = hashBytes(key ?? new Uint8Array(0));
  return { keyHash: hash.slice('sha256:'.length), keyDigest: hashDigest(hash) };
}

/** The hex digit of a key hash at `depth`: which child of a branch at that depth holds it. */
export function digitAt(keyHash: string, depth: number): number {
  const digit = Number.parseInt(keyHash.charAt(depth), 16);
  assert(!Number.isNaN(digit), 'the index is no deeper than a key hash has digits');
  return digit;
}

/** Canonical bytes of a leaf. */
export function encodeLeaf(entries: readonly IndexEntry[]): Uint8Array {
  assert(entries.length > 0 && entries.length <= CELL_INDEX_LEAF_ENTRIES_MAX, 'a leaf holds 1 to its limit of cells');
  return encodeCanonical({
    kind: 'leaf',
    entries: entries.map((entry) => [entry.keyDigest, entry.key, entry.status, [...entry.open], entry.state, entry.stateHash]),
  });
}

/** Canonical bytes of a branch. */
export function encodeBranch(count: number, children: readonly BranchChild[]): Uint8Array {
  return encodeCanonical({ kind: 'branch', count, children: children.map((child) => [child.digit, child.hash, child.count]) });
}

/** Decodes and checks a node read from the store; anything malformed is CELL_INDEX_CORRUPT, naming the node. */
export function decodeNode(bytes: Uint8Array, hash: Hash): IndexNode {
  if (hashBytes(bytes) !== hash) corrupt(hash, 'its bytes do not match its hash');
  let value: CborValue;
  try {
    value = decodeVerified(bytes);
  } catch (error) {
    throw new KernelError('CELL_INDEX_CORRUPT', `cell index node ${hash} is not canonical CBOR: ${(error as Error).message}`, { cause: error });
  }
  if (!isCborObject(value)) return corrupt(hash, 'it is not a map');
  if (value.kind === 'leaf' && Array.isArray(value.entries)) return { kind: 'leaf', entries: decodeEntries(value.entries, hash) };
  if (value.kind === 'branch' && Array.isArray(value.children) && typeof value.count === 'number') {
    return { kind: 'branch', count: value.count, children: decodeChildren(value.count, value.children, hash) };
  }
  return corrupt(hash, 'it is neither a leaf nor a branch');
}

/** Checks that a node sits where its parent says: the cells it holds, and (for a leaf) their key hash prefix. */
export function checkPlacement(node: IndexNode, hash: Hash, prefix: string, count: number | undefined): void {
  const held = node.kind === 'leaf' ? node.entries.length : node.count;
  if (count !== undefined && held !== count) corrupt(hash, `its parent counts ${count} cells below it, it holds ${held}`);
  if (node.kind === 'leaf' && !node.entries.every((entry) => entry.keyHash.startsWith(prefix))) {
    corrupt(hash, `it holds a cell whose key hash does not start with ${prefix || 'nothing'}, its place in the index`);
  }
}

/** Throws CELL_INDEX_CORRUPT naming the node and what is wrong with it. */
export function corrupt(hash: Hash, what: string): never {
  throw new KernelError('CELL_INDEX_CORRUPT', `cell index node ${hash} is corrupt: ${what}; restore the world's CAS from a backup, or replay it from genesis`);
}

function decodeEntries(rows: readonly CborValue[], hash: Hash): IndexEntry[] {
  if (rows.length === 0 || rows.length > CELL_INDEX_LEAF_ENTRIES_MAX) corrupt(hash, `a leaf holds ${rows.length} cells, not 1 to ${CELL_INDEX_LEAF_ENTRIES_MAX}`);
  let previous = '';
  return rows.map((row, position) => {
    if (!Array.isArray(row) || row.length !== 6) return corrupt(hash, `entry ${position} is not a 6-element list`);
    const [keyHash, key, status, open, state, stateHash] = row as CborValue[];
    if (!(keyHash instanceof Uint8Array) || keyHash.length !== 32) return corrupt(hash, `entry ${position} has no 32-byte key hash`);
    const keyHashHex = toHex(keyHash);
    if (keyHashHex <= previous) corrupt(hash, `entry ${position} is out of key hash order`);
    previous = keyHashHex;
    if (key !== null && !(key instanceof Uint8Array)) corrupt(hash, `entry ${position} has a key that is neither bytes nor null`);
    if (typeof status !== 'string' || !STATUSES.has(status)) corrupt(hash, `entry ${position} has status ${String(status)}`);
    if (!Array.isArray(open) || !open.every((intent, index) => isHash(intent) && (index === 0 || String(open[index - 1]) < intent))) {
      corrupt(hash, `entry ${position} has open intents that are not sorted hashes`);
    }
    if (state !== null && (!(state instanceof Uint8Array) || state.length > CELL_STATE_INLINE_BYTES_MAX)) corrupt(hash, `entry ${position} has an inline state that is not bytes of at most ${CELL_STATE_INLINE_BYTES_MAX}`);
    if (stateHash !== null && (!isHash(stateHash) || state !== null)) corrupt(hash, `entry ${position} has a spilled state hash that is not a hash alone`);
    return { keyHash: keyHashHex, keyDigest: keyHash, key, status: status as CellStatus, open: open as Hash[], state, stateHash: stateHash as Hash | null };
  });
}

function decodeChildren(count: number, rows: readonly CborValue[], hash: Hash): BranchChild[] {
  if (!Number.isSafeInteger(count) || count <= CELL_INDEX_LEAF_ENTRIES_MAX) corrupt(hash, `a branch counts ${count} cells, which a leaf would hold`);
  let total = 0;
  const children = rows.map((row, position) => {
    if (!Array.isArray(row) || row.length !== 3) return corrupt(hash, `child ${position} is not a 3-element list`);
    const [digit, child, childCount] = row as CborValue[];
    if (typeof digit !== 'number' || digit < 0 || digit >= CELL_INDEX_BRANCH_FANOUT) return corrupt(hash, `child ${position} has digit ${String(digit)}`);
    if (!isHash(child)) return corrupt(hash, `child ${position} is not a hash`);
    if (typeof childCount !== 'number' || !Number.isSafeInteger(childCount) || childCount < 1) return corrupt(hash, `child ${position} counts ${String(childCount)} cells`);
    total += childCount;
    return { digit, hash: child, count: childCount };
  });
  if (!children.every((child, index) => index === 0 || (children[index - 1]?.digit ?? 16) < child.digit)) corrupt(hash, 'its children are not in digit order');
  if (total !== count) corrupt(hash, `its children hold ${total} cells, it counts ${count}`);
  return children;
}
