// The esbuild options every module bundle is made with, by `aos build` (src/cli/build) and by
// host.build_module (host/module-bundler.ts) alike, so the same sources give the same bytes, and
// so the same hash, whoever builds them, on any machine: no source maps, no path comments
// (whitespace is minified away), a fixed target, strict mode, and the SDK resolved by an alias
// rather than by where it happens to be installed. Each builder adds its own import guard.
import type { BuildOptions } from 'esbuild';

/** The specifier module authors import the SDK by. */
export const SDK_SPECIFIER = 'agentos/sdk';

/** The fixed options, with the SDK's entry file at `sdkIndex`. */
export function moduleBundleOptions(sdkIndex: string): BuildOptions {
  return {
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
    logLevel: 'silent',
    // Strict mode makes writes to frozen globals and intrinsics throw instead of being ignored.
    banner: { js: '"use strict";' },
    alias: { [SDK_SPECIFIER]: sdkIndex },
    tsconfigRaw: { compilerOptions: { useDefineForClassFields: true, verbatimModuleSyntax: true } },
  };
}
