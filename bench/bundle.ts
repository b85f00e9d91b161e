// Bundles a benchmark script with esbuild into dist/bench/, to run under plain Node (run.ts).
import { join } from 'node:path';
import { build } from 'esbuild';
import { REPO_ROOT } from './paths.ts';

const HERE = join(REPO_ROOT, 'bench');
const OUT_DIR = join(REPO_ROOT, 'dist/bench');
/** Packages loaded from node_modules at run time, as in the package's own build. */
const EXTERNAL = ['esbuild', 'better-sqlite3', 'quickjs-emscripten', '@jitl/*', 'tsx', 'wabt'];
const REQUIRE_BANNER = "import { createRequire as __aosCreateRequire } from 'node:module'; const require = __aosCreateRequire(import.meta.url);";

/** Bundles a script of bench/ (or stdin code resolved there) into dist/bench/<out>.mjs. */
export async function bundleBench(out: string, entry: { file: string } | { code: string }): Promise<string> {
  const outfile = join(OUT_DIR, `${out}.mjs`);
  await build({
    ...('file' in entry ? { entryPoints: [join(HERE, entry.file)] } : { stdin: { contents: entry.code, resolveDir: HERE, loader: 'ts', sourcefile: `${out}.entry.ts` } }),
    bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile, external: EXTERNAL, logLevel: 'warning', banner: { js: REQUIRE_BANNER },
  });
  return outfile;
}

