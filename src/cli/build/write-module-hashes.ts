// After a build, each built module's def in the world's AIR files carries its bundle's hash.
import { readFileSync, writeFileSync } from 'node:fs';
import { airFilesOf, parseAirJson } from '../../air/index.ts';
import type { Hash } from '../../cbor/index.ts';
import { BuildError } from './errors.ts';

/** Which module defs changed, and in which files. */
export interface HashUpdate {
  readonly module: string;
  readonly file: string;
  readonly before: string | null;
  readonly after: Hash;
}

/**
 * Sets `wasm_hash` of every defmodule named in `hashes` and rewrites only the files that
 * change (JSON, 2-space indent: authored formatting is not kept). A built module with no
 * def in the AIR files is an error: the build would otherwise be silently unused.
 */
export function writeModuleHashes(root: string, hashes: Readonly<Record<string, Hash>>): HashUpdate[] {
  const updates: HashUpdate[] = [];
  const found = new Set<string>();
  for (const file of airFilesOf(root)) {
    const text = readFileSync(file, 'utf8');
    const parsed = parseAirJson(text, file);
    const nodes = (Array.isArray(parsed) ? parsed : [parsed]) as Array<Record<string, unknown>>;
    let changed = false;
    for (const node of nodes) {
      if (node?.$kind !== 'defmodule' || typeof node.name !== 'string') continue;
      const hash = hashes[node.name];
      if (hash === undefined) continue;
      found.add(node.name);
      if (node.wasm_hash === hash) continue;
      updates.push({ module: node.name, file, before: typeof node.wasm_hash === 'string' ? node.wasm_hash : null, after: hash });
      node.wasm_hash = hash;
      changed = true;
    }
    if (changed) writeFileSync(file, `${JSON.stringify(Array.isArray(parsed) ? nodes : nodes[0], bigintAsNumber, 2)}\n`);
  }
  const missing = Object.keys(hashes).filter((name) => !found.has(name));
  if (missing.length > 0) {
    throw new BuildError('MODULE_NOT_IN_AIR', `aos.sync.json builds ${missing.map((name) => `"${name}"`).join(', ')}, but no defmodule of that name is in ${root}/air; add the def or remove the entry`);
  }
  return updates;
}

function bigintAsNumber(_key: string, value: unknown): unknown {
  // AIR files hold only safe integers outside typed values; digits keep any larger ones exact.
  return typeof value === 'bigint' ? value.toString() : value;
}
