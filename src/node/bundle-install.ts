// Writing a world's parts (from a checked bundle, or a fork's prefix) into a new world folder:
// everything goes into a staging folder first, the staged world is reopened and replayed from
// genesis and from every snapshot (replay or die) and audited, and only then is its `.aos`
// renamed into place. A failure leaves the target as it was.
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Hash } from '../cbor/index.ts';
import { CAS_PUT_MANY_OBJECTS_MAX, JOURNAL_APPEND_BYTES_MAX, JOURNAL_APPEND_ENTRIES_MAX, openSqliteNodeStore, StoreError } from '../store/index.ts';
import { KernelError } from '../kernel/index.ts';
import type { SealedRecord } from '../kernel/index.ts';
import { auditWorld } from './audit.ts';
import type { AuditReport } from './audit.ts';
import type { ProgressListener, WorldParts } from './bundle-source.ts';
import { EMBEDDED_WORLD_ID, EmbeddedWorld } from './embedded-world.ts';
import { NodeError } from './errors.ts';

/** What the replay of an installed world checked. */
export interface ReplayCheck {
  readonly heights: number;
  readonly snapshots: number;
  readonly head: Hash | null;
  readonly audit: AuditReport;
}

/** Installs `parts` as the world of folder `target` (which must hold none); `extraMeta` adds meta entries (a fork's lineage). */
export async function installWorld(target: string, parts: WorldParts, extraMeta: ReadonlyArray<readonly [string, Uint8Array]> = [], onProgress?: ProgressListener): Promise<ReplayCheck> {
  const root = resolve(target);
  if (existsSync(join(root, '.aos'))) {
    throw new NodeError('TARGET_EXISTS', `${root} already holds a world (${join(root, '.aos')})`, 'pick an empty or new folder, or delete that .aos folder first if you mean to replace the world');
  }
  mkdirSync(root, { recursive: true });
  const staging = mkdtempSync(join(root, '.aos-staging-'));
  try {
    const check = await stageAndReplay(staging, parts, extraMeta, onProgress);
    renameSync(join(staging, '.aos'), join(root, '.aos'));
    return check;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** Writes `parts` into a temporary folder, replays and audits them there, then deletes it (`aos audit verify <bundle>`). */
export async function replayParts(parts: WorldParts, onProgress?: ProgressListener): Promise<ReplayCheck> {
  const staging = mkdtempSync(join(tmpdir(), 'aos-replay-'));
  try {
    return await stageAndReplay(staging, parts, [], onProgress);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

async function stageAndReplay(staging: string, parts: WorldParts, extraMeta: ReadonlyArray<readonly [string, Uint8Array]>, onProgress?: ProgressListener): Promise<ReplayCheck> {
  writeParts(staging, parts, extraMeta, onProgress);
  onProgress?.('replaying from genesis and every snapshot', 0, 0);
  let world: EmbeddedWorld;
  try {
    world = await EmbeddedWorld.open(staging, { readOnly: true });
  } catch (error) {
    throw replayFailed(error);
  }
  try {
    const replayed = await world.verifyReplay().catch((error: unknown) => { throw replayFailed(error); });
    return { ...replayed, audit: auditWorld(world) };
  } finally {
    world.close();
  }
}

function writeParts(staging: string, parts: WorldParts, extraMeta: ReadonlyArray<readonly [string, Uint8Array]>, onProgress?: ProgressListener): void {
  const store = openSqliteNodeStore(staging);
  try {
    const world = store.create(EMBEDDED_WORLD_ID);
    for (const [key, value] of [...parts.meta, ...extraMeta]) world.meta.put(key, value);
    for (let start = 0; start < parts.objects.length; start += CAS_PUT_MANY_OBJECTS_MAX) {
      world.cas.putMany(parts.objects.slice(start, start + CAS_PUT_MANY_OBJECTS_MAX).map((hash) => parts.object(hash)));
      onProgress?.('writing CAS objects', start, parts.objects.length);
    }
    for (const batch of appendBatches(parts.records)) {
      world.journal.append(batch.map((record) => ({ height: record.height, kind: record.body.kind, bytes: record.bytes, hash: record.hash })));
      for (const record of batch) if (record.body.kind === 'snapshot') world.snapshots.record(record.height, record.body.snapshot_hash, record.body.manifest_hash);
      onProgress?.('writing the journal', (batch.at(-1)?.height ?? 0) + 1, parts.records.length);
    }
  } finally {
    store.close();
  }
}

/** The records in runs one journal append takes: at most JOURNAL_APPEND_ENTRIES_MAX records and JOURNAL_APPEND_BYTES_MAX bytes. */
function* appendBatches(records: readonly SealedRecord[]): Generator<SealedRecord[]> {
  let batch: SealedRecord[] = [];
  let bytes = 0;
  for (const record of records) {
    if (batch.length > 0 && (batch.length >= JOURNAL_APPEND_ENTRIES_MAX || bytes + record.bytes.length > JOURNAL_APPEND_BYTES_MAX)) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push(record);
    bytes += record.bytes.length;
  }
  if (batch.length > 0) yield batch;
}

function replayFailed(error: unknown): unknown {
  if (!(error instanceof KernelError || error instanceof StoreError || error instanceof NodeError)) return error;
  return new NodeError('REPLAY_FAILED', `the world does not replay (replay or die): ${error.message}`, 'the journal and its objects do not reproduce the world: do not use this copy; export the source world again', { cause: error });
}
