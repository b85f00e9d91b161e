// Snapshots: the whole kernel state at a height, content-addressed (DESIGN §6). Cells are
// written in chunks so a snapshot of many cells is many small CAS nodes, not one huge one.
import { decodeCanonical, encodeCanonical, hashBytes, isCborObject } from '../cbor/index.ts';
import type { CborValue, Hash } from '../cbor/index.ts';
import type { CellStatus, CellTable } from './cells.ts';
import { KernelError } from './errors.ts';
import { SNAPSHOT_CELLS_PER_CHUNK } from './limits.ts';
import type { OpenIntent } from './open-work.ts';

/** Where snapshot nodes go: the world's CAS, supplied by the caller (memory in tests). */
export interface ContentStore {
  put(bytes: Uint8Array): Hash;
  get(hash: Hash): Uint8Array;
}

/** What a snapshot restores. */
export interface SnapshotState {
  readonly height: number;
  readonly manifestHash: Hash;
  readonly chainHead: Hash | null;
  readonly logicalNowNs: bigint;
  readonly cells: ReadonlyArray<{ module: string; key: Uint8Array | null; state: Uint8Array | null; status: CellStatus; open: Hash[] }>;
  readonly open: readonly OpenIntent[];
}

/** Writes the state's chunks and root into the store; returns the root's hash. */
export function writeSnapshot(store: ContentStore, height: number, manifestHash: Hash, chainHead: Hash | null, logicalNowNs: bigint, cells: CellTable, open: ReadonlyMap<Hash, OpenIntent>): Hash {
  const rows = cells.all().map((cell) => [cell.module, cell.key, cell.state, cell.status, [...cell.open].sort()] as CborValue);
  const chunks: Hash[] = [];
  for (let start = 0; start < rows.length; start += SNAPSHOT_CELLS_PER_CHUNK) {
    chunks.push(store.put(encodeCanonical(rows.slice(start, start + SNAPSHOT_CELLS_PER_CHUNK))));
  }
  const intents = [...open.values()].sort((a, b) => (a.hash < b.hash ? -1 : 1)).map((intent) => ({
    hash: intent.hash, kind: intent.kind, params: intent.params, module: intent.module, key: intent.key,
    issuer_ref: intent.issuerRef ?? null, emitted_at: intent.emittedAt, idempotency_key: intent.idempotencyKey, cap_slot: intent.capSlot,
  }));
  const root = { version: 1, height, manifest_hash: manifestHash, chain_head: chainHead, logical_now_ns: logicalNowNs, cell_chunks: chunks, open: intents };
  return store.put(encodeCanonical(root as unknown as CborValue));
}

/** Reads a snapshot back, checking every node's hash (the store verifies) and shape. */
export function readSnapshot(store: ContentStore, hash: Hash): SnapshotState {
  const root = decode(store.get(hash), hash);
  const chunks = root.cell_chunks;
  const open = root.open;
  if (!Array.isArray(chunks) || !Array.isArray(open)) throw new KernelError('SNAPSHOT_INVALID', `snapshot ${hash} has no cell chunks or open work`);
  const cells = chunks.flatMap((chunk) => {
    const rows = decodeCanonical(store.get(chunk as Hash));
    if (!Array.isArray(rows)) throw new KernelError('SNAPSHOT_INVALID', `snapshot ${hash}: chunk ${String(chunk)} is not a list of cells`);
    return rows.map((row) => {
      const [module, key, state, status, intents] = row as [string, Uint8Array | null, Uint8Array | null, CellStatus, Hash[]];
      return { module, key, state, status, open: intents };
    });
  });
  return {
    height: Number(root.height), manifestHash: root.manifest_hash as Hash, chainHead: (root.chain_head ?? null) as Hash | null,
    logicalNowNs: BigInt(root.logical_now_ns as number | bigint), cells,
    open: open.map((entry) => {
      const intent = entry as Record<string, CborValue>;
      return {
        hash: intent.hash as Hash, kind: intent.kind as string, params: intent.params as Uint8Array, module: intent.module as string,
        key: (intent.key ?? null) as Uint8Array | null, issuerRef: (intent.issuer_ref ?? undefined) as string | undefined,
        emittedAt: Number(intent.emitted_at), idempotencyKey: intent.idempotency_key as Uint8Array, capSlot: intent.cap_slot as string,
      };
    }),
  };
}

function decode(bytes: Uint8Array, hash: Hash): Record<string, CborValue> {
  const value = decodeCanonical(bytes);
  if (!isCborObject(value) || value.version !== 1) throw new KernelError('SNAPSHOT_INVALID', `snapshot ${hash} is not a version-1 snapshot root`);
  if (hashBytes(bytes) !== hash) throw new KernelError('SNAPSHOT_INVALID', `snapshot ${hash} does not match its bytes`);
  return value as Record<string, CborValue>;
}
