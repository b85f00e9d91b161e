// A world's life on a running node: what `aos world ls|show|create|export|import|fork` ask of
// it (routes/lifecycle.ts). The node runs the same code as the folder commands (exportWorld,
// importBundle, forkWorld, EmbeddedWorld.create) on the folders it hosts, then opens the new
// world's thread so it is served and executes its effects at once. Building a world's modules
// is the CLI's work (src/cli/build): `aos world create` builds the folder in place, and the
// node only creates the world (genesis) from it.
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { toJsonValue } from '../cbor/index.ts';
import type { Hash } from '../cbor/index.ts';
import { publicKeyId } from '../kernel/index.ts';
import type { ExportSummary } from './bundle-export.ts';
import { importBundle } from './bundle-import.ts';
import type { ImportPins } from './bundle-import.ts';
import type { BundleReport } from './bundle-import.ts';
import { readWorldFacts } from './bundle-source.ts';
import { EMBEDDED_WORLD_ID, EmbeddedWorld } from './embedded-world.ts';
import { NodeError } from './errors.ts';
import { forkWorld } from './fork-world.ts';
import type { ForkPoint, ForkSummary } from './fork-world.ts';
import { BUNDLE_BYTES_MAX } from './limits.ts';
import type { NodeHost } from './node-host.ts';
import type { ReadJobPool } from './read-job.ts';

/** The content type of a bundle upload; its body reaches the route as a stream (bounded there, not buffered). */
export const BUNDLE_CONTENT_TYPE = 'application/vnd.aos.bundle';
/** The response header carrying an export's summary (bytes, records, objects, head, sha256) as JSON. */
export const EXPORT_SUMMARY_HEADER = 'aos-export-summary';

/** One row of `aos world ls`, as the folder command computes it. */
export interface WorldRow {
  readonly dir: string;
  readonly head_height: number | null;
  readonly head_hash: Hash | null;
  readonly genesis_manifest: Hash | null;
  readonly snapshots: number | null;
  readonly forked: boolean | null;
  readonly error: string | null;
}

/** The `aos world ls` row of the world in `dir` (an unreadable world is a row with its error). */
export function worldRow(dir: string): WorldRow {
  try {
    const facts = readWorldFacts(dir);
    return { dir, head_height: facts.head_height, head_hash: facts.head_hash, genesis_manifest: facts.genesis_manifest, snapshots: facts.snapshots.length, forked: facts.lineage !== null, error: null };
  } catch (error) {
    return { dir, head_height: null, head_hash: null, genesis_manifest: null, snapshots: null, forked: null, error: error instanceof Error ? error.message : String(error) };
  }
}

/** What `aos world show` prints about a world, as JSON (the lineage in the JSON lens of its CBOR). */
export interface WorldShow {
  readonly id: string;
  readonly root: string;
  readonly genesis: Hash | null;
  readonly genesis_manifest: Hash | null;
  readonly manifest: Hash;
  readonly head: { readonly height: number; readonly hash: Hash | null };
  readonly snapshots: ReadonlyArray<{ readonly height: number; readonly hash: Hash }>;
  readonly open_intents: number;
  readonly pending_approvals: number;
  readonly modules: ReadonlyArray<{ readonly name: string; readonly kind: string; readonly hash: Hash }>;
  readonly trusted_keys: ReadonlyArray<{ readonly adapter_id: string; readonly keys: readonly string[] }>;
  readonly lineage: unknown;
}

/** The facts `aos world show` prints, read from a read-only view of the world in `dir` (beside its thread, as the folder command reads it). */
export async function worldShow(dir: string): Promise<WorldShow> {
  const facts = readWorldFacts(dir);
  const world = await EmbeddedWorld.open(dir, { readOnly: true });
  try {
    return {
      id: EMBEDDED_WORLD_ID, root: dir, genesis: facts.genesis, genesis_manifest: facts.genesis_manifest, manifest: world.view.hash,
      head: { height: world.head.height, hash: world.head.hash }, snapshots: facts.snapshots, open_intents: world.openIntents().size,
      pending_approvals: world.pendingApprovals().length,
      modules: [...world.view.modules.values()].map((module) => ({ name: module.name, kind: module.module_kind, hash: module.wasm_hash })),
      trusted_keys: [...world.trustedKeys()].map(([adapter, keys]) => ({ adapter_id: adapter, keys: keys.map((key) => publicKeyId(key)) })),
      lineage: facts.lineage === null ? null : toJsonValue(facts.lineage),
    };
  } finally {
    world.close();
  }
}

/** Ids a lifecycle operation is making a world under right now, per host: a second one for the same id is refused. */
const making = new WeakMap<NodeHost, Set<string>>();

/** The folder world `id` is to be made in; refuses an id the node cannot host or that names a world already. */
function newWorldDir(host: NodeHost, id: string): string {
  const dir = host.folderFor(id);
  if (dir === null) throw new NodeError('BAD_INPUT', `${JSON.stringify(id)} is not a world id`, 'use letters, digits, ".", "_" and "-" (at most 64), starting with a letter or digit');
  if (host.dirOf(id) !== null || making.get(host)?.has(id) === true) {
    throw new NodeError('WORLD_EXISTS', `the node hosts a world ${JSON.stringify(id)} already (in ${dir})`, 'pick another name, or work on that world (`aos world show`)');
  }
  return dir;
}

/** Makes world `id` with `work`, then opens its thread so the node serves it and runs its effects. */
async function makeWorld<T>(host: NodeHost, id: string, work: (dir: string) => Promise<T>): Promise<T> {
  const dir = newWorldDir(host, id);
  const ids = making.get(host) ?? new Set<string>();
  making.set(host, ids);
  ids.add(id);
  try {
    const made = await work(dir);
    await host.worker(id);
    return made;
  } finally {
    ids.delete(id);
  }
}

/** What `aos world create` prints beyond the build: the new world's manifest and next height. */
export interface CreatedWorld {
  readonly id: string;
  readonly dir: string;
  readonly manifest: Hash;
  readonly height: number;
}

/** Creates world `id` (genesis) from its folder, which the CLI built (`aos world create`), and hosts it. */
export function createHostedWorld(host: NodeHost, id: string): Promise<CreatedWorld> {
  return makeWorld(host, id, async (dir) => {
    const world = await EmbeddedWorld.create(dir);
    try {
      return { id, dir, manifest: world.view.hash, height: world.head.height };
    } finally {
      world.close();
    }
  });
}

/** A bundle of a hosted world, written to a temporary file the caller streams and then removes. */
export interface ExportedBundle {
  readonly summary: Omit<ExportSummary, 'file'>;
  readonly stream: Readable;
  readonly remove: () => void;
}

/**
 * Exports hosted world `id` as `aos world export` does (the same bytes), on a read-job thread of
 * `jobs`. The thread writes the bundle to a temporary file which the caller streams: the main
 * thread never holds the bundle (posting its bytes back would copy up to BUNDLE_BYTES_MAX into the
 * API's heap), and the response is read from disk a chunk at a time.
 */
export async function exportHostedWorld(jobs: ReadJobPool, id: string, dir: string): Promise<ExportedBundle> {
  const folder = mkdtempSync(join(tmpdir(), 'aos-node-export-'));
  const remove = () => rmSync(folder, { recursive: true, force: true });
  const file = join(folder, `${id}.aosbundle`);
  try {
    const { file: _file, ...summary } = await jobs.run({ kind: 'export', dir, file });
    return { summary, stream: createReadStream(file), remove };
  } catch (error) {
    remove();
    throw error;
  }
}

/** Imports an uploaded bundle as world `id`: it is written to a temporary file (at most BUNDLE_BYTES_MAX), verified whole by importBundle, and only then installed and hosted. */
export async function importHostedWorld(host: NodeHost, id: string, upload: Readable, pins: ImportPins = {}): Promise<BundleReport> {
  newWorldDir(host, id); // refuse before reading the upload
  const folder = mkdtempSync(join(tmpdir(), 'aos-node-import-'));
  try {
    const file = join(folder, 'upload.aosbundle');
    let bytes = 0;
    await pipeline(upload, async function* limit(chunks: AsyncIterable<Buffer>) {
      for await (const chunk of chunks) {
        bytes += chunk.length;
        if (bytes > BUNDLE_BYTES_MAX) throw new NodeError('BUNDLE_INVALID', `the upload exceeds ${BUNDLE_BYTES_MAX} bytes (BUNDLE_BYTES_MAX)`, 'a world this large cannot be moved as one bundle');
        yield chunk;
      }
    }, createWriteStream(file));
    return await makeWorld(host, id, (dir) => importBundle(file, dir, undefined, pins));
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** Forks the hosted world in `sourceDir` at `point` into the new hosted world `id`, as `aos world fork` does. */
export function forkHostedWorld(host: NodeHost, sourceDir: string, id: string, point: ForkPoint): Promise<ForkSummary> {
  return makeWorld(host, id, (dir) => forkWorld(sourceDir, dir, point));
}
