// Reads `<root>/aos.sync.json`, whose `build` section (upstream's, extended) maps each module
// name to its TypeScript source:
//   { "build": { "modules": { "demo/Counter@1": "workflows/counter.ts" } } }
// Paths are relative to the world root. Upstream's other sections and keys (`air`,
// `modules.pull`, `build.workflow_dir`, …) are left alone.
import { readFileSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { BuildError } from './errors.ts';

/** File name of the sync config in a world root. */
export const SYNC_CONFIG_FILE = 'aos.sync.json';

/** Module name → absolute source path, in the file's order. */
export function readSyncConfig(root: string): ReadonlyMap<string, string> {
  const file = join(root, SYNC_CONFIG_FILE);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new BuildError('SYNC_CONFIG_INVALID', `cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
  const modules = (parsed as { build?: { modules?: unknown } } | null)?.build?.modules;
  if (typeof modules !== 'object' || modules === null || Array.isArray(modules)) {
    throw new BuildError('SYNC_CONFIG_INVALID', `${file} needs "build": {"modules": {"<module name>": "<path to .ts source>"}}`);
  }
  const sources = new Map<string, string>();
  for (const [name, source] of Object.entries(modules)) {
    if (typeof source !== 'string' || source === '' || isAbsolute(source)) {
      throw new BuildError('SYNC_CONFIG_INVALID', `${file}: build.modules["${name}"] must be a path relative to the world root`);
    }
    const path = join(root, source);
    if (relative(root, path).startsWith('..')) {
      throw new BuildError('SYNC_CONFIG_INVALID', `${file}: build.modules["${name}"] = "${source}" points outside the world root`);
    }
    sources.set(name, path);
  }
  return sources;
}
