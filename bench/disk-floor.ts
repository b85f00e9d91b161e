// disk-floor: what this machine's disk allows, with no AgentOS code in the loop. Plain
// better-sqlite3 on node.sqlite3's own schema (WAL, synchronous=FULL: what the store's own
// fdatasync of the WAL after each commit amounts to, sqlite-database.ts)
// commits the rows one input leaves behind, one transaction each:
// - b1: one journal record (a domain event), as b1-seq commits per event;
// - b2: four journal records (the receipt, then the next intent's cap and policy decisions and
//   the intent) and two small CAS objects (the blob and its edge node, whose random hash keys
//   land on random index pages), as one blob.put round trip of b2 commits.
// The ceiling is 1 / commit time: the most inputs a second this disk can make durable one at a
// time, before any work of ours (no step, no hashing, no signing).
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS } from '../src/store/migrations.ts';
import type { BenchResult } from './report.ts';

/** Commits made first, so the tables and their indexes have a few levels, as a used world's do. */
const WARMUP_COMMITS = 3_000;
const MEASURED_COMMITS = 3_000;
const EVENT_RECORD_BYTES = 120;
const ROUND_TRIP_RECORD_BYTES = 300;
const BLOB_BYTES = 100;
const EDGE_BYTES = 90;

function hashText(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** Mean µs per commit of `work`, each call its own IMMEDIATE transaction. */
function commitUs(database: Database.Database, work: () => void): number {
  const commit = database.transaction(work);
  for (let index = 0; index < WARMUP_COMMITS; index += 1) commit.immediate();
  const started = process.hrtime.bigint();
  for (let index = 0; index < MEASURED_COMMITS; index += 1) commit.immediate();
  return Number(process.hrtime.bigint() - started) / 1e3 / MEASURED_COMMITS;
}

export async function run(): Promise<BenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'aos-bench-disk-'));
  try {
    const database = new Database(join(dir, 'node.sqlite3'));
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = FULL');
    for (const migration of MIGRATIONS) database.exec(migration.sql);
    database.prepare('INSERT INTO worlds (world_key, world_id) VALUES (1, ?)').run('bench');
    const journal = database.prepare('INSERT INTO journal (world_key, height, kind, hash, bytes) VALUES (1, ?, ?, ?, ?)');
    const cas = database.prepare('INSERT OR IGNORE INTO cas_objects (hash, bytes) VALUES (?, ?)');
    let height = 0;
    const append = (kind: string, size: number): void => {
      const bytes = randomBytes(size);
      journal.run(height, kind, hashText(bytes), bytes);
      height += 1;
    };
    const b1 = commitUs(database, () => append('domain_event', EVENT_RECORD_BYTES));
    const b2 = commitUs(database, () => {
      for (const kind of ['effect_receipt', 'cap_decision', 'policy_decision', 'effect_intent']) append(kind, ROUND_TRIP_RECORD_BYTES);
      for (const size of [BLOB_BYTES, EDGE_BYTES]) {
        const bytes = randomBytes(size);
        cas.run(hashText(bytes), bytes);
      }
    });
    database.close();
    return {
      name: 'disk-floor',
      metrics: {
        b1_commit_us: Math.round(b1), b1_ceiling_per_s: Math.round(1e6 / b1),
        b2_commit_us: Math.round(b2), b2_ceiling_per_s: Math.round(1e6 / b2),
      },
      params: {
        commits: MEASURED_COMMITS, warmup_commits: WARMUP_COMMITS, dir: tmpdir(), sqlite: 'better-sqlite3, WAL, synchronous=FULL, node.sqlite3 schema (src/store/migrations.ts)',
        b1: `1 journal row of ${EVENT_RECORD_BYTES} B per commit`, b2: `4 journal rows of ${ROUND_TRIP_RECORD_BYTES} B and 2 CAS objects (${BLOB_BYTES} B, ${EDGE_BYTES} B) per commit`,
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
