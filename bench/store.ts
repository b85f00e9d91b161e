// Durable journal append throughput on SQLite (WAL, an fdatasync per commit): one fsync'd
// transaction per append, so (a) one record per append measures the commit cost an input
// pays alone, and (b) batches of 100 show what group commit buys.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashBytes } from '../src/cbor/index.ts';
import { openSqliteNodeStore } from '../src/store/index.ts';
import type { JournalEntry, JournalStore } from '../src/store/index.ts';
import type { BenchResult } from './report.ts';

const RECORDS = 5_000;
const RECORD_BYTES = 200;
const GROUP_BATCH_RECORDS = 100;

function records(count: number): JournalEntry[] {
  return Array.from({ length: count }, (_, height) => {
    const bytes = new Uint8Array(RECORD_BYTES).fill(height % 251);
    return { height, kind: 'domain_event', bytes, hash: hashBytes(bytes) };
  });
}

// Appends every record in batches of `batchRecords`; returns the elapsed seconds.
function appendAll(journal: JournalStore, entries: readonly JournalEntry[], batchRecords: number): number {
  const started = process.hrtime.bigint();
  for (let from = 0; from < entries.length; from += batchRecords) journal.append(entries.slice(from, from + batchRecords));
  return Number(process.hrtime.bigint() - started) / 1e9;
}

export async function run(): Promise<BenchResult> {
  const root = mkdtempSync(join(tmpdir(), 'aos-bench-store-'));
  const node = openSqliteNodeStore(root);
  try {
    const entries = records(RECORDS);
    const singleS = appendAll(node.create('single').journal, entries, 1);
    const groupS = appendAll(node.create('group').journal, entries, GROUP_BATCH_RECORDS);
    return {
      name: 'store',
      metrics: {
        single_appends_per_s: Math.round(RECORDS / singleS),
        single_append_ms: Number(((singleS * 1000) / RECORDS).toFixed(3)),
        group_appends_per_s: Math.round(RECORDS / GROUP_BATCH_RECORDS / groupS),
        group_records_per_s: Math.round(RECORDS / groupS),
        group_append_ms: Number(((groupS * 1000 * GROUP_BATCH_RECORDS) / RECORDS).toFixed(3)),
      },
      params: { records: RECORDS, record_bytes: RECORD_BYTES, group_batch_records: GROUP_BATCH_RECORDS, directory: tmpdir(), synchronous: 'FULL', journal_mode: 'WAL' },
    };
  } finally {
    node.close();
    rmSync(root, { recursive: true, force: true });
  }
}
