// Builds every module of a world folder: bundle, store in the world's file CAS, and
// report each module's hash for its def's `wasm_hash`.
import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import type { Hash } from '../../cbor/index.ts';
import { FileCas } from '../../store/index.ts';
import { bundleModule } from './bundle-module.ts';
import { BuildError } from './errors.ts';
import { readSyncConfig } from './sync-config.ts';
import { buildSysModules } from './sys-modules.ts';

/** What a world build produced. */
export interface BuiltWorld {
  /** Module name → hash of its bundle, now in `<root>/.aos/cas`. */
  readonly modules: Readonly<Record<string, Hash>>;
  /** Lint warnings, each prefixed with its module name. */
  readonly warnings: readonly string[];
  /** Built-in sys/* workflow → hash of the shipped bundle, for those the manifest lists. */
  readonly sysModules: Readonly<Record<string, Hash>>;
}

/**
 * Bundles each module named in `<root>/aos.sync.json`, and the shipped code of each built-in
 * workflow the manifest lists, and stores the bundles in the world's CAS.
 */
export async function buildWorld(root: string): Promise<BuiltWorld> {
  const cas = new FileCas(root);
  const modules: Record<string, Hash> = {};
  const warnings: string[] = [];
  for (const [name, source] of readSyncConfig(root)) {
    if (!existsSync(source)) {
      throw new BuildError('MODULE_SOURCE_MISSING', `module ${name}: source ${relative(root, source)} does not exist (see aos.sync.json)`);
    }
    const bundled = await bundleModule(source, { moduleName: name });
    modules[name] = cas.put(bundled.bytes);
    warnings.push(...bundled.warnings.map((warning) => `${name}: ${warning}`));
  }
  return { modules, warnings, sysModules: await buildSysModules(root, cas) };
}
