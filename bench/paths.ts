// Where the repository is, found by walking up to its package.json: benchmarks run from an
// esbuild bundle in dist/bench/ (see run.ts), so paths relative to a module's URL would move.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_NAME = 'agentos';
const DEPTH_MAX = 6;

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let hops = 0; hops <= DEPTH_MAX; hops += 1) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === PACKAGE_NAME) return dir;
    dir = dirname(dir);
  }
  throw new Error(`no ${PACKAGE_NAME} package.json above ${fileURLToPath(import.meta.url)}`);
}

/** The repository root. */
export const REPO_ROOT = findRoot();
