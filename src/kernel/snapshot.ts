// Snapshots: the kernel state at a height, content-addressed (DESIGN §6). Cells are not in the
// snapshot root: it names each module's cell index root, so a snapshot writes only what changed
// since the last one, and a restore reads cells when they are first used.
//
//   {version: 2, height, manifest_hash, chain_head, logical_now_ns,
//    cell_index: {leaf_entries_max, branch_fanout, state_inline_bytes_max},
//    cell_roots: [[module, root], …] sorted by module, only modules that have cells,
//    open: [{hash, kind, params, module, key, issuer_ref, emitted_at, idempotency_key, cap_slot, grant,
//            approval?: {record, approvers: [key id, …]}, reserved?: [cost_cents, tokens, count], frames?}, …]
//          sorted by hash (approval only while pending, reserved only under a grant with a budget,
//          frames only once a stream frame was admitted: the last frame's seq),
//    budgets?: [[grant, [[at_ns, cost_cents, tokens, count], …]], …] sorted by grant (only when some grant was charged),
//    budget_peaks?: [[grant, cost_cents], …] sorted by grant (only grants a receipt charged a cost),
//    proposals?: [{id, status, patch_hash, …}, …] by id (governance/proposal-ledger.ts; only when there are some),
//    trusted_keys?: {trusted: [[adapter_id, [key id, …]], …], retired: […]} sorted by adapter_id
//          (only after a key_rotation: before one, the trusted_keys record at height 1 says it all)}
// The optional parts are left out when empty, so a world without approvals or budgets writes the
// snapshot bytes it always did. A grant's reservations are not stored apart: they are the sum of
// its open intents' `reserved`.
import { decodeVerified, encodeCanonical, hashBytes, isCborObject, isHash } from '../cbor/index.ts';
import type { CborValue, Hash } from '../cbor/index.ts';
import { CELL_INDEX_BRANCH_FANOUT } from './cell-index-node.ts';
import type { ContentStore } from './content-store.ts';
import { KernelError } from './errors.ts';
import { CELL_INDEX_LEAF_ENTRIES_MAX, CELL_STATE_INLINE_BYTES_MAX } from './limits.ts';
import type { BudgetAmounts, BudgetCharge } from './budgets.ts';
import type { OpenIntent } from './open-work.ts';
import { isPublicKeyId, parsePublicKeyId, publicKeyId } from './public-key.ts';
import type { PublicKeyId } from './public-key.ts';
import type { TrustedReceiptKeys } from './receipt-signature.ts';
import type { TrustedKeyState } from './trusted-keys.ts';

/** What a snapshot holds, and what restoring it gives back. */
export interface SnapshotState {
  readonly height: number;
  readonly manifestHash: Hash;
  readonly chainHead: Hash | null;
  readonly logicalNowNs: bigint;
  readonly cellRoots: ReadonlyMap<string, Hash>;
  readonly open: readonly OpenIntent[];
  /** Budget charges by grant, sorted by grant. */
  readonly budgets: ReadonlyArray<readonly [string, readonly BudgetCharge[]]>;
  /** The largest cost one receipt charged, by grant (above zero only), sorted by grant. */
  readonly budgetPeaks: ReadonlyArray<readonly [string, bigint]>;
  /** Governance proposals by id (governance/proposal-ledger.ts); an empty list is left out. */
  readonly proposals?: CborValue;
  /** The trusted and retired receipt keys, once a key_rotation changed them. */
  readonly keys?: TrustedKeyState;
}

const SNAPSHOT_VERSION = 2;

// The index parameters that shape node bytes: a reader with others would read the roots wrongly.
const CELL_INDEX_FORMAT = {
  leaf_entries_max: CELL_INDEX_LEAF_ENTRIES_MAX, branch_fanout: CELL_INDEX_BRANCH_FANOUT, state_inline_bytes_max: CELL_STATE_INLINE_BYTES_MAX,
};

/** Writes the snapshot root into the store (cell index nodes are already there); returns its hash. */
export function writeSnapshot(store: ContentStore, state: SnapshotState): Hash {
  const roots = [...state.cellRoots.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
  const intents = [...state.open].sort((a, b) => (a.hash < b.hash ? -1 : 1)).map((intent) => ({
    hash: intent.hash, kind: intent.kind, params: intent.params, module: intent.module, key: intent.key,
    issuer_ref: intent.issuerRef ?? null, emitted_at: intent.emittedAt, idempotency_key: intent.idempotencyKey, cap_slot: intent.capSlot,
    grant: intent.grant, ...(intent.approval === null ? {} : { approval: { record: intent.approval.record, approvers: [...intent.approval.approvers] } }),
    ...(intent.reserved === null ? {} : { reserved: [intent.reserved.costCents, intent.reserved.tokens, intent.reserved.count] }),
    ...(intent.frames === 0 ? {} : { frames: intent.frames }),
  }));
  const budgets = state.budgets.map(([grant, charges]) => [grant, charges.map((charge) => [charge.atNs, charge.costCents, charge.tokens, charge.count])]);
  const root = {
    version: SNAPSHOT_VERSION, height: state.height, manifest_hash: state.manifestHash, chain_head: state.chainHead,
    logical_now_ns: state.logicalNowNs, cell_index: CELL_INDEX_FORMAT, cell_roots: roots, open: intents, ...(budgets.length > 0 ? { budgets } : {}),
    ...(state.budgetPeaks.length > 0 ? { budget_peaks: state.budgetPeaks.map(([grant, peak]) => [grant, peak]) } : {}),
    ...(Array.isArray(state.proposals) && state.proposals.length > 0 ? { proposals: state.proposals } : {}),
    ...(state.keys === undefined ? {} : { trusted_keys: { trusted: keyEntries(state.keys.trusted), retired: keyEntries(state.keys.retired) } }),
  };
  return store.put(encodeCanonical(root as unknown as CborValue));
}

/** Reads a snapshot root back, checking its hash, version, index format and shape (not the cells: they load lazily). */
export function readSnapshot(store: ContentStore, hash: Hash): SnapshotState {
  const root = decode(store.get(hash), hash);
  const roots = root.cell_roots;
  const open = root.open;
  if (!Array.isArray(roots) || !Array.isArray(open)) throw new KernelError('SNAPSHOT_INVALID', `snapshot ${hash} has no cell roots or open work`);
  const cellRoots = new Map<string, Hash>();
  for (const pair of roots) {
    const [module, cellRoot] = Array.isArray(pair) ? pair : [];
    if (typeof module !== 'string' || !isHash(cellRoot) || cellRoots.has(module)) throw new KernelError('SNAPSHOT_INVALID', `snapshot ${hash} has a cell root that is not a distinct [module, hash] pair`);
    cellRoots.set(module, cellRoot);
  }
  return {
    height: Number(root.height), manifestHash: root.manifest_hash as Hash, chainHead: (root.chain_head ?? null) as Hash | null,
    logicalNowNs: BigInt(root.logical_now_ns as number | bigint), cellRoots,
    open: open.map((entry) => {
      const intent = entry as Record<string, CborValue>;
      return {
        hash: intent.hash as Hash, kind: intent.kind as string, params: intent.params as Uint8Array, module: intent.module as string,
        key: (intent.key ?? null) as Uint8Array | null, issuerRef: (intent.issuer_ref ?? undefined) as string | undefined,
        emittedAt: Number(intent.emitted_at), idempotencyKey: intent.idempotency_key as Uint8Array, capSlot: intent.cap_slot as string,
        grant: typeof intent.grant === 'string' ? intent.grant : '', approval: approvalOf(intent.approval, hash),
        reserved: reservedOf(intent.reserved, hash), frames: framesOf(intent.frames, hash),
      };
    }),
    budgets: budgetsOf(root.budgets, hash),
    budgetPeaks: peaksOf(root.budget_peaks, hash),
    ...(root.proposals !== undefined ? { proposals: root.proposals } : {}),
    ...(root.trusted_keys === undefined ? {} : { keys: keyStateOf(root.trusted_keys, hash) }),
  };
}

function keyEntries(keys: TrustedReceiptKeys): Array<[string, PublicKeyId[]]> {
  return [...keys.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([adapter, raws]) => [adapter, raws.map(publicKeyId).sort()]);
}

function keyStateOf(value: CborValue, hash: Hash): TrustedKeyState {
  const bad = () => new KernelError('SNAPSHOT_INVALID', `snapshot ${hash} has trusted_keys that are not {trusted, retired} lists of [adapter_id, [key id, …]]`);
  const mapOf = (list: CborValue | undefined): TrustedReceiptKeys => {
    if (!Array.isArray(list)) throw bad();
    const keys = new Map<string, Uint8Array[]>();
    for (const pair of list) {
      const [adapter, ids] = Array.isArray(pair) ? pair : [];
      if (typeof adapter !== 'string' || !Array.isArray(ids) || !ids.every(isPublicKeyId)) throw bad();
      keys.set(adapter, ids.map((id) => parsePublicKeyId(id as PublicKeyId, `trusted key of ${adapter}`)));
    }
    return keys;
  };
  if (!isCborObject(value)) throw bad();
  return { trusted: mapOf(value.trusted), retired: mapOf(value.retired) };
}

function framesOf(value: CborValue | undefined, hash: Hash): number {
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) throw new KernelError('SNAPSHOT_INVALID', `snapshot ${hash} has an open intent whose frame count is not a positive whole number`);
  return value;
}

function reservedOf(value: CborValue | undefined, hash: Hash): BudgetAmounts | null {
  if (value === undefined) return null;
  const fields = Array.isArray(value) ? value : [];
  if (fields.length !== 3 || !fields.every((field) => typeof field === 'number' || typeof field === 'bigint')) {
    throw new KernelError('SNAPSHOT_INVALID', `snapshot ${hash} has an open intent whose reservation is not [cost_cents, tokens, count]`);
  }
  const [costCents, tokens, count] = fields.map((field) => BigInt(field as number | bigint));
  return { costCents: costCents ?? 0n, tokens: tokens ?? 0n, count: count ?? 0n };
}

function peaksOf(value: CborValue | undefined, hash: Hash): Array<[string, bigint]> {
  if (value === undefined) return [];
  const bad = () => new KernelError('SNAPSHOT_INVALID', `snapshot ${hash} has budget_peaks that are not [grant, cost_cents] pairs`);
  if (!Array.isArray(value)) throw bad();
  return value.map((pair) => {
    const [grant, peak] = Array.isArray(pair) ? pair : [];
    if (typeof grant !== 'string' || (typeof peak !== 'number' && typeof peak !== 'bigint')) throw bad();
    return [grant, BigInt(peak)];
  });
}

function approvalOf(value: CborValue | undefined, hash: Hash): OpenIntent['approval'] {
  if (value === undefined) return null;
  if (!isCborObject(value) || !isHash(value.record) || !Array.isArray(value.approvers) || !value.approvers.every((key) => typeof key === 'string')) {
    throw new KernelError('SNAPSHOT_INVALID', `snapshot ${hash} has an open intent whose approval is not {record, approvers}`);
  }
  return { record: value.record, approvers: value.approvers as PublicKeyId[] };
}

function budgetsOf(value: CborValue | undefined, hash: Hash): Array<[string, BudgetCharge[]]> {
  if (value === undefined) return [];
  const bad = () => new KernelError('SNAPSHOT_INVALID', `snapshot ${hash} has budgets that are not [grant, [[at_ns, cost_cents, tokens, count], …]] pairs`);
  if (!Array.isArray(value)) throw bad();
  return value.map((pair) => {
    const [grant, charges] = Array.isArray(pair) ? pair : [];
    if (typeof grant !== 'string' || !Array.isArray(charges)) throw bad();
    return [grant, charges.map((charge) => {
      const fields = Array.isArray(charge) ? charge : [];
      if (fields.length !== 4 || !fields.every((field) => typeof field === 'number' || typeof field === 'bigint')) throw bad();
      const [atNs, costCents, tokens, count] = fields.map((field) => BigInt(field as number | bigint));
      return { atNs: atNs ?? 0n, costCents: costCents ?? 0n, tokens: tokens ?? 0n, count: count ?? 0n };
    })];
  });
}

/**
 * True when this kernel writes snapshots in the format of the one stored under `hash`; false
 * for a snapshot of another format (an older cell index), which replay keeps as journaled.
 */
export function isOwnSnapshotFormat(store: ContentStore, hash: Hash): boolean {
  try {
    decode(store.get(hash), hash);
    return true;
  } catch (error) {
    if (error instanceof KernelError && error.code === 'SNAPSHOT_FORMAT') return false;
    throw error;
  }
}

function decode(bytes: Uint8Array, hash: Hash): Record<string, CborValue> {
  if (hashBytes(bytes) !== hash) throw new KernelError('SNAPSHOT_INVALID', `snapshot ${hash} does not match its bytes`);
  const value = decodeVerified(bytes);
  if (!isCborObject(value)) throw new KernelError('SNAPSHOT_INVALID', `snapshot ${hash} is not a snapshot root`);
  if (value.version !== SNAPSHOT_VERSION) {
    throw new KernelError('SNAPSHOT_FORMAT', `snapshot ${hash} is version ${String(value.version)}; this kernel reads version ${SNAPSHOT_VERSION} (cells in a CAS index): replay the world from genesis`);
  }
  const format = value.cell_index ?? null;
  if (!isCborObject(format) || Object.entries(CELL_INDEX_FORMAT).some(([name, expected]) => format[name] !== expected)) {
    throw new KernelError('SNAPSHOT_FORMAT', `snapshot ${hash} has a cell index written with other parameters than this kernel's ${JSON.stringify(CELL_INDEX_FORMAT)}; replay the world from genesis`);
  }
  return value as Record<string, CborValue>;
}
