// Bundles one TypeScript module into the single script the js runtime evaluates. Options
// are fixed so the same sources give the same bytes, and so the same hash, on any machine:
// no source maps, no path comments (whitespace is minified away), a fixed target, and the
// SDK resolved by an alias rather than by where it happens to be installed.
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import type { BuildFailure, BuildOptions } from 'esbuild';
import { hashBytes } from '../../cbor/index.ts';
import type { Hash } from '../../cbor/index.ts';
import { BuildError } from './errors.ts';
import { lintModuleState } from './module-state-lint.ts';
import { sandboxImportGuard } from './sandbox-import-guard.ts';
import { packageRoot } from './package-root.ts';

/** The SDK's source folder (shipped with the package); its own files are not linted and `agentos/sdk` resolves here. */
const SDK_DIRECTORY = join(packageRoot(), 'src', 'sdk');
/** The specifier module authors import the SDK by. */
export const SDK_SPECIFIER = 'agentos/sdk';

/** A bundled module: its bytes, their hash (the def's `wasm_hash`) and lint warnings. */
export interface BundledModule {
  readonly bytes: Uint8Array;
  readonly hash: Hash;
  readonly warnings: readonly string[];
}

const FIXED_OPTIONS: BuildOptions = Object.freeze({
  bundle: true,
  write: false,
  format: 'iife',
  platform: 'neutral',
  mainFields: ['module', 'main'],
  target: 'es2022',
  charset: 'utf8',
  legalComments: 'none',
  sourcemap: false,
  minifyWhitespace: true,
  treeShaking: true,
  metafile: true,
  logLevel: 'silent',
  // Strict mode makes writes to frozen globals and intrinsics throw instead of being ignored.
  banner: { js: '"use strict";' },
  alias: { [SDK_SPECIFIER]: join(SDK_DIRECTORY, 'index.ts') },
  tsconfigRaw: { compilerOptions: { useDefineForClassFields: true, verbatimModuleSyntax: true } },
  plugins: [sandboxImportGuard],
});

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
