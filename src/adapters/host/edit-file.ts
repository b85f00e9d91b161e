// host.fs.edit_file: replace old_string by new_string in one file.
//
// Matching, in order: the exact text; else a normalised match, where runs of whitespace
// (newlines included) compare as one space and curly quotes compare as straight ones, since
// models often retype indentation or quotes slightly wrong. The replaced span is the original
// text the normalised match covers. No match is an error naming the file; more than one match
// without replace_all is an error saying how many (the model must give more context), never a
// guess at which one was meant.
import { readFile, stat, writeFile } from 'node:fs/promises';
import type { CborObject } from '../../cbor/index.ts';
import { AdapterError } from '../errors.ts';
import { HOST_EDIT_REPLACEMENTS_MAX, HOST_WRITE_BYTES_MAX } from '../limits.ts';
import { confinePath } from './confine.ts';
import { optionalBool, requiredText } from './host-params.ts';
import type { HostSession } from './sessions.ts';

/** A span [start, end) of the original text. */
interface Span { readonly start: number; readonly end: number }

const QUOTES: ReadonlyMap<string, string> = new Map([
  ['\u2018', "'"], ['\u2019', "'"], ['\u201a', "'"], ['\u201b', "'"], ['\u2032', "'"],
  ['\u201c', '"'], ['\u201d', '"'], ['\u201e', '"'], ['\u201f', '"'], ['\u2033', '"'],
]);

/** The normalised text and, for each of its characters, the original span it stands for. */
function normalise(text: string): { readonly text: string; readonly spans: readonly Span[] } {
  let out = '';
  const spans: Span[] = [];
  for (let index = 0; index < text.length;) {
    if (/\s/.test(text[index]!)) {
      let end = index + 1;
      while (end < text.length && /\s/.test(text[end]!)) end++;
      out += ' ';
      spans.push({ start: index, end });
      index = end;
      continue;
    }
    out += QUOTES.get(text[index]!) ?? text[index]!;
    spans.push({ start: index, end: index + 1 });
    index++;
  }
  return { text: out, spans };
}

/** Non-overlapping occurrences of `needle` in `haystack`, as [start, end) spans. */
function occurrences(haystack: string, needle: string): Span[] {
  const found: Span[] = [];
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + needle.length)) {
    found.push({ start: at, end: at + needle.length });
    if (found.length > HOST_EDIT_REPLACEMENTS_MAX) break;
  }
  return found;
}

/** The spans of the original text that old_string matches: exact first, else normalised. */
export function findMatches(text: string, oldString: string): { readonly spans: readonly Span[]; readonly normalised: boolean } {
  const exact = occurrences(text, oldString);
  if (exact.length > 0) return { spans: exact, normalised: false };
  const haystack = normalise(text);
  const needle = normalise(oldString).text;
  if (needle.trim() === '') return { spans: [], normalised: true };
  const spans = occurrences(haystack.text, needle).map((match) => ({ start: haystack.spans[match.start]!.start, end: haystack.spans[match.end - 1]!.end }));
  return { spans, normalised: true };
}

/** Replaces the spans (sorted, non-overlapping) by `replacement`. */
function replaceSpans(text: string, spans: readonly Span[], replacement: string): string {
  let out = '';
  let cursor = 0;
  for (const span of spans) {
    out += text.slice(cursor, span.start) + replacement;
    cursor = span.end;
  }
  return out + text.slice(cursor);
}

/** host.fs.edit_file. */
export async function editFileEffect(session: HostSession, params: CborObject): Promise<CborObject> {
  const target = await confinePath(session.workdir, requiredText(params, 'path'), 'path');
  const oldString = requiredText(params, 'old_string');
  const newString = requiredText(params, 'new_string');
  const replaceAll = optionalBool(params, 'replace_all') ?? false;
  if (oldString === '') throw new AdapterError('HOST_INVALID_PARAMS', 'old_string is empty; give the exact text to replace (use write_file to create a file)');
  if (!target.exists) throw new AdapterError('HOST_NOT_FOUND', `${target.relative} does not exist in the session's work dir`);
  const stats = await stat(target.absolute);
  if (!stats.isFile()) throw new AdapterError('HOST_NOT_A_FILE', `${target.relative} is not a regular file`);
  if (stats.size > HOST_WRITE_BYTES_MAX) throw new AdapterError('HOST_TOO_LARGE', `${target.relative} has ${stats.size} bytes, over the ${HOST_WRITE_BYTES_MAX}-byte cap of files edit_file rewrites`);
  const text = await readFile(target.absolute, 'utf8');
  const { spans, normalised } = findMatches(text, oldString);
  if (spans.length === 0) {
    throw new AdapterError('HOST_NO_MATCH', `old_string was not found in ${target.relative}, neither exactly nor with whitespace and quotes normalised; read the file and copy the text to replace`);
  }
  if (spans.length > HOST_EDIT_REPLACEMENTS_MAX) {
    throw new AdapterError('HOST_TOO_LARGE', `old_string matches more than ${HOST_EDIT_REPLACEMENTS_MAX} times in ${target.relative} (HOST_EDIT_REPLACEMENTS_MAX)`);
  }
  if (spans.length > 1 && !replaceAll) {
    throw new AdapterError('HOST_AMBIGUOUS_MATCH', `old_string matches ${spans.length} times in ${target.relative}; include more surrounding text to pick one, or pass replace_all: true`);
  }
  await writeFile(target.absolute, replaceSpans(text, spans, newString), 'utf8');
  const how = normalised ? ' (matched with whitespace and quotes normalised)' : '';
  return { status: 'ok', replacements: spans.length, applied: true, summary_text: `replaced ${spans.length} occurrence${spans.length === 1 ? '' : 's'} in ${target.relative}${how}` };
}
