// Builds a kernel World from a world folder for tests: AIR loaded and validated, modules
// bundled from their TypeScript sources and loaded warm, a memory content store, a fake clock.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { loadWorldPath } from '../../src/air/index.ts';
import type { DefModule } from '../../src/air/index.ts';
import { hashBytes } from '../../src/cbor/index.ts';
import type { Hash } from '../../src/cbor/index.ts';
import { bundleModule, readSyncConfig } from '../../src/cli/build/index.ts';
import { compileManifest, World } from '../../src/kernel/index.ts';
import type { ContentStore, ModuleProvider, SealedRecord, Stamp } from '../../src/kernel/index.ts';
import { loadModule } from '../../src/sandbox/index.ts';
import type { ModuleRuntime } from '../../src/sandbox/index.ts';

export const ROOT = join(import.meta.dirname, '../..');

/** A content store in memory that verifies hashes like the real one. */
export class MemoryContent implements ContentStore {
  readonly nodes = new Map<Hash, Uint8Array>();
  put(bytes: Uint8Array): Hash {
    const hash = hashBytes(bytes);
    this.nodes.set(hash, bytes.slice());
    return hash;
  }
  get(hash: Hash): Uint8Array {
    const bytes = this.nodes.get(hash);
    if (bytes === undefined) throw new Error(`missing ${hash}`);
    return bytes;
  }
}

/** Warm runtimes for every module of a world, keyed by module name; counts recycles for tests. */
export class Modules implements ModuleProvider {
  recycles = 0;
  constructor(private readonly runtimes: Map<string, ModuleRuntime>) {}
  runtime(module: DefModule): ModuleRuntime {
    const runtime = this.runtimes.get(module.name);
    if (runtime === undefined) throw new Error(`no runtime for ${module.name}`);
    return runtime;
  }
  recycleAll(): void {
    this.recycles += 1;
    for (const runtime of this.runtimes.values()) runtime.recycle();
  }
  dispose(): void {
    for (const runtime of this.runtimes.values()) runtime.dispose();
  }
}

/** A world folder, compiled: its manifest view and a way to get fresh module runtimes. */
export interface WorldFixture {
  readonly view: ReturnType<typeof compileManifest>;
  readonly bundles: Map<string, Uint8Array>;
  modules(): Promise<Modules>;
}

export async function worldFixture(dir: string, sourceOverrides: Record<string, string> = {}): Promise<WorldFixture> {
  const loaded = loadWorldPath(dir);
  if (loaded.world === null || loaded.world.manifest === null) throw new Error(loaded.errors.map((error) => error.message).join('\n'));
  const view = compileManifest(loaded.world.manifest.node, loaded.world.manifest.hash, loaded.world.index);
  const bundles = new Map<string, Uint8Array>();
  const sources = new Map(readSyncConfig(dir));
  for (const [name, source] of Object.entries(sourceOverrides)) sources.set(name, source);
  for (const [name, source] of sources) bundles.set(name, (await bundleModule(source, { moduleName: name })).bytes);
  return {
    view, bundles,
    async modules() {
      const runtimes = new Map<string, ModuleRuntime>();
      for (const [name, bytes] of bundles) runtimes.set(name, await loadModule(bytes, { name }));
      return new Modules(runtimes);
    },
  };
}

/** A deterministic clock and entropy source from a seed (tests never read the real clock). */
export class FakeClock {
  private tick = 0n;
  constructor(private readonly seed = 1) {}
  next(): Stamp {
    this.tick += 1n;
    const entropy = new Uint8Array(64);
    for (let index = 0; index < 64; index += 1) entropy[index] = (this.seed * 31 + Number(this.tick) * 7 + index) & 0xff;
    return { now_ns: 1_800_000_000_000_000_000n + this.tick * 1_000n, logical_now_ns: this.tick * 1_000n, entropy };
  }
}

/** A journal in memory: what the node would make durable. */
export class MemoryJournal {
  readonly records: SealedRecord[] = [];
  append(records: readonly SealedRecord[]): void {
    for (const record of records) this.records.push(record);
  }
}

export function randomEntropy(): Uint8Array {
  return randomBytes(64);
}

export { World };
