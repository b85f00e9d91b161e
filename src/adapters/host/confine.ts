// Path confinement of host sessions: every path a host effect names (a file, a directory, an
// exec cwd, a glob base, a patch target) resolves inside the session's work dir, or the effect
// is refused before anything is read or written.
//
// The rules, in order:
// - a path is text without NUL; relative paths resolve against the work dir; an absolute path
//   is allowed only when it lies inside the work dir already;
// - no ".." segment at all: lexical normalisation of "a/../b" differs from what the OS does when
//   "a" is a symlink, so we refuse the question rather than answer it wrongly;
// - the real path (symlinks resolved) of the target, or of its nearest existing ancestor when it
//   does not exist yet, lies inside the real work dir: a symlink pointing out is refused, one
//   pointing elsewhere inside is fine; a dangling symlink is refused (writing through it would
//   create its target, wherever that is).
// The returned path is the resolved one, so the operation acts on what was checked. A process
// racing us on the same tree (replacing a checked directory by a symlink between the check and
// the open) is outside this model: the work dir belongs to the session.
import { lstat, realpath } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { AdapterError } from '../errors.ts';

/** A path checked to lie inside the work dir. */
export interface ConfinedPath {
  /** Absolute, symlinks resolved up to the nearest existing ancestor: the path to operate on. */
  readonly absolute: string;
  /** Relative to the work dir, with "/" separators ("." for the work dir itself): for receipts. */
  readonly relative: string;
  /** Whether the target exists (as a file, a directory or anything else). */
  readonly exists: boolean;
}

/** True when `path` is `root` or lies below it (both absolute and normalised). */
export function isInside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/** The path relative to the work dir as receipts show it. */
export function displayPath(workdir: string, absolute: string): string {
  const rel = relative(workdir, absolute);
  return rel === '' ? '.' : rel.split(sep).join('/');
}

/**
 * Resolves `path` (as the effect gave it) inside `workdir` (a real path), or throws
 * AdapterError HOST_PATH_ESCAPE / HOST_INVALID_PATH naming the path and the rule it broke.
 */
export async function confinePath(workdir: string, path: string, what: string): Promise<ConfinedPath> {
  const shown = JSON.stringify(path.length > 200 ? `${path.slice(0, 200)}…` : path);
  if (path.includes('\0')) throw new AdapterError('HOST_INVALID_PATH', `${what} ${shown} contains a NUL character`);
  const given = path === '' ? '.' : path;
  if (given.split(/[\\/]/).includes('..')) {
    throw new AdapterError('HOST_PATH_ESCAPE', `${what} ${shown} has a ".." segment; name paths inside the session's work dir without climbing`);
  }
  const lexical = isAbsolute(given) ? resolve(given) : resolve(workdir, given);
  if (!isInside(workdir, lexical)) {
    throw new AdapterError('HOST_PATH_ESCAPE', `${what} ${shown} is outside the session's work dir; give a path relative to it`);
  }
  const found = await nearestExisting(lexical);
  const real = await realpathOrNull(found.path);
  if (real === null) {
    throw new AdapterError('HOST_PATH_ESCAPE', `${what} ${shown} goes through a symlink whose target does not exist; it could point anywhere, so it is refused`);
  }
  if (!isInside(workdir, real)) {
    throw new AdapterError('HOST_PATH_ESCAPE', `${what} ${shown} resolves through a symlink to a place outside the session's work dir`);
  }
  const absolute = found.rest.length === 0 ? real : join(real, ...found.rest);
  return { absolute, relative: displayPath(workdir, absolute), exists: found.rest.length === 0 };
}

/** The nearest ancestor of `path` (itself included) that exists, and the segments below it. */
async function nearestExisting(path: string): Promise<{ readonly path: string; readonly rest: readonly string[] }> {
  const rest: string[] = [];
  let current = path;
  // Bounded by the number of segments of `path`: each turn removes one.
  for (;;) {
    try {
      await lstat(current);
      return { path: current, rest: rest.reverse() };
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
    const parent = resolve(current, '..');
    if (parent === current) return { path: current, rest: rest.reverse() };
    rest.push(current.slice(parent.length + (parent.endsWith(sep) ? 0 : 1)));
    current = parent;
  }
}

async function realpathOrNull(path: string): Promise<string | null> {
  try {
    return await realpath(path);
  } catch (error) {
    if (isMissing(error)) return null; // a dangling symlink: lstat found it, realpath cannot follow it
    throw error;
  }
}

/** True for the errors that mean "no such entry" (a missing file or a missing directory on the way). */
export function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** True for a missing path or one the node may not enter: either way no command of the node's user reaches it. */
export function isOutOfReach(error: unknown): boolean {
  return isMissing(error) || (error as NodeJS.ErrnoException | null)?.code === 'EACCES';
}
