// The local side of `aos ws push|pull|diff`: the `workspaces` section of a world folder's
// aos.sync.json (upstream's format) and the folders it names.
//   "workspaces": [{ "dir": "workflow", "ref": "workflow", "ignore": ["target/", ".git/"] }]
// - dir: a folder relative to the world root (it must stay inside it);
// - ref: the workspace it syncs with (a name; `<name>@<version>` pins what pull writes out);
// - ignore: gitignore-like patterns: "name/" matches directories only, a pattern without "/"
//   matches that name at any depth, one with "/" matches the path from the folder's top;
//   "*" and "?" match within one name. A .aos folder (a world's state) is never synced.
// Symbolic links are skipped (and reported): following them could read or write outside the folder.
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { WORKSPACE_WALK_ENTRIES_MAX } from '../../adapters/limits.ts';
import type { FileToPlace } from '../../adapters/workspace/index.ts';
import { SYNC_CONFIG_FILE } from '../build/index.ts';
import { CliError } from '../cli-error.ts';

/** One synced folder of aos.sync.json. */
export interface WorkspaceSync {
  readonly dir: string;
  /** The folder's absolute path. */
  readonly path: string;
  readonly ref: string;
  readonly ignore: readonly string[];
}

/** A local folder read for a push or diff. */
export interface LocalFolder {
  readonly files: readonly FileToPlace[];
  /** Symbolic links left out, by path. */
  readonly skipped: readonly string[];
}

const NEVER_SYNCED = '.aos';
const SYNC_EXAMPLE = '"workspaces": [{"dir": "docs", "ref": "docs", "ignore": [".git/"]}]';

/** The `workspaces` section of `<root>/aos.sync.json`. */
export function readWorkspaceSyncs(root: string): WorkspaceSync[] {
  const file = join(root, SYNC_CONFIG_FILE);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CliError('SYNC_CONFIG_INVALID', `cannot read ${file}: ${(error as Error).message}`, `add ${SYNC_EXAMPLE} to it`);
  }
  const entries = (parsed as { workspaces?: unknown } | null)?.workspaces;
  if (!Array.isArray(entries) || entries.length === 0) {
    throw new CliError('SYNC_CONFIG_INVALID', `${file} has no "workspaces" to sync`, `add ${SYNC_EXAMPLE}`);
  }
  return entries.map((entry: unknown, index) => {
    const { dir, ref, ignore } = (entry ?? {}) as { dir?: unknown; ref?: unknown; ignore?: unknown };
    const where = `${file}: workspaces[${index}]`;
    if (typeof dir !== 'string' || dir === '' || isAbsolute(dir)) throw new CliError('SYNC_CONFIG_INVALID', `${where}.dir must be a folder relative to the world root`, `e.g. ${SYNC_EXAMPLE}`);
    const path = join(root, dir);
    if (relative(root, path).startsWith('..')) throw new CliError('SYNC_CONFIG_INVALID', `${where}.dir "${dir}" points outside the world root`, 'sync only folders inside the world folder');
    if (typeof ref !== 'string' || ref === '') throw new CliError('SYNC_CONFIG_INVALID', `${where}.ref must name a workspace`, `e.g. ${SYNC_EXAMPLE}`);
    if (ignore !== undefined && (!Array.isArray(ignore) || !ignore.every((pattern) => typeof pattern === 'string'))) {
      throw new CliError('SYNC_CONFIG_INVALID', `${where}.ignore must be a list of patterns`, 'e.g. "ignore": ["target/", ".git/"]');
    }
    return { dir, path, ref, ignore: (ignore ?? []) as string[] };
  });
}

/** A matcher for a folder's ignore patterns: (path from the folder's top, is it a directory) → ignored. */
export function ignoreMatcher(patterns: readonly string[]): (path: string, isDir: boolean) => boolean {
  const rules = patterns.map((pattern) => {
    const dirOnly = pattern.endsWith('/');
    const body = dirOnly ? pattern.slice(0, -1) : pattern;
    const anchored = body.includes('/');
    return { dirOnly, anchored, regex: globRegex(anchored ? body.replace(/^\//, '') : body) };
  });
  return (path, isDir) => {
    const name = path.slice(path.lastIndexOf('/') + 1);
    if (name === NEVER_SYNCED) return true;
    return rules.some((rule) => (!rule.dirOnly || isDir) && rule.regex.test(rule.anchored ? path : name));
  };
}

function globRegex(glob: string): RegExp {
  const source = [...glob].map((char) => (char === '*' ? '[^/]*' : char === '?' ? '[^/]' : char.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${source}$`);
}

/** Reads every file of a folder that is not ignored, with its mode (executable or not). */
export function readLocalFolder(sync: WorkspaceSync): LocalFolder {
  if (!existsSync(sync.path)) throw new CliError('NO_FOLDER', `${sync.path} does not exist`, `create it, or fix "dir" for workspace ${sync.ref} in ${SYNC_CONFIG_FILE}`);
  const ignored = ignoreMatcher(sync.ignore);
  const files: FileToPlace[] = [];
  const skipped: string[] = [];
  const pending = [''];
  for (let dir = pending.pop(); dir !== undefined; dir = pending.pop()) {
    for (const name of readdirSync(join(sync.path, dir)).sort()) {
      const path = dir === '' ? name : `${dir}/${name}`;
      const stats = lstatSync(join(sync.path, path));
      if (ignored(path, stats.isDirectory())) continue;
      if (stats.isSymbolicLink()) skipped.push(path);
      else if (stats.isDirectory()) pending.push(path);
      else if (stats.isFile()) files.push({ path, bytes: new Uint8Array(readFileSync(join(sync.path, path))), mode: (stats.mode & 0o111) !== 0 ? 0o755 : 0o644 });
      if (files.length + pending.length > WORKSPACE_WALK_ENTRIES_MAX) {
        throw new CliError('FOLDER_TOO_LARGE', `${sync.path} holds more than ${WORKSPACE_WALK_ENTRIES_MAX} entries`, 'ignore generated folders in aos.sync.json, or sync a smaller folder');
      }
    }
  }
  return { files, skipped };
}

/** Writes `bytes` to `path` (relative to the folder) unless it already holds them; true when written. */
export function writeLocalFile(sync: WorkspaceSync, path: string, bytes: Uint8Array, mode: number): boolean {
  const target = join(sync.path, ...path.split('/'));
  mkdirSync(dirname(target), { recursive: true });
  // A symbolic link on the way could point outside the folder: refuse to write through one.
  const top = realpathSync(sync.path);
  if (realpathSync(dirname(target)) !== top && !realpathSync(dirname(target)).startsWith(top + sep)) {
    throw new CliError('PATH_ESCAPES', `${target} lies outside ${sync.path} once links are followed`, 'remove the symbolic link from the folder, then pull again');
  }
  if (existsSync(target)) {
    const stats = lstatSync(target);
    if (stats.isSymbolicLink() || !stats.isFile()) throw new CliError('PATH_ESCAPES', `${target} exists and is not a regular file`, 'move it away, then pull again');
    if (Buffer.from(readFileSync(target)).equals(Buffer.from(bytes))) return false;
  }
  writeFileSync(target, bytes, { mode: mode & 0o777 });
  return true;
}

/** Removes a local file a pull with --prune found missing from the workspace. */
export function removeLocalFile(sync: WorkspaceSync, path: string): void {
  rmSync(join(sync.path, ...path.split('/')), { force: true });
}
