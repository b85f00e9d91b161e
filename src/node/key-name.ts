// Checks on what names a key: the name becomes a file name in <root>/.aos/keys/ (and, for an
// adapter key, the adapter_id its receipts carry), so it must never reach outside that folder.
import { assert } from '../cbor/index.ts';
import { NodeError } from './errors.ts';
import { KEY_NAME_CHARS_MAX } from './limits.ts';

/** What a key is for: adapters sign receipts, principals sign approvals. */
export type KeyRole = 'adapter' | 'principal';

const KEY_ROLES: readonly KeyRole[] = ['adapter', 'principal'];
const NAME_PATTERN = /^[a-z0-9][a-z0-9._-]*$/;
const NAME_RULE = `use lowercase letters, digits, ".", "_" and "-", starting with a letter or digit, at most ${KEY_NAME_CHARS_MAX} characters (e.g. http, timer.default, alice)`;

/** Refuses a key name that is not a safe, portable file name, saying what is wrong with it. */
export function checkKeyName(name: string): string {
  const problem = findNameProblem(name);
  if (problem !== null) throw new NodeError('BAD_KEY_NAME', `key name ${quote(name)} is not allowed: ${problem}`, NAME_RULE);
  return name;
}

/** Refuses anything but a known role. */
export function checkKeyRole(role: string): KeyRole {
  const known = KEY_ROLES.find((candidate) => candidate === role);
  if (known === undefined) throw new NodeError('BAD_INPUT', `key role ${quote(role)} is not known`, `use --role ${KEY_ROLES.join(' or --role ')}`);
  return known;
}

/** True for a name checkKeyName accepts (used when reading names back from the folder). */
export function isKeyName(name: string): boolean {
  return findNameProblem(name) === null;
}

function findNameProblem(name: string): string | null {
  if (name.length === 0) return 'it is empty';
  if (name.length > KEY_NAME_CHARS_MAX) return `it has ${name.length} characters; the most is ${KEY_NAME_CHARS_MAX}`;
  if (name.includes('/') || name.includes('\\')) return 'it contains a path separator';
  if (name.includes('..')) return 'it contains ".."';
  if (/[A-Z]/.test(name)) return 'it has uppercase letters (names differ only in case on some disks)';
  if (!/^[a-z0-9]/.test(name)) return `it starts with ${quote(name.charAt(0))}; a name starts with a letter or digit`;
  const bad = [...name].find((char) => !/^[a-z0-9._-]$/.test(char));
  if (bad !== undefined) return `it contains ${quote(bad)}`;
  assert(NAME_PATTERN.test(name), 'the checks above cover the name pattern');
  return null;
}

function quote(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text);
}
