// Tampering a world's journal the way an attacker who can write the database would: change one
// record's body and re-seal every record from it, so each record's hash and prev agree again and
// only re-checking signatures or re-executing the journal can tell.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import type { Hash } from '../../src/cbor/index.ts';
import { openRecord, sealRecord } from '../../src/kernel/index.ts';
import type { RecordBody } from '../../src/kernel/index.ts';

/**
 * Gives each record of the world in `dir`, in height order, to `edit` until it returns a new
 * body; that record and every one after it are re-sealed in place. Returns the height changed (-1: none).
 */
export function rewriteFirstRecord(dir: string, edit: (body: RecordBody, height: number) => RecordBody | undefined): number {
  const database = new Database(join(dir, '.aos/node.sqlite3'));
  try {
    const rows = database.prepare('SELECT height, bytes FROM journal ORDER BY height').all() as Array<{ height: number; bytes: Uint8Array }>;
    const update = database.prepare('UPDATE journal SET bytes = ?, hash = ? WHERE height = ?');
    return database.transaction(() => {
      let prev: Hash | null = null;
      let changedAt = -1;
      for (const row of rows) {
        let body = openRecord(row.bytes, row.height).body;
        if (changedAt < 0) {
          const edited = edit(body, row.height);
          if (edited !== undefined) {
            body = edited;
            changedAt = row.height;
          }
        }
        const sealed = sealRecord(row.height, prev, body);
        if (changedAt >= 0) update.run(sealed.bytes, sealed.hash, row.height);
        prev = sealed.hash;
      }
      return changedAt;
    })();
  } finally {
    database.close();
  }
}
