import { assert, isHash } from '../cbor/index.ts';
import type { Hash } from '../cbor/index.ts';
import { StoreError } from './errors.ts';
import { assertHeight } from './journal-checks.ts';
import { SNAPSHOTS_PER_WORLD_MAX } from './limits.ts';
import type { SnapshotRef } from './types.ts';

/**
 * Checks a snapshot before it is indexed. Returns false when the same snapshot is already
 * indexed (recording is idempotent, so a retried checkpoint is harmless); refuses a different
 * snapshot at the same height, and a new one past SNAPSHOTS_PER_WORLD_MAX.
 */
export function checkSnapshotRecord(worldId: string, ref: SnapshotRef, existing: SnapshotRef | null, indexedCount: number): boolean {
  assertHeight(ref.height, 'a snapshot height');
  assert(isHash(ref.hash) && isHash(ref.manifest_hash), 'snapshot hashes are well formed');
  if (existing !== null) {
    if (existing.hash === ref.hash && existing.manifest_hash === ref.manifest_hash) return false;
    throw new StoreError(
      'SNAPSHOT_CONFLICT',
      `world ${worldId} height ${ref.height}: snapshot ${ref.hash} (manifest ${ref.manifest_hash}) differs from the one indexed, ` +
        `${existing.hash} (manifest ${existing.manifest_hash}); replay from the earlier snapshot to find which is wrong`,
    );
  }
  if (indexedCount >= SNAPSHOTS_PER_WORLD_MAX) {
    throw new StoreError('LIMIT_EXCEEDED', `world ${worldId}: ${indexedCount} snapshots are indexed (SNAPSHOTS_PER_WORLD_MAX); remove old ones before recording height ${ref.height}`);
  }
  return true;
}

/** A snapshot reference from its parts. */
export function snapshotRef(height: number, hash: Hash, manifestHash: Hash): SnapshotRef {
  return { height, hash, manifest_hash: manifestHash };
}
