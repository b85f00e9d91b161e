// Shared by the world benchmarks: a fresh copy of a ladder world, built and created on the
// embedded default (SQLite, each send fdatasync'd), and helpers to make events and read memory.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeCanonical } from '../src/cbor/index.ts';
import { buildWorld, writeModuleHashes } from '../src/cli/build/index.ts';
import { EmbeddedWorld } from '../src/node/index.ts';
import type { EventInput } from '../src/kernel/index.ts';
import { REPO_ROOT } from './paths.ts';

const ROOT = REPO_ROOT;

/** Copies, builds and creates a ladder world in a temp folder; `cleanup` removes it. */
export async function freshWorld(slug: string): Promise<{ dir: string; world: EmbeddedWorld; cleanup: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), `aos-bench-${slug}-`));
  cpSync(join(ROOT, 'worlds/ladder', slug), dir, { recursive: true, filter: (path) => !path.endsWith('.aos') });
  writeModuleHashes(dir, (await buildWorld(dir)).modules);
  const world = await EmbeddedWorld.create(dir);
  return { dir, world, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A perf-counter event for a cell. */
export function perfEvent(cell: string, inc = 1): EventInput {
  return { schema: 'demo/PerfEvent@1', value: encodeCanonical({ cell, inc }, { selfDescribe: false }) };
}

/** Resident set size now, in MB. */
export function rssMb(): number {
  return Math.round((process.memoryUsage().rss / 1024 / 1024) * 10) / 10;
}

/** The middle value (the upper one of an even count), or 0 for none. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** Seconds since a hrtime start. */
export function secondsSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}
