// The embedded node store: `<root>/.aos/node.sqlite3` holds worlds, journals, snapshot
// indexes and meta; `<root>/.aos/cas/` holds content-addressed files shared by all worlds.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { assert } from '../cbor/index.ts';
import { StoreError } from './errors.ts';
import { WORLDS_PER_NODE_MAX } from './limits.ts';
import { migrate } from './migrations.ts';
import { NodeCas } from './node-cas.ts';
import { compareCodeUnits } from './code-unit-order.ts';
import { integerColumn, SqliteDatabase, textColumn } from './sqlite-database.ts';
import { SqliteJournal } from './sqlite-journal.ts';
import { NODE_META_SCOPE, SqliteMeta } from './sqlite-meta.ts';
import { SqliteSnapshots } from './sqlite-snapshots.ts';
import type { MetaStore, NodeStore, WorldStore } from './types.ts';
import { checkWorldId } from './world-id.ts';

const SELECT_WORLD_IDS = 'SELECT world_id FROM worlds';
const SELECT_WORLD_KEY = 'SELECT world_key FROM worlds WHERE world_id = ?';
const SELECT_WORLD_COUNT = 'SELECT count(*) AS count FROM worlds';
const INSERT_WORLD = 'INSERT INTO worlds (world_id) VALUES (?) RETURNING world_key';

/** The database file of a node whose world root is `root`. */
export function nodeDatabaseFile(root: string): string {
  return join(root, '.aos', 'node.sqlite3');
}

class SqliteNodeStore implements NodeStore {
  readonly meta: MetaStore;

  constructor(
    private readonly database: SqliteDatabase,
    readonly cas: NodeCas,
  ) {
    this.meta = new SqliteMeta(database, NODE_META_SCOPE, 'node');
  }

  // Bounded: create() refuses a world past WORLDS_PER_NODE_MAX.
  worlds(): string[] {
    return this.database.all(SELECT_WORLD_IDS).map((row) => textColumn(row, 'world_id')).sort(compareCodeUnits);
  }

  create(worldId: string): WorldStore {
    checkWorldId(worldId);
    const worldKey = this.database.transaction(() => {
      if (this.database.get(SELECT_WORLD_KEY, worldId) !== undefined) {
        throw new StoreError('WORLD_EXISTS', `world ${worldId} already exists in ${this.database.file}; open it, or pick another id`);
      }
      const countRow = this.database.get(SELECT_WORLD_COUNT);
      const count = countRow === undefined ? 0 : integerColumn(countRow, 'count');
      if (count >= WORLDS_PER_NODE_MAX) {
        throw new StoreError('LIMIT_EXCEEDED', `${this.database.file} already holds ${count} worlds (WORLDS_PER_NODE_MAX); cannot create ${worldId}`);
      }
      const inserted = this.database.get(INSERT_WORLD, worldId);
      assert(inserted !== undefined, 'INSERT … RETURNING returns the new row');
      return integerColumn(inserted, 'world_key');
    });
    return this.worldStore(worldId, worldKey);
  }

  open(worldId: string): WorldStore {
    checkWorldId(worldId);
    const row = this.database.get(SELECT_WORLD_KEY, worldId);
    if (row === undefined) throw new StoreError('WORLD_MISSING', `world ${worldId} does not exist in ${this.database.file}; create it first (aos world create)`);
    return this.worldStore(worldId, integerColumn(row, 'world_key'));
  }

  sync(): void {
    this.database.sync();
  }

  synced(): Promise<void> {
    return this.database.synced();
  }

  close(): void {
    this.cas.flush();
    this.database.close();
  }

  private worldStore(worldId: string, worldKey: number): WorldStore {
    return {
      id: worldId,
      journal: new SqliteJournal(this.database, worldKey, worldId, this.cas),
      snapshots: new SqliteSnapshots(this.database, worldKey, worldId),
      meta: new SqliteMeta(this.database, worldKey, `world ${worldId}`),
      cas: this.cas,
    };
  }
}

/**
 * Opens the node store of a world root, creating `.aos/`, the database and its schema on
 * first use. Refuses a database written by a newer AgentOS (SCHEMA_TOO_NEW).
 */
export function openSqliteNodeStore(root: string, options: { readonly writerAfter?: number } = {}): NodeStore {
  const folder = join(root, '.aos');
  try {
    mkdirSync(folder, { recursive: true });
  } catch (error) {
    throw new StoreError('IO', `cannot create ${folder}: ${(error as Error).message}; check the world root's permissions`, { cause: error });
  }
  const database = SqliteDatabase.open(nodeDatabaseFile(root), undefined, options);
  try {
    migrate(database);
  } catch (error) {
    database.close();
    throw error;
  }
  return new SqliteNodeStore(database, new NodeCas(database, root));
}
