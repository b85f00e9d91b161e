// Reading a world folder's parts as a bundle or a fork needs them: its journal (whole or a prefix),
// its meta table and the CAS closure of both, straight from the store (no module is loaded, no
// record replayed: the import or fork replays what it writes).
import { existsSync } from 'node:fs';
import { decodeCanonical } from '../cbor/index.ts';
import type { CborValue, Hash } from '../cbor/index.ts';
import { openRecord } from '../kernel/index.ts';
import type { SealedRecord } from '../kernel/index.ts';
import { nodeDatabaseFile, openSqliteNodeStore } from '../store/index.ts';
import type { NodeStore, WorldStore } from '../store/index.ts';
import { casClosure } from './bundle-closure.ts';
import { EMBEDDED_WORLD_ID } from './embedded-world.ts';
import { NodeError } from './errors.ts';
import { LIFECYCLE_PAGE_RECORDS } from './limits.ts';

/** The world meta key of a fork's lineage (canonical CBOR {forked_from, height, head, fork_id}). */
export const META_LINEAGE = 'lineage';

/** Called as long work goes on: which phase, and how far (total 0 when unknown). */
export type ProgressListener = (phase: string, done: number, total: number) => void;

/** What moves with a world: its records, meta entries and the CAS objects they reach. */
export interface WorldParts {
  /** Records from height 0, in order. */
  readonly records: readonly SealedRecord[];
  /** The world's meta table, sorted by key. */
  readonly meta: ReadonlyArray<readonly [string, Uint8Array]>;
  /** The CAS closure of the records and meta, ascending. */
  readonly objects: readonly Hash[];
  /** Reads an object of the closure. */
  object(hash: Hash): Uint8Array;
}

/** An open world store, read directly; close it when done. */
export interface WorldSource {
  readonly store: NodeStore;
  readonly world: WorldStore;
}

/** Opens the store of a world folder without creating anything; NO_WORLD when there is none. */
export function openWorldSource(dir: string): WorldSource {
  if (!existsSync(nodeDatabaseFile(dir))) {
    throw new NodeError('NO_WORLD', `${dir} holds no world (no ${nodeDatabaseFile(dir)})`, `pass the folder of a world (\`aos world ls\` lists them), or create one with \`aos world create --root ${dir}\``);
  }
  const store = openSqliteNodeStore(dir);
  try {
    if (!store.worlds().includes(EMBEDDED_WORLD_ID)) throw new NodeError('NO_WORLD', `${dir} holds no world yet`, `create it with \`aos world create --root ${dir}\``);
    return { store, world: store.open(EMBEDDED_WORLD_ID) };
  } catch (error) {
    store.close();
    throw error;
  }
}

/** The world's records below `heightEnd` (all by default), its meta and their CAS closure. */
export function readWorldParts(source: WorldStore, heightEnd = source.journal.head()?.next_height ?? 0, onProgress?: ProgressListener): WorldParts {
  const records: SealedRecord[] = [];
  for (let height = 0; height < heightEnd;) {
    const page = source.journal.read(height, Math.min(LIFECYCLE_PAGE_RECORDS, heightEnd - height));
    if (page.length === 0) break;
    for (const entry of page) records.push(openRecord(entry.bytes, entry.height, entry.hash));
    height = (page.at(-1)?.height ?? height) + 1;
    onProgress?.('reading the journal', height, heightEnd);
  }
  const meta = source.meta.keys().map((key): [string, Uint8Array] => {
    const value = source.meta.get(key);
    if (value === null) throw new NodeError('BAD_INPUT', `the world's meta entry ${key} vanished while it was read`, 'stop whatever else writes to the world, then try again');
    return [key, value];
  });
  onProgress?.('walking the CAS closure', 0, 0);
  const objects = casClosure([...records.map((record) => record.bytes), ...meta.map(([, value]) => value)], source.cas);
  return { records, meta, objects, object: (hash) => source.cas.get(hash) };
}

/** What the store says about a world without loading it: `aos world ls|show`. */
export interface WorldFacts {
  readonly head_height: number;
  readonly head_hash: Hash | null;
  /** The hash of the record at height 0: shared by a world, its forks and its imports. */
  readonly genesis: Hash | null;
  readonly genesis_manifest: Hash | null;
  readonly snapshots: ReadonlyArray<{ readonly height: number; readonly hash: Hash }>;
  /** Where a fork came from (its `lineage` meta entry), or null for a world created here or imported. */
  readonly lineage: CborValue | null;
}

/** Reads a world folder's facts straight from its store. */
export function readWorldFacts(dir: string): WorldFacts {
  const source = openWorldSource(dir);
  try {
    const head = source.world.journal.head();
    const manifest = source.world.meta.get('manifest_hash');
    const lineage = source.world.meta.get(META_LINEAGE);
    return {
      head_height: head?.next_height ?? 0, head_hash: head?.last_hash ?? null, genesis: source.world.journal.entryAt(0)?.hash ?? null,
      genesis_manifest: manifest === null ? null : new TextDecoder().decode(manifest) as Hash,
      snapshots: source.world.snapshots.list().map((ref) => ({ height: ref.height, hash: ref.hash })),
      lineage: lineage === null ? null : decodeCanonical(lineage),
    };
  } finally {
    source.store.close();
  }
}
