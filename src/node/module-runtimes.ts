// Warm module runtimes for one manifest, loaded from CAS by each def's wasm_hash.
import type { Hash } from '../cbor/index.ts';
import { isHash, ZERO_HASH } from '../cbor/index.ts';
import type { DefModule } from '../air/index.ts';
import type { ModuleProvider } from '../kernel/index.ts';
import type { ManifestView } from '../kernel/index.ts';
import { loadModule } from '../sandbox/index.ts';
import type { ModuleRuntime } from '../sandbox/index.ts';
import type { CasStore } from '../store/index.ts';
import { NodeError } from './errors.ts';

/** Every workflow module of a manifest, loaded and warm; the kernel steps them, synchronously. */
export class CasModules implements ModuleProvider {
  private constructor(private readonly runtimes: Map<string, ModuleRuntime>, private readonly onStep: ((deliveryIndex: number) => void) | undefined) {}

  static async load(view: ManifestView, cas: CasStore, onStep?: (deliveryIndex: number) => void): Promise<CasModules> {
    const runtimes = new Map<string, ModuleRuntime>();
    for (const module of view.modules.values()) {
      if (module.module_kind !== 'workflow' || module.name.startsWith('sys/')) continue;
      runtimes.set(runtimeKey(module), await loadArtifact(module, cas));
    }
    return new CasModules(runtimes, onStep);
  }

  runtime(module: DefModule): ModuleRuntime {
    const runtime = this.runtimes.get(runtimeKey(module));
    if (runtime === undefined) throw new NodeError('MODULE_ARTIFACT_MISSING', `module ${module.name} (${module.wasm_hash}) is not loaded`);
    return runtime;
  }

  willStep(deliveryIndex: number): void {
    this.onStep?.(deliveryIndex);
  }

  recycleAll(): void {
    for (const runtime of this.runtimes.values()) runtime.recycle();
  }

  dispose(): void {
    for (const runtime of this.runtimes.values()) runtime.dispose();
    this.runtimes.clear();
  }
}

function runtimeKey(module: DefModule): string {
  return `${module.name} ${module.wasm_hash}`;
}

async function loadArtifact(module: DefModule, cas: CasStore): Promise<ModuleRuntime> {
  const hash: Hash = module.wasm_hash;
  if (!isHash(hash) || hash === ZERO_HASH || !cas.has(hash)) {
    throw new NodeError('MODULE_ARTIFACT_MISSING', `module ${module.name} has no built artifact (wasm_hash ${hash})`, 'run `aos build` in the world folder, then create the world again');
  }
  const limits = module.limits === undefined ? {} : {
    limits: {
      // AIR's `instructions` budget is counted in QuickJS interrupt ticks, the sandbox's deterministic unit.
      ...(module.limits.instructions !== undefined ? { fuelTicks: module.limits.instructions } : {}),
      ...(module.limits.memory_bytes !== undefined ? { memoryBytes: module.limits.memory_bytes } : {}),
      ...(module.limits.stack_bytes !== undefined ? { stackBytes: module.limits.stack_bytes } : {}),
      ...(module.limits.output_bytes !== undefined ? { outputBytesMax: module.limits.output_bytes } : {}),
    },
  };
  return loadModule(cas.get(hash), { name: module.name, ...(module.runtime !== undefined ? { runtime: module.runtime } : {}), ...limits });
}
