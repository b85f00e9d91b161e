// Module runtimes for one manifest, loaded from CAS by each def's wasm_hash when first stepped.
import type { Hash } from '../cbor/index.ts';
import { isHash, ZERO_HASH } from '../cbor/index.ts';
import type { DefModule } from '../air/index.ts';
import type { ModuleProvider } from '../kernel/index.ts';
import type { ManifestView } from '../kernel/index.ts';
import type { LoadModuleOptions, ModuleLoader, ModuleRuntime } from '../sandbox/index.ts';
import type { CasStore } from '../store/index.ts';
import { NodeError } from './errors.ts';
import { needsShippedCode } from './sys-modules.ts';
import type { SysModuleArtifacts } from './sys-modules.ts';

/**
 * Every workflow module of a manifest. A context is created on a module's first step, not at
 * open: reading state needs none, and a context history that starts at the first step after
 * an open or a snapshot is the same history replay sees (contexts are recycled only at
 * snapshot records). Artifacts are checked at open, so a missing one is reported at once.
 */
export class CasModules implements ModuleProvider {
  private readonly runtimes = new Map<string, ModuleRuntime>();

  private constructor(
    private readonly loader: ModuleLoader | null,
    private readonly cas: CasStore,
    private readonly onStep: ((deliveryIndex: number) => void) | undefined,
    private readonly sysModules: SysModuleArtifacts,
  ) {}

  /**
   * The modules of a manifest, ready to step; `steps: false` skips loading the QuickJS engine
   * (~30 ms), for an open that only reads state and has no journal tail to replay.
   */
  static async load(view: ManifestView, cas: CasStore, onStep?: (deliveryIndex: number) => void, steps = true, sysModules: SysModuleArtifacts = new Map()): Promise<CasModules> {
    // The sandbox is imported only when a module may step, so a read-only open never loads its code.
    const loader = steps ? await (await import('../sandbox/index.ts')).ModuleLoader.ready() : null;
    const modules = new CasModules(loader, cas, onStep, sysModules);
    for (const module of view.modules.values()) {
      if (module.module_kind === 'workflow' && (!module.name.startsWith('sys/') || needsShippedCode(module))) modules.artifactOf(module);
    }
    return modules;
  }

  runtime(module: DefModule): ModuleRuntime {
    const key = runtimeKey(module);
    let runtime = this.runtimes.get(key);
    if (runtime === undefined) {
      if (this.loader === null) throw new NodeError('READ_ONLY', `module ${module.name} cannot step: this world was opened read-only`, 'open it without readOnly to send inputs');
      runtime = this.loader.load(this.cas.get(this.artifactOf(module)), loadOptions(module));
      this.runtimes.set(key, runtime);
    }
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

  /** The artifact that runs `module`: its def's wasm_hash, or for a built-in workflow the bundle the world was created with. */
  artifactOf(module: DefModule): Hash {
    if (!needsShippedCode(module)) return checkArtifact(module, this.cas);
    const hash = this.sysModules.get(module.name);
    if (hash === undefined || !this.cas.has(hash)) {
      throw new NodeError('MODULE_ARTIFACT_MISSING', `the built-in workflow ${module.name} has no bundle in this world`, 'the world was created without `aos build` bundling it; build the folder and create the world again');
    }
    return hash;
  }
}

function runtimeKey(module: DefModule): string {
  return `${module.name} ${module.wasm_hash}`;
}

function checkArtifact(module: DefModule, cas: CasStore): Hash {
  const hash: Hash = module.wasm_hash;
  if (!isHash(hash) || hash === ZERO_HASH || !cas.has(hash)) {
    throw new NodeError('MODULE_ARTIFACT_MISSING', `module ${module.name} has no built artifact (wasm_hash ${hash})`, 'run `aos build` in the world folder, then create the world again');
  }
  return hash;
}

function loadOptions(module: DefModule): LoadModuleOptions {
  const limits = module.limits === undefined ? {} : {
    limits: {
      // AIR's `instructions` budget is counted in QuickJS interrupt ticks, the sandbox's deterministic unit.
      ...(module.limits.instructions !== undefined ? { fuelTicks: module.limits.instructions } : {}),
      ...(module.limits.memory_bytes !== undefined ? { memoryBytes: module.limits.memory_bytes } : {}),
      ...(module.limits.stack_bytes !== undefined ? { stackBytes: module.limits.stack_bytes } : {}),
      ...(module.limits.output_bytes !== undefined ? { outputBytesMax: module.limits.output_bytes } : {}),
    },
  };
  return { name: module.name, ...(module.runtime !== undefined ? { runtime: module.runtime } : {}), ...limits };
}
