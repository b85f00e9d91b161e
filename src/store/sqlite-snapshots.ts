// A world's snapshot index in node.sqlite3 (the snapshots themselves are CAS objects).
import { isHash } from '../cbor/index.ts';
import type { Hash } from '../cbor/index.ts';
import { StoreError } from './errors.ts';
import { assertHeight } from './journal-checks.ts';
import { checkSnapshotRecord, snapshotRef } from './snapshot-checks.ts';
import { integerColumn, textColumn } from './sqlite-database.ts';
import type { SqliteDatabase, SqliteRow } from './sqlite-database.ts';
import type { SnapshotIndex, SnapshotRef } from './types.ts';

const SELECT_AT = 'SELECT height, hash, manifest_hash FROM snapshots WHERE world_key = ? AND height = ?';
const SELECT_COUNT = 'SELECT count(*) AS count FROM snapshots WHERE world_key = ?';
const INSERT = 'INSERT INTO snapshots (world_key, height, hash, manifest_hash) VALUES (?, ?, ?, ?)';
const SELECT_LATEST = 'SELECT height, hash, manifest_hash FROM snapshots WHERE world_key = ? ORDER BY height DESC LIMIT 1';
const SELECT_ALL = 'SELECT height, hash, manifest_hash FROM snapshots WHERE world_key = ? ORDER BY height';
const DELETE_AT = 'DELETE FROM snapshots WHERE world_key = ? AND height = ?';

/** One world's snapshot rows in the node database. */
export class SqliteSnapshots implements SnapshotIndex {
  constructor(
    private readonly database: SqliteDatabase,
    private readonly worldKey: number,
    private readonly worldId: string,
  ) {}

  record(height: number, snapshotHash: Hash, manifestHash: Hash): void {
    const ref = snapshotRef(height, snapshotHash, manifestHash);
    this.database.transaction(() => {
      const row = this.database.get(SELECT_AT, this.worldKey, height);
      const existing = row === undefined ? null : this.refOf(row);
      const countRow = this.database.get(SELECT_COUNT, this.worldKey);
      const count = countRow === undefined ? 0 : integerColumn(countRow, 'count');
      if (checkSnapshotRecord(this.worldId, ref, existing, count)) this.database.run(INSERT, this.worldKey, height, snapshotHash, manifestHash);
    });
  }

  latest(): SnapshotRef | null {
    const row = this.database.get(SELECT_LATEST, this.worldKey);
    return row === undefined ? null : this.refOf(row);
  }

  // Bounded: record() refuses a snapshot past SNAPSHOTS_PER_WORLD_MAX.
  list(): SnapshotRef[] {
    return this.database.all(SELECT_ALL, this.worldKey).map((row) => this.refOf(row));
  }

  remove(height: number): boolean {
    assertHeight(height, 'a snapshot height');
    return this.database.run(DELETE_AT, this.worldKey, height) > 0;
  }

  private refOf(row: SqliteRow): SnapshotRef {
    const height = integerColumn(row, 'height');
    const hash = textColumn(row, 'hash');
    const manifestHash = textColumn(row, 'manifest_hash');
    if (!isHash(hash) || !isHash(manifestHash)) {
      throw new StoreError('DATABASE_CORRUPT', `world ${this.worldId} snapshot at height ${height} in ${this.database.file}: a stored hash is malformed; restore the database from a backup`);
    }
    return snapshotRef(height, hash, manifestHash);
  }
}
