// Bundles a benchmark script with esbuild into dist/bench/, to run under plain Node (run.ts).
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { REPO_ROOT } from './paths.ts';

const HERE = join(REPO_ROOT, 'bench');
const OUT_DIR = join(REPO_ROOT, 'dist/bench');
/** Packages loaded from node_modules at run time, as in the package's own build. */
const EXTERNAL = ['esbuild', 'better-sqlite3', 'quickjs-emscripten', '@jitl/*', 'tsx', 'wabt'];
const REQUIRE_BANNER = "import { createRequire as __aosCreateRequire } from 'node:module'; const require = __aosCreateRequire(import.meta.url);";
const BUNDLE_OPTIONS = { bundle: true, platform: 'node' as const, format: 'esm' as const, target: 'node20', external: EXTERNAL, logLevel: 'warning' as const, banner: { js: REQUIRE_BANNER } };

/**
 * Bundles a script of bench/ (or stdin code resolved there) into dist/bench/<out>.mjs. With
 * `split`, it is bundled as the shipped `aos` is (code splitting, chunks in dist/bench/<out>/):
 * what the script imports dynamically stays in chunks loaded when the import runs, so a probe
 * that times from its first line counts loading our code too.
 */
export async function bundleBench(out: string, entry: { file: string } | { code: string }, options: { split?: boolean } = {}): Promise<string> {
  const input = 'file' in entry ? { entryPoints: { [out]: join(HERE, entry.file) } } : { stdin: { contents: entry.code, resolveDir: HERE, loader: 'ts' as const, sourcefile: `${out}.entry.ts` } };
  if (options.split === true) {
    if (!('file' in entry)) throw new Error('a split bundle needs an entry file');
    const outdir = join(OUT_DIR, out);
    rmSync(outdir, { recursive: true, force: true });
    await build({ ...input, ...BUNDLE_OPTIONS, outdir, splitting: true, chunkNames: 'chunk-[hash]', outExtension: { '.js': '.mjs' } });
    await bundleThreads(outdir);
    return join(outdir, `${out}.mjs`);
  }
  const outfile = join(OUT_DIR, `${out}.mjs`);
  await build({ ...('file' in entry ? { entryPoints: [join(HERE, entry.file)] } : input), ...BUNDLE_OPTIONS, outfile });
  await bundleThreads(OUT_DIR);
  return outfile;
}

/** The thread entries our code looks for beside its bundle (as package.json's build puts them beside dist/aos.js). */
async function bundleThreads(outdir: string): Promise<void> {
  await build({ ...BUNDLE_OPTIONS, entryPoints: { 'sqlite-writer-thread': join(REPO_ROOT, 'src/store/sqlite-writer-thread.ts') }, outdir });
}
