// Workspace paths and names. A path names one entry of a tree, relative to its root: names
// separated by "/", with no empty segment (so no leading, trailing or doubled "/"), no "." or
// ".." segment, no backslash and no NUL. The root itself is the empty path, which only the
// operations on a whole tree accept (list, annotations, a diff prefix). A path is compared and
// sorted by its UTF-8 bytes, the order tree entries are kept in.
import { InvariantError } from '../../cbor/index.ts';
import { AdapterError } from '../errors.ts';
import { WORKSPACE_NAME_BYTES_MAX, WORKSPACE_PATH_BYTES_MAX, WORKSPACE_PATH_SEGMENTS_MAX, WORKSPACE_WORKSPACE_NAME_BYTES_MAX } from '../limits.ts';

const encoder = new TextEncoder();
/** A workspace name: what the CLI's `<ws>[@version][/path]` references can carry unambiguously. */
const WORKSPACE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** The segments of a path to an entry (at least one); throws WORKSPACE_PATH_INVALID saying what is wrong. */
export function pathSegments(path: string): string[] {
  if (path === '') throw invalid(path, 'is empty; name an entry, such as "notes/todo.md"');
  return checkedSegments(path);
}

/** A path to an entry as the directories above it and the entry's own name. */
export function splitPath(path: string): { readonly parents: string[]; readonly name: string } {
  const parents = pathSegments(path);
  const name = parents.pop();
  if (name === undefined) throw new InvariantError('a checked path has at least one segment');
  return { parents, name };
}

/** The segments of a path that may be the root (""), which has none. */
export function rootOrPathSegments(path: string | null): string[] {
  return path === null || path === '' ? [] : checkedSegments(path);
}

function checkedSegments(path: string): string[] {
  const bytes = encoder.encode(path).byteLength;
  if (bytes > WORKSPACE_PATH_BYTES_MAX) throw invalid(path, `has ${bytes} bytes, over the ${WORKSPACE_PATH_BYTES_MAX}-byte limit (WORKSPACE_PATH_BYTES_MAX)`);
  if (path.startsWith('/')) throw invalid(path, 'is absolute; workspace paths are relative to the workspace root (drop the leading "/")');
  if (path.includes('\\')) throw invalid(path, 'contains "\\"; separate names with "/"');
  if (path.includes('\0')) throw invalid(path, 'contains a NUL character');
  const segments = path.split('/');
  if (segments.length > WORKSPACE_PATH_SEGMENTS_MAX) throw invalid(path, `has ${segments.length} segments, over the ${WORKSPACE_PATH_SEGMENTS_MAX}-segment limit (WORKSPACE_PATH_SEGMENTS_MAX)`);
  for (const segment of segments) {
    if (segment === '') throw invalid(path, 'has an empty segment (a trailing or doubled "/")');
    if (segment === '.' || segment === '..') throw invalid(path, `has a "${segment}" segment; name entries directly, workspace paths cannot climb or repeat the current folder`);
    const segmentBytes = encoder.encode(segment).byteLength;
    if (segmentBytes > WORKSPACE_NAME_BYTES_MAX) throw invalid(path, `has a segment of ${segmentBytes} bytes, over the ${WORKSPACE_NAME_BYTES_MAX}-byte limit (WORKSPACE_NAME_BYTES_MAX)`);
  }
  return segments;
}

/** Checks a workspace's name (the key of its sys/Workspace@1 cell). */
export function checkWorkspaceName(name: string): void {
  if (!WORKSPACE_NAME.test(name) || encoder.encode(name).byteLength > WORKSPACE_WORKSPACE_NAME_BYTES_MAX) {
    throw new AdapterError('WORKSPACE_NAME_INVALID', `workspace name "${name}" is not valid: use letters, digits, ".", "_" and "-", starting with a letter or digit, at most ${WORKSPACE_WORKSPACE_NAME_BYTES_MAX} bytes`);
  }
}

/** Orders names and paths by their UTF-8 bytes (code point order), the order trees keep. */
export function comparePaths(left: string, right: string): number {
  return Buffer.compare(Buffer.from(left, 'utf8'), Buffer.from(right, 'utf8'));
}

/** `child` under `parent` ("" is the root). */
export function joinPath(parent: string, child: string): string {
  return parent === '' ? child : `${parent}/${child}`;
}

/** True when `path` is `prefix` or lies beneath it (the root prefix "" holds every path). */
export function isUnder(path: string, prefix: string): boolean {
  return prefix === '' || path === prefix || path.startsWith(`${prefix}/`);
}

function invalid(path: string, what: string): AdapterError {
  return new AdapterError('WORKSPACE_PATH_INVALID', `workspace path ${JSON.stringify(path)} ${what}`);
}
