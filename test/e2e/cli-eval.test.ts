// Goal: `aos eval` runs the shipped Demiurge cases offline (scripted provider, no API keys) and
// all of them pass, with tokens per case; a case whose expectations the run does not meet is
// reported as failed, naming each unmet expectation, and makes the exit code 1.
// Method: spawn the CLI (src/cli/run.ts through tsx) on evals/demiurge and on a temp copy of one
// case with expectations its script cannot meet.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '../..');
const CASES = join(ROOT, 'evals/demiurge');

interface EvalJson {
  cases: Array<{ name: string; passed: number; prompt_tokens: number; completion_tokens: number; runs: Array<{ passed: boolean; status: string; unmet: string[] }> }>;
  passed: number;
  total: number;
  pass_rate: number;
}

function aos(...args: string[]): { code: number; stdout: string; stderr: string } {
  const env = { ...process.env, NO_COLOR: '1', OPENAI_API_KEY: '', ANTHROPIC_API_KEY: '' };
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/run.ts'), ...args], { encoding: 'utf8', cwd: ROOT, env });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

test('aos eval runs every shipped Demiurge case offline and all pass', () => {
  const run = aos('eval', CASES, '--json');
  assert.equal(run.code, 0, run.stderr + run.stdout);
  const result = JSON.parse(run.stdout) as EvalJson;
  const shipped = readdirSync(CASES).sort();
  assert.ok(shipped.length >= 10, `at least 10 cases ship, found ${shipped.length}`);
  assert.deepEqual(result.cases.map((entry) => entry.name), shipped);
  for (const entry of result.cases) {
    assert.equal(entry.passed, 1, `${entry.name}: ${JSON.stringify(entry.runs)}`);
    assert.ok(entry.prompt_tokens > 0 && entry.completion_tokens > 0, `${entry.name} reports the script's token usage`);
  }
  assert.equal(result.passed, shipped.length);
  assert.equal(result.pass_rate, 1);
});

test('aos eval reports a case whose expectations are unmet as failed, naming each', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aos-eval-'));
  try {
    const broken = join(dir, 'broken');
    cpSync(join(CASES, 'read-readme'), broken, { recursive: true });
    const caseFile = join(broken, 'case.json');
    const original = JSON.parse(readFileSync(caseFile, 'utf8')) as { task: string; expect: Record<string, unknown> };
    writeFileSync(caseFile, JSON.stringify({ task: original.task, expect: { ...original.expect, answer_contains: ['Gadget'], files_exist: ['CHANGELOG.md'], tools_called: ['read_file', 'write_file'] } }));
    const run = aos('eval', dir, '--json');
    assert.equal(run.code, 1, run.stderr + run.stdout);
    const result = JSON.parse(run.stdout) as EvalJson;
    assert.equal(result.total, 1);
    assert.equal(result.passed, 0);
    const only = result.cases[0]!;
    assert.equal(only.name, 'broken');
    assert.equal(only.runs[0]!.status, 'Succeeded', 'the task itself ran to its end');
    assert.deepEqual(only.runs[0]!.unmet, [
      'tools_called: write_file was not called (called: read_file)',
      'answer_contains: the answer lacks "Gadget"',
      'files_exist: CHANGELOG.md does not exist',
    ]);
    const text = aos('eval', dir);
    assert.equal(text.code, 1);
    assert.match(text.stdout, /✗ broken: 0\/1 passed/);
    assert.match(text.stdout, /answer_contains: the answer lacks "Gadget"/);
    assert.match(text.stdout, /pass rate 0\/1 \(0%\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
