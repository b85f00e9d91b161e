// host.fs.glob and host.fs.grep, in process (no shelling out): a bounded walk of a directory
// confined to the session's work dir, matched against a glob or a regular expression.
//
// The walk never enters a symlinked directory (it cannot lead out, and cannot loop), lists a
// symlinked file only when its real path lies inside the work dir, and stops at
// HOST_SCAN_ENTRIES_MAX entries and HOST_WALK_DEPTH_MAX levels. A glob pattern is relative to
// the base, without ".." segments: it can only name things below the base. Results are sorted,
// so the same tree gives the same receipt. Patterns are matched in a worker thread under a
// deadline (pattern-worker.ts): a backtracking pattern never blocks the node.
import { lstat, readdir, readFile, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import type { CborObject } from '../../cbor/index.ts';
import type { AdapterContext } from '../adapter.ts';
import { AdapterError } from '../errors.ts';
import {
  HOST_GREP_FILE_BYTES_MAX, HOST_GREP_LINE_CHARS_MAX, HOST_RESULTS_DEFAULT, HOST_RESULTS_MAX, HOST_SCAN_BYTES_MAX, HOST_SCAN_ENTRIES_MAX, HOST_WALK_DEPTH_MAX,
} from '../limits.ts';
import { confinePath, displayPath, isInside, isMissing } from './confine.ts';
import { hostTextOutput, outputMode } from './host-output.ts';
import { optionalBool, optionalText, requiredText, resultCount } from './host-params.ts';
import type { PatternWorker } from './pattern-worker.ts';
import type { HostSession } from './sessions.ts';

/** One file the walk found: its real path and its path relative to the base (with "/"). */
interface WalkedFile { readonly absolute: string; readonly relative: string; readonly fromWorkdir: string }

/** A glob as a regular expression over "/"-separated relative paths: `**` any depth, `*` and `?` within a segment, `{a,b}`, `[abc]`. */
export function globRegExp(pattern: string): RegExp {
  if (pattern === '' || pattern.startsWith('/') || /^[A-Za-z]:/.test(pattern)) {
    throw new AdapterError('HOST_PATH_ESCAPE', `glob ${JSON.stringify(pattern)} is empty or absolute; give a pattern relative to the search path`);
  }
  if (pattern.split(/[\\/]/).includes('..')) throw new AdapterError('HOST_PATH_ESCAPE', `glob ${JSON.stringify(pattern)} has a ".." segment; it can only match below the search path`);
  let source = '';
  let braces = 0;
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern[index]!;
    if (char === '*' && pattern[index + 1] === '*') {
      const slash = pattern[index + 2] === '/';
      source += slash ? '(?:.*/)?' : '.*';
      index += slash ? 2 : 1;
    } else if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else if (char === '{') { source += '(?:'; braces++; }
    else if (char === '}' && braces > 0) { source += ')'; braces--; }
    else if (char === ',' && braces > 0) source += '|';
    else if (char === '[') {
      const close = pattern.indexOf(']', index + 1);
      if (close === -1) source += '\\[';
      else {
        const body = pattern.slice(index + 1, close).replace(/\\/g, '\\\\').replace(/^!/, '^');
        source += `[${body}]`;
        index = close;
      }
    } else source += char.replace(/[.+^$()|\\\]]/g, '\\$&');
  }
  if (braces !== 0) throw new AdapterError('HOST_INVALID_PARAMS', `glob ${JSON.stringify(pattern)} has an unclosed "{"`);
  return new RegExp(`^${source}$`);
}

/** Every file below `base` (a confined, existing directory), sorted, within the walk's bounds. */
async function walkFiles(workdir: string, base: string): Promise<{ files: WalkedFile[]; cut: boolean }> {
  const files: WalkedFile[] = [];
  const pending: Array<{ dir: string; prefix: string; depth: number }> = [{ dir: base, prefix: '', depth: 0 }];
  let visited = 0;
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    const entries = await readdir(item.dir, { withFileTypes: true });
    for (const entry of entries) {
      if (++visited > HOST_SCAN_ENTRIES_MAX) return { files: sortFiles(files), cut: true };
      const absolute = join(item.dir, entry.name);
      const relative = item.prefix === '' ? entry.name : `${item.prefix}/${entry.name}`;
      if (entry.isDirectory()) {
        if (item.depth + 1 < HOST_WALK_DEPTH_MAX) pending.push({ dir: absolute, prefix: relative, depth: item.depth + 1 });
      } else if (entry.isFile()) {
        files.push({ absolute, relative, fromWorkdir: displayPath(workdir, absolute) });
      } else if (entry.isSymbolicLink()) {
        const real = await realpathInside(workdir, absolute);
        // Symlinked directories are never entered; a symlinked file counts only when it stays inside.
        if (real !== null && (await lstat(real)).isFile()) files.push({ absolute: real, relative, fromWorkdir: displayPath(workdir, absolute) });
      }
    }
  }
  return { files: sortFiles(files), cut: false };
}

function sortFiles(files: WalkedFile[]): WalkedFile[] {
  return files.sort((left, right) => (left.relative < right.relative ? -1 : left.relative > right.relative ? 1 : 0));
}

async function realpathInside(workdir: string, path: string): Promise<string | null> {
  try {
    const real = await realpath(path);
    return isInside(workdir, real) ? real : null;
  } catch (error) {
    if (isMissing(error)) return null;
    throw error;
  }
}

async function baseDirectory(session: HostSession, params: CborObject): Promise<{ absolute: string; relative: string; isFile: boolean }> {
  const base = await confinePath(session.workdir, optionalText(params, 'path') ?? '.', 'path');
  if (!base.exists) throw new AdapterError('HOST_NOT_FOUND', `${base.relative} does not exist in the session's work dir`);
  const stats = await lstat(base.absolute);
  return { absolute: base.absolute, relative: base.relative, isFile: stats.isFile() };
}

/** host.fs.glob: paths (relative to the work dir) of files below `path` matching `pattern`. */
export async function globEffect(session: HostSession, params: CborObject, context: AdapterContext, patterns: PatternWorker): Promise<CborObject> {
  const deadlineAt = patterns.deadlineFromNow();
  const matcher = globRegExp(requiredText(params, 'pattern'));
  const mode = outputMode(optionalText(params, 'output_mode'));
  const max = resultCount(params, HOST_RESULTS_DEFAULT, HOST_RESULTS_MAX);
  const base = await baseDirectory(session, params);
  if (base.isFile) throw new AdapterError('HOST_NOT_A_DIRECTORY', `${base.relative} is a file; glob searches a directory`);
  const walk = await walkFiles(session.workdir, base.absolute);
  const hits = await patterns.match(matcher.source, matcher.flags, walk.files.map((file) => file.relative), 'whole', deadlineAt);
  const matched = walk.files.filter((_, index) => hits[index] === true).map((file) => file.fromWorkdir);
  const shown = matched.slice(0, max);
  const truncated = walk.cut || matched.length > max;
  return { status: 'ok', paths: hostTextOutput(shown.join('\n'), mode, context.blobs, 'the glob answer'), count: shown.length, truncated, summary_text: walk.cut ? `the walk stopped after ${HOST_SCAN_ENTRIES_MAX} entries (HOST_SCAN_ENTRIES_MAX); narrow the path` : null };
}

/** host.fs.grep: lines matching a regular expression, as "path:line:text", in files below `path` (filtered by glob_filter). */
export async function grepEffect(session: HostSession, params: CborObject, context: AdapterContext, patterns: PatternWorker): Promise<CborObject> {
  const deadlineAt = patterns.deadlineFromNow();
  const pattern = requiredText(params, 'pattern');
  let regex: RegExp;
  try {
    regex = new RegExp(pattern, optionalBool(params, 'case_insensitive') === true ? 'i' : '');
  } catch (error) {
    throw new AdapterError('HOST_INVALID_PARAMS', `pattern ${JSON.stringify(pattern)} is not a valid regular expression: ${error instanceof Error ? error.message : String(error)}`);
  }
  const filterText = optionalText(params, 'glob_filter');
  const filter = filterText === null ? null : globRegExp(filterText);
  const mode = outputMode(optionalText(params, 'output_mode'));
  const max = resultCount(params, HOST_RESULTS_DEFAULT, HOST_RESULTS_MAX);
  const base = await baseDirectory(session, params);
  const walk = base.isFile
    ? { files: [{ absolute: base.absolute, relative: base.relative.split('/').pop()!, fromWorkdir: base.relative }], cut: false }
    : await walkFiles(session.workdir, base.absolute);
  const lines: string[] = [];
  let matchCount = 0;
  let scanned = 0;
  let cut = walk.cut;
  const kept = filter === null ? walk.files : await filtered(walk.files, filter, patterns, deadlineAt);
  const texts: Array<{ readonly file: WalkedFile; readonly text: string }> = [];
  for (const file of kept) {
    const size = (await lstat(file.absolute)).size;
    if (size > HOST_GREP_FILE_BYTES_MAX) continue;
    if (scanned + size > HOST_SCAN_BYTES_MAX) { cut = true; break; }
    scanned += size;
    const bytes = await readFile(file.absolute);
    if (bytes.includes(0)) continue; // binary files are not searched
    texts.push({ file, text: bytes.toString('utf8') });
  }
  const hits = await patterns.match(regex.source, regex.flags, texts.map(({ text }) => text), 'lines', deadlineAt);
  for (const [position, { file, text }] of texts.entries()) {
    const found = hits[position] ?? [];
    if (found.length === 0) continue;
    const split = text.split('\n');
    for (const index of found) {
      matchCount++;
      if (lines.length < max) lines.push(`${file.fromWorkdir}:${index + 1}:${split[index]!.slice(0, HOST_GREP_LINE_CHARS_MAX)}`);
    }
  }
  const truncated = cut || matchCount > max;
  return { status: 'ok', matches: hostTextOutput(lines.join('\n'), mode, context.blobs, 'the grep answer'), match_count: matchCount, truncated, summary_text: `${matchCount} matching line${matchCount === 1 ? '' : 's'}${truncated ? `; showing ${lines.length}` : ''}` };
}

/** The files whose path, or whose name, matches the glob filter. */
async function filtered(files: readonly WalkedFile[], filter: RegExp, patterns: PatternWorker, deadlineAt: number): Promise<WalkedFile[]> {
  // One request: the paths, then the names.
  const texts = [...files.map((file) => file.relative), ...files.map((file) => file.relative.split('/').pop()!)];
  const hits = await patterns.match(filter.source, filter.flags, texts, 'whole', deadlineAt);
  return files.filter((_, index) => hits[index] === true || hits[files.length + index] === true);
}
