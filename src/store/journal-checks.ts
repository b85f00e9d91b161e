// Checks every journal backend applies in the same way, so both refuse the same batches with
// the same messages: the write side (an append continues the head exactly) and the read
// side (stored bytes still hash to the name they were written under).
import { assert, hashBytes, isHash } from '../cbor/index.ts';
import { StoreError } from './errors.ts';
import {
  JOURNAL_APPEND_BYTES_MAX,
  JOURNAL_APPEND_ENTRIES_MAX,
  JOURNAL_KIND_CHARS_MAX,
  JOURNAL_READ_ENTRIES_MAX,
  JOURNAL_RECORD_BYTES_MAX,
} from './limits.ts';
import type { JournalEntry } from './types.ts';

/** Asserts that a height is a natural number a journal can hold. */
export function assertHeight(height: number, what: string): void {
  assert(Number.isSafeInteger(height) && height >= 0, `${what} is a natural number`);
}

/**
 * Checks a batch before it is written: sizes within limits, and each hash the sha256 of its
 * bytes (the caller computed it, so a mismatch is our bug). Heights are checked against the
 * head by `checkHeightsContinue`, inside the write transaction.
 */
export function checkAppendBatch(worldId: string, batch: readonly JournalEntry[]): void {
  assert(batch.length > 0, 'an append carries at least one record');
  if (batch.length > JOURNAL_APPEND_ENTRIES_MAX) {
    throw new StoreError('LIMIT_EXCEEDED', `world ${worldId}: an append of ${batch.length} records exceeds JOURNAL_APPEND_ENTRIES_MAX (${JOURNAL_APPEND_ENTRIES_MAX}); split the batch`);
  }
  let batchBytes = 0;
  for (const entry of batch) {
    checkEntryShape(worldId, entry);
    batchBytes += entry.bytes.length;
  }
  if (batchBytes > JOURNAL_APPEND_BYTES_MAX) {
    throw new StoreError('LIMIT_EXCEEDED', `world ${worldId}: an append of ${batchBytes} bytes exceeds JOURNAL_APPEND_BYTES_MAX (${JOURNAL_APPEND_BYTES_MAX}); split the batch`);
  }
}

function checkEntryShape(worldId: string, entry: JournalEntry): void {
  assertHeight(entry.height, 'a journal height');
  assert(entry.kind.length > 0, 'a journal record has a kind');
  assert(isHash(entry.hash), 'a journal record hash is well formed');
  if (entry.kind.length > JOURNAL_KIND_CHARS_MAX) {
    throw new StoreError('LIMIT_EXCEEDED', `world ${worldId} height ${entry.height}: record kind "${entry.kind.slice(0, JOURNAL_KIND_CHARS_MAX)}…" is longer than JOURNAL_KIND_CHARS_MAX (${JOURNAL_KIND_CHARS_MAX})`);
  }
  if (entry.bytes.length > JOURNAL_RECORD_BYTES_MAX) {
    throw new StoreError('LIMIT_EXCEEDED', `world ${worldId} height ${entry.height}: a ${entry.bytes.length}-byte record exceeds JOURNAL_RECORD_BYTES_MAX (${JOURNAL_RECORD_BYTES_MAX}); move its payload to CAS and journal the hash`);
  }
  assert(hashBytes(entry.bytes) === entry.hash, 'journal append: each record hash is the sha256 of its bytes');
}

/** Refuses a batch whose heights do not run on from `nextHeight` without a gap or an overlap. */
export function checkHeightsContinue(worldId: string, batch: readonly JournalEntry[], nextHeight: number): void {
  for (const [index, entry] of batch.entries()) {
    const expected = nextHeight + index;
    if (entry.height !== expected) {
      const heights = batch.map((each) => each.height);
      throw new StoreError(
        'HEIGHT_CONFLICT',
        `world ${worldId}: append of heights [${describeHeights(heights)}] does not continue the journal, whose next height is ${nextHeight} ` +
          `(record ${index} has height ${entry.height}, expected ${expected}); another writer may own this world: re-read the head before appending`,
      );
    }
  }
}

function describeHeights(heights: readonly number[]): string {
  const shown = heights.slice(0, 8).join(', ');
  return heights.length > 8 ? `${shown}, … (${heights.length} records)` : shown;
}

/** Checks the arguments of `read`: a natural start and a limit within JOURNAL_READ_ENTRIES_MAX. */
export function checkReadRange(worldId: string, fromHeight: number, limit: number): void {
  assertHeight(fromHeight, 'a read start height');
  assert(Number.isSafeInteger(limit) && limit > 0, 'a read limit is a positive integer');
  if (limit > JOURNAL_READ_ENTRIES_MAX) {
    throw new StoreError('LIMIT_EXCEEDED', `world ${worldId}: a read of ${limit} records exceeds JOURNAL_READ_ENTRIES_MAX (${JOURNAL_READ_ENTRIES_MAX}); read in pages`);
  }
}

/** Proves that stored bytes still hash to the name they were appended under. */
export function verifyEntry(worldId: string, entry: JournalEntry, where: string): JournalEntry {
  const found = hashBytes(entry.bytes);
  if (found !== entry.hash) {
    throw new StoreError(
      'JOURNAL_CORRUPT',
      `world ${worldId} height ${entry.height} (${entry.kind}) in ${where}: stored bytes hash to ${found}, but the record was written as ${entry.hash}; ` +
        'the journal was changed outside AgentOS: restore it from a backup or another replica',
    );
  }
  return entry;
}
