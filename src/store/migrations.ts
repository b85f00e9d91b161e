// Versioned schema of node.sqlite3. Migrations are applied in order, each in its own
// transaction together with its row in schema_migrations, so a crash mid-upgrade leaves
// the database at the previous version. A database whose version this code does not know
// was written by a newer build and is refused, never guessed at.
import { assert } from '../cbor/index.ts';
import { StoreError } from './errors.ts';
import { integerColumn } from './sqlite-database.ts';
import type { SqliteDatabase } from './sqlite-database.ts';

/** One step of the schema: applied once, in version order, never edited after release. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

// STRICT tables make SQLite refuse a value of the wrong type instead of storing it.
// meta.scope is 0 for the node's own entries and a worlds.world_key (which starts at 1)
// for a world's.
const INITIAL_SCHEMA = `
CREATE TABLE worlds (
  world_key INTEGER PRIMARY KEY CHECK (world_key >= 1),
  world_id TEXT NOT NULL UNIQUE
) STRICT;
CREATE TABLE journal (
  world_key INTEGER NOT NULL REFERENCES worlds (world_key),
  height INTEGER NOT NULL CHECK (height >= 0),
  kind TEXT NOT NULL,
  hash TEXT NOT NULL,
  bytes BLOB NOT NULL,
  PRIMARY KEY (world_key, height)
) STRICT;
CREATE TABLE snapshots (
  world_key INTEGER NOT NULL REFERENCES worlds (world_key),
  height INTEGER NOT NULL CHECK (height >= 0),
  hash TEXT NOT NULL,
  manifest_hash TEXT NOT NULL,
  PRIMARY KEY (world_key, height)
) STRICT, WITHOUT ROWID;
CREATE TABLE meta (
  scope INTEGER NOT NULL CHECK (scope >= 0),
  key TEXT NOT NULL,
  value BLOB NOT NULL,
  PRIMARY KEY (scope, key)
) STRICT;
`;

// Small CAS objects (node-cas.ts), keyed by their hash text.
const CAS_OBJECTS = `
CREATE TABLE cas_objects (
  hash TEXT NOT NULL PRIMARY KEY,
  bytes BLOB NOT NULL
) STRICT;
`;

/** Every migration, in version order. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial: worlds, journal, snapshots, meta', sql: INITIAL_SCHEMA },
  { version: 2, name: 'small CAS objects in the database', sql: CAS_OBJECTS },
];

const CREATE_MIGRATIONS_TABLE = 'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL) STRICT';
const SELECT_VERSION = 'SELECT coalesce(max(version), 0) AS version FROM schema_migrations';
const INSERT_MIGRATION = 'INSERT INTO schema_migrations (version, name) VALUES (?, ?)';

/**
 * Brings the database up to the last of `migrations` and returns the resulting version.
 * Refuses, changing nothing, a database already past it.
 */
export function migrate(database: SqliteDatabase, migrations: readonly Migration[] = MIGRATIONS): number {
  for (const [index, migration] of migrations.entries()) assert(migration.version === index + 1, 'migration versions run 1, 2, 3, … without gaps');
  database.exec(CREATE_MIGRATIONS_TABLE);
  const known = migrations.length;
  for (const migration of migrations) {
    database.transaction(() => {
      // Read inside the write transaction: another process may have migrated meanwhile.
      const version = schemaVersion(database);
      checkNotNewer(database, version, known);
      if (version >= migration.version) return;
      assert(version === migration.version - 1, 'migrations apply one version at a time');
      database.exec(migration.sql);
      database.run(INSERT_MIGRATION, migration.version, migration.name);
    });
  }
  const version = schemaVersion(database);
  checkNotNewer(database, version, known);
  assert(version === known, 'migrate: the database is at the code version');
  return version;
}

/** The highest migration version applied to the database; 0 when none was. */
export function schemaVersion(database: SqliteDatabase): number {
  const row = database.get(SELECT_VERSION);
  assert(row !== undefined, 'an aggregate query returns one row');
  return integerColumn(row, 'version');
}

function checkNotNewer(database: SqliteDatabase, version: number, known: number): void {
  if (version > known) {
    throw new StoreError(
      'SCHEMA_TOO_NEW',
      `${database.file} has schema version ${version}, but this build of AgentOS knows versions up to ${known}; ` +
        'it was written by a newer AgentOS: upgrade aos to open it (this build left it untouched)',
    );
  }
}
