// Checks one run of a case against its expectations; each unmet one is named in plain words.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Expectations } from './eval-case.ts';

export interface RunFacts {
  readonly answer: string | null;
  /** Model-facing tool names of the calls made. */
  readonly tools: readonly string[];
  /** Every text field of every tool result. */
  readonly toolOutputs: readonly string[];
  readonly workdir: string;
}

/** The unmet expectations (empty when the run passes). */
export function unmet(expect: Expectations, facts: RunFacts): string[] {
  const failures: string[] = [];
  for (const tool of expect.tools_called) if (!facts.tools.includes(tool)) failures.push(`tools_called: ${tool} was not called (called: ${facts.tools.join(', ') || 'none'})`);
  for (const text of expect.answer_contains) if (!(facts.answer ?? '').includes(text)) failures.push(`answer_contains: the answer lacks ${JSON.stringify(text)}`);
  for (const text of expect.tool_output_contains) if (!facts.toolOutputs.some((output) => output.includes(text))) failures.push(`tool_output_contains: no tool result holds ${JSON.stringify(text)}`);
  for (const path of expect.files_exist) if (!existsSync(join(facts.workdir, path))) failures.push(`files_exist: ${path} does not exist`);
  const read = (path: string): string | null => (existsSync(join(facts.workdir, path)) ? readFileSync(join(facts.workdir, path), 'utf8') : null);
  for (const [path, text] of Object.entries(expect.files_contain)) {
    const content = read(path);
    if (content === null || !content.includes(text)) failures.push(`files_contain: ${path} ${content === null ? 'does not exist' : `lacks ${JSON.stringify(text)}`}`);
  }
  for (const [path, text] of Object.entries(expect.files_equal)) {
    const content = read(path);
    if (content !== text) failures.push(`files_equal: ${path} ${content === null ? 'does not exist' : `is ${JSON.stringify(content.slice(0, 80))}, not ${JSON.stringify(text.slice(0, 80))}`}`);
  }
  return failures;
}
