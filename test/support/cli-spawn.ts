// Shared by the end-to-end tests that drive a running node: spawn the CLI as a user runs it
// (bin/aos.js, the bundle `npm test` builds first), with no node token from the environment and
// no colour, and stop a node a test started whatever state the test ended in.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '../..');

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `aos …` and returns its exit code and output. */
export function aos(...args: string[]): CliResult {
  const result = spawnSync(process.execPath, [join(ROOT, 'bin/aos.js'), ...args], { encoding: 'utf8', cwd: ROOT, env: { ...process.env, AOS_NODE_TOKEN: '', NO_COLOR: '1' } });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** Runs `aos …`, which must succeed; returns its stdout. */
export function ok(...args: string[]): string {
  const result = aos(...args);
  assert.equal(result.code, 0, `aos ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

/** Stops the node running for `dir`, if any: `aos node down`, then SIGKILL for one that did not go. */
export function stopQuietly(dir: string): void {
  const profile = join(dir, '.aos/node.json');
  if (!existsSync(profile)) return;
  aos('node', 'down', '--root', dir);
  try {
    process.kill((JSON.parse(readFileSync(profile, 'utf8')) as { pid: number }).pid, 'SIGKILL');
  } catch { /* already gone */ }
}
