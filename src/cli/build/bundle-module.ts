// Bundles one TypeScript module into the single script the js runtime evaluates, with the fixed
// options of every module bundle (src/adapters/module-bundle-options.ts: the same sources give the
// same bytes, and so the same hash, on any machine), plus a metafile for the module-state lint.
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import type { BuildFailure, BuildOptions } from 'esbuild';
import { moduleBundleOptions, SDK_SPECIFIER } from '../../adapters/module-bundle-options.ts';
import { hashBytes } from '../../cbor/index.ts';
import type { Hash } from '../../cbor/index.ts';
import { BuildError } from './errors.ts';
import { lintModuleState } from './module-state-lint.ts';
import { sandboxImportGuard } from './sandbox-import-guard.ts';
import { packageRoot } from '../../adapters/package-root.ts';

/** The SDK's source folder (shipped with the package); its own files are not linted and `agentos/sdk` resolves here. */
const SDK_DIRECTORY = join(packageRoot(), 'src', 'sdk');
export { SDK_SPECIFIER };

/** A bundled module: its bytes, their hash (the def's `wasm_hash`) and lint warnings. */
export interface BundledModule {
  readonly bytes: Uint8Array;
  readonly hash: Hash;
  readonly warnings: readonly string[];
}

const FIXED_OPTIONS: BuildOptions = Object.freeze({ ...moduleBundleOptions(join(SDK_DIRECTORY, 'index.ts')), metafile: true, plugins: [sandboxImportGuard] });

/** Bundles `entryFile`; throws a BuildError listing esbuild's messages when it cannot. */
export async function bundleModule(entryFile: string, options: { readonly moduleName: string }): Promise<BundledModule> {
  const entry = isAbsolute(entryFile) ? entryFile : resolve(entryFile);
  const root = dirname(entry);
  let result;
  try {
    // esbuild is loaded on first use: its start-up cost is paid only by builds, not by every CLI run.
    const { build } = await import('esbuild');
    result = await build({ ...FIXED_OPTIONS, entryPoints: [entry], absWorkingDir: root });
  } catch (error) {
    const messages = (error as BuildFailure).errors?.map((message) => message.text).join('\n  ') ?? String(error);
    throw new BuildError('BUNDLE_FAILED', `module ${options.moduleName} (${entryFile}) does not bundle:\n  ${messages}`, { cause: error });
  }
  const output = result.outputFiles?.[0];
  if (output === undefined) throw new BuildError('BUNDLE_FAILED', `module ${options.moduleName}: esbuild produced no output`);
  const warnings: string[] = [];
  for (const input of Object.keys(result.metafile?.inputs ?? {})) {
    const file = resolve(root, input);
    if (file.includes(`${sep}node_modules${sep}`) || file.startsWith(SDK_DIRECTORY + sep)) continue;
    warnings.push(...(await lintModuleState(file, root)));
  }
  const bytes = output.contents.slice();
  return { bytes, hash: hashBytes(bytes), warnings };
}
