// An eval case: a folder holding case.json, optional setup/ files (copied into the fresh work dir
// the agent works in) and, for the scripted provider, a reply script.
//
// case.json: {
//   "task": "…",                                  what the agent is asked (required)
//   "script": "script.json",                      the scripted provider's replies, relative to the case (default script.json)
//   "expect": {                                   every field optional; at least one expectation
//     "tools_called": ["read_file"],              model-facing tool names called at least once
//     "answer_contains": ["…"],                   substrings of the final answer
//     "tool_output_contains": ["…"],              substrings of some tool result
//     "files_exist": ["out/a.txt"],               paths in the work dir afterwards
//     "files_contain": {"a.txt": "…"},            a file holds this substring
//     "files_equal": {"a.txt": "…"}               a file is exactly this text
//   }
// }
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CliError } from '../cli-error.ts';

export interface Expectations {
  readonly tools_called: readonly string[];
  readonly answer_contains: readonly string[];
  readonly tool_output_contains: readonly string[];
  readonly files_exist: readonly string[];
  readonly files_contain: Readonly<Record<string, string>>;
  readonly files_equal: Readonly<Record<string, string>>;
}

export interface EvalCase {
  readonly name: string;
  readonly dir: string;
  readonly task: string;
  readonly script: string;
  readonly setup: string | null;
  readonly expect: Expectations;
}

const CASE_FIELDS = ['task', 'script', 'expect'];
const EXPECT_FIELDS = ['tools_called', 'answer_contains', 'tool_output_contains', 'files_exist', 'files_contain', 'files_equal'];

function bad(where: string, what: string): CliError {
  return new CliError('BAD_INPUT', `${where}: ${what}`, 'the case format is described in src/cli/eval/eval-case.ts');
}

function strings(value: unknown, where: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) throw bad(where, 'is a list of strings');
  return value as string[];
}

function textMap(value: unknown, where: string): Record<string, string> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.values(value).every((item) => typeof item === 'string')) throw bad(where, 'is an object of path → text');
  return value as Record<string, string>;
}

/** Reads one case folder; any problem names the file and the field. */
export function readCase(dir: string, name: string): EvalCase {
  const file = join(dir, 'case.json');
  let document: unknown;
  try {
    document = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw bad(file, `is not readable JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) throw bad(file, 'a case is a JSON object');
  const record = document as Record<string, unknown>;
  const extra = Object.keys(record).find((key) => !CASE_FIELDS.includes(key));
  if (extra !== undefined) throw bad(file, `unknown field "${extra}"; the fields are ${CASE_FIELDS.join(', ')}`);
  if (typeof record['task'] !== 'string' || record['task'].trim() === '') throw bad(file, '"task" is the non-empty text the agent is given');
  const expectRaw = record['expect'] ?? {};
  if (typeof expectRaw !== 'object' || expectRaw === null || Array.isArray(expectRaw)) throw bad(file, '"expect" is an object');
  const expectRecord = expectRaw as Record<string, unknown>;
  const extraExpect = Object.keys(expectRecord).find((key) => !EXPECT_FIELDS.includes(key));
  if (extraExpect !== undefined) throw bad(file, `unknown expectation "${extraExpect}"; they are ${EXPECT_FIELDS.join(', ')}`);
  const expect: Expectations = {
    tools_called: strings(expectRecord['tools_called'], `${file} expect.tools_called`),
    answer_contains: strings(expectRecord['answer_contains'], `${file} expect.answer_contains`),
    tool_output_contains: strings(expectRecord['tool_output_contains'], `${file} expect.tool_output_contains`),
    files_exist: strings(expectRecord['files_exist'], `${file} expect.files_exist`),
    files_contain: textMap(expectRecord['files_contain'], `${file} expect.files_contain`),
    files_equal: textMap(expectRecord['files_equal'], `${file} expect.files_equal`),
  };
  const count = Object.values(expect).reduce((sum, value) => sum + (Array.isArray(value) ? value.length : Object.keys(value).length), 0);
  if (count === 0) throw bad(file, 'names no expectation: a case that cannot fail checks nothing');
  const scriptName = record['script'] ?? 'script.json';
  if (typeof scriptName !== 'string') throw bad(file, '"script" is a file name');
  const setup = join(dir, 'setup');
  return { name, dir, task: record['task'], script: join(dir, scriptName), setup: existsSync(setup) ? setup : null, expect };
}

/** The cases under `dir`: `dir` itself when it holds case.json, else each sub-folder that does, by name. */
export function readCases(dir: string): EvalCase[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new CliError('NOT_FOUND', `cases dir ${dir} is not a directory`, 'pass a folder of case folders, e.g. aos eval evals/demiurge');
  if (existsSync(join(dir, 'case.json'))) return [readCase(dir, dir.split('/').filter(Boolean).pop() ?? dir)];
  const names = readdirSync(dir).filter((name) => existsSync(join(dir, name, 'case.json'))).sort();
  if (names.length === 0) throw new CliError('NOT_FOUND', `${dir} holds no case folder (a folder with case.json)`, 'the case format is described in src/cli/eval/eval-case.ts');
  return names.map((name) => readCase(join(dir, name), name));
}
