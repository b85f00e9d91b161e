// A minimal, strict reader of a world root's `.env` file (no dependency): one KEY=value per
// line; blank lines and `#` comments skipped; an optional `export ` prefix; values unquoted
// (trimmed, ending at ` #`), in single quotes (literal), or in double quotes (escapes \n \r \t
// \" \\ only). Nothing is interpolated: `$OTHER` stays as written. A later line wins over an
// earlier one. Errors name the file and line, never a value.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lstatOrNull } from './key-files.ts';
import { DOTENV_BYTES_MAX } from './limits.ts';
import { NodeError } from './errors.ts';

const LINE = /^(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)[ \t]*=[ \t]*(.*)$/;
const ESCAPES: Readonly<Record<string, string>> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' };

/** The `.env` file of a root. */
export function dotenvFile(root: string): string {
  return join(root, '.env');
}

/** The variables of a root's `.env` file; empty when there is none. */
export function readDotenv(root: string): ReadonlyMap<string, string> {
  const path = dotenvFile(root);
  const stats = lstatOrNull(path);
  if (stats === null) return new Map();
  if (stats.isSymbolicLink() || !stats.isFile() || stats.size > DOTENV_BYTES_MAX) {
    throw new NodeError('DOTENV_INVALID', `${path} is not a regular file of at most ${DOTENV_BYTES_MAX} bytes`, 'replace it with a plain KEY=value file');
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(readFileSync(path));
  } catch (error) {
    throw new NodeError('DOTENV_INVALID', `${path} is not UTF-8 text`, 'save it as UTF-8', { cause: error });
  }
  return parseDotenv(text, path);
}

/** Parses `.env` text; `where` names the file in errors. */
export function parseDotenv(text: string, where: string): ReadonlyMap<string, string> {
  const variables = new Map<string, string>();
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const match = LINE.exec(line);
    if (match?.[1] === undefined || match[2] === undefined) {
      throw new NodeError('DOTENV_INVALID', `${where} line ${index + 1} is not KEY=value`, 'write NAME=value (NAME of letters, digits and _), optionally after `export `; comments start with #');
    }
    variables.set(match[1], parseValue(match[2], `${where} line ${index + 1}`));
  });
  return variables;
}

function parseValue(rest: string, where: string): string {
  const quote = rest[0];
  if (quote !== "'" && quote !== '"') {
    const comment = rest.search(/[ \t]#/);
    return (comment === -1 ? rest : rest.slice(0, comment)).trim();
  }
  let value = '';
  for (let at = 1; at < rest.length; at += 1) {
    const char = rest[at] ?? '';
    if (char === quote) {
      const after = rest.slice(at + 1).trim();
      if (after !== '' && !after.startsWith('#')) throw new NodeError('DOTENV_INVALID', `${where} has text after its closing quote`, 'put a comment after a space and #, or quote the whole value');
      return value;
    }
    if (quote === '"' && char === '\\') {
      const escaped = ESCAPES[rest[at + 1] ?? ''];
      if (escaped === undefined) throw new NodeError('DOTENV_INVALID', `${where} has an unknown escape in double quotes`, 'only \\n \\r \\t \\" and \\\\ are escapes; use single quotes for a literal value');
      value += escaped;
      at += 1;
      continue;
    }
    value += char;
  }
  throw new NodeError('DOTENV_INVALID', `${where} opens a ${quote === '"' ? 'double' : 'single'} quote it does not close`, 'close the quote on the same line (multi-line values are not supported)');
}
