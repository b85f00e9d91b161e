import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AdapterError } from './errors.ts';

const PACKAGE_NAME = 'agentos';
/** How many folders up from this file (or from the bundle in dist/) the package root can be. */
const PACKAGE_DEPTH_MAX = 6;

/**
 * The root of the installed agentos package, found by walking up from the running code: the
 * same answer whether this runs from src/ under tsx or from the dist/ bundle. `aos build` and
 * host.build_module find the SDK's sources there; `aos task` its bundled Demiurge world.
 */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let hops = 0; hops <= PACKAGE_DEPTH_MAX; hops += 1) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === PACKAGE_NAME) return dir;
    dir = dirname(dir);
  }
  throw new AdapterError('BAD_OPTION', `cannot find the ${PACKAGE_NAME} package root above ${fileURLToPath(import.meta.url)}; is the package installed whole?`);
}
