// A world's journal in node.sqlite3: one row per record. An append is one IMMEDIATE
// transaction, committed with an fsync of the WAL (now, or deferred: sqlite-database.ts), so it
// is the group commit point: the node batches the records of queued inputs into one call. The
// node CAS's staged objects (an adapter's outputs) are written by the same transaction, so they
// are durable no later than the records that name them. A deferred append is handed over as
// data (writeLater), to be committed on the database's writer thread: its heights are checked
// here against the head this journal last wrote, and a height some other writer took meanwhile
// fails the insert and stops the database.
import { assert, isHash } from '../cbor/index.ts';
import { StoreError } from './errors.ts';
import { assertHeight, checkAppendBatch, checkHeightsContinue, checkReadRange, verifyEntry } from './journal-checks.ts';
import { JOURNAL_READ_BYTES_MAX } from './limits.ts';
import { blobColumn, integerColumn, textColumn } from './sqlite-database.ts';
import type { NodeCas } from './node-cas.ts';
import type { SqliteDatabase, SqliteRow } from './sqlite-database.ts';
import type { Durability, JournalEntry, JournalHead, JournalStore } from './types.ts';

const SELECT_HEAD = 'SELECT height, hash FROM journal WHERE world_key = ? ORDER BY height DESC LIMIT 1';
const INSERT_ENTRY = 'INSERT INTO journal (world_key, height, kind, hash, bytes) VALUES (?, ?, ?, ?, ?)';
const SELECT_ENTRY = 'SELECT height, kind, hash, bytes FROM journal WHERE world_key = ? AND height = ?';
const SELECT_RANGE = 'SELECT height, kind, hash, bytes FROM journal WHERE world_key = ? AND height >= ? AND height < ? ORDER BY height';

/** One world's journal rows in the node database. */
export class SqliteJournal implements JournalStore {
  /** The height the next append starts at, once read or written here. */
  private next: number | null = null;

  constructor(
    private readonly database: SqliteDatabase,
    private readonly worldKey: number,
    private readonly worldId: string,
    private readonly cas: NodeCas,
  ) {}

  head(): JournalHead | null {
    const row = this.database.get(SELECT_HEAD, this.worldKey);
    if (row === undefined) return null;
    const height = integerColumn(row, 'height');
    return { next_height: height + 1, last_hash: this.hashOf(row, height) };
  }

  append(batch: readonly JournalEntry[], durability: Durability = 'now'): void {
    checkAppendBatch(this.worldId, batch);
    if (durability === 'deferred') {
      checkHeightsContinue(this.worldId, batch, this.next ?? this.head()?.next_height ?? 0);
      this.database.writeLater([...this.cas.stagedWrites(), ...batch.map((entry) => ({ sql: INSERT_ENTRY, parameters: [this.worldKey, entry.height, entry.kind, entry.hash, entry.bytes], changes: 1 }))]);
    } else {
      this.database.transaction(() => {
        const nextHeight = this.head()?.next_height ?? 0;
        checkHeightsContinue(this.worldId, batch, nextHeight);
        this.cas.writeStaged();
        let inserted = 0;
        for (const entry of batch) inserted += this.database.run(INSERT_ENTRY, this.worldKey, entry.height, entry.kind, entry.hash, entry.bytes);
        assert(inserted === batch.length, 'journal append: every record of the batch is a new row');
      }, 'now');
    }
    this.cas.committed();
    this.next = (batch.at(-1)?.height ?? -1) + 1;
  }

  read(fromHeight: number, limit: number): JournalEntry[] {
    checkReadRange(this.worldId, fromHeight, limit);
    const found: JournalEntry[] = [];
    let bytes = 0;
    this.database.each(SELECT_RANGE, [this.worldKey, fromHeight, fromHeight + limit], (row) => {
      const entry = this.entryOf(row, fromHeight + found.length);
      bytes += entry.bytes.length;
      found.push(entry);
      return bytes < JOURNAL_READ_BYTES_MAX;
    });
    return found;
  }

  entryAt(height: number): JournalEntry | null {
    assertHeight(height, 'a journal height');
    const row = this.database.get(SELECT_ENTRY, this.worldKey, height);
    if (row !== undefined) return this.entryOf(row, height);
    const nextHeight = this.head()?.next_height ?? 0;
    if (height < nextHeight) throw this.missing(height);
    return null;
  }

  // Rows come back in height order, so the first row whose height is not the expected one
  // means a row was deleted outside AgentOS.
  private entryOf(row: SqliteRow, expectedHeight: number): JournalEntry {
    const height = integerColumn(row, 'height');
    if (height !== expectedHeight) throw this.missing(expectedHeight);
    const entry = { height, kind: textColumn(row, 'kind'), bytes: blobColumn(row, 'bytes'), hash: this.hashOf(row, height) };
    return verifyEntry(this.worldId, entry, this.database.file);
  }

  private hashOf(row: SqliteRow, height: number): JournalEntry['hash'] {
    const hash = textColumn(row, 'hash');
    if (!isHash(hash)) {
      throw new StoreError('JOURNAL_CORRUPT', `world ${this.worldId} height ${height} in ${this.database.file}: the stored hash "${hash.slice(0, 80)}" is not a hash; restore the database from a backup`);
    }
    return hash;
  }

  private missing(height: number): StoreError {
    return new StoreError('JOURNAL_CORRUPT', `world ${this.worldId} height ${height} in ${this.database.file}: the record is missing below the head; restore the database from a backup`);
  }
}
