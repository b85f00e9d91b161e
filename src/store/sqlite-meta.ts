// A meta table in node.sqlite3: scope 0 holds the node's entries, a world key a world's.
import { checkMetaKey, checkMetaPut } from './meta-checks.ts';
import { compareCodeUnits } from './code-unit-order.ts';
import { blobColumn, integerColumn, textColumn } from './sqlite-database.ts';
import type { SqliteDatabase } from './sqlite-database.ts';
import type { MetaStore } from './types.ts';

/** The scope of the node's own meta entries; world keys start at 1. */
export const NODE_META_SCOPE = 0;

const SELECT_VALUE = 'SELECT value FROM meta WHERE scope = ? AND key = ?';
const SELECT_COUNT = 'SELECT count(*) AS count FROM meta WHERE scope = ?';
const UPSERT = 'INSERT INTO meta (scope, key, value) VALUES (?, ?, ?) ON CONFLICT (scope, key) DO UPDATE SET value = excluded.value';
const DELETE = 'DELETE FROM meta WHERE scope = ? AND key = ?';
const SELECT_KEYS = 'SELECT key FROM meta WHERE scope = ?';

/** One scope of the meta table. */
export class SqliteMeta implements MetaStore {
  constructor(
    private readonly database: SqliteDatabase,
    private readonly scope: number,
    private readonly scopeName: string,
  ) {}

  get(key: string): Uint8Array | null {
    checkMetaKey(this.scopeName, key);
    const row = this.database.get(SELECT_VALUE, this.scope, key);
    return row === undefined ? null : blobColumn(row, 'value');
  }

  put(key: string, value: Uint8Array): void {
    this.database.transaction(() => {
      const isNewKey = this.database.get(SELECT_VALUE, this.scope, key) === undefined;
      const countRow = this.database.get(SELECT_COUNT, this.scope);
      checkMetaPut(this.scopeName, key, value, isNewKey, countRow === undefined ? 0 : integerColumn(countRow, 'count'));
      this.database.run(UPSERT, this.scope, key, value);
    });
  }

  delete(key: string): boolean {
    checkMetaKey(this.scopeName, key);
    return this.database.run(DELETE, this.scope, key) > 0;
  }

  // Sorted here rather than by SQL: SQLite orders text by UTF-8 bytes, the memory backend by
  // UTF-16 code units, and both backends must list keys alike. Bounded by META_ENTRIES_MAX.
  keys(): string[] {
    return this.database.all(SELECT_KEYS, this.scope).map((row) => textColumn(row, 'key')).sort(compareCodeUnits);
  }
}
