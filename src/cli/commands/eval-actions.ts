// What `aos eval` does; loaded only when it runs.
// 1. The cases (src/cli/eval/eval-case.ts has the format), read and checked before anything runs.
// 2. One agent world is built from worlds/demiurge (task-actions.ts ensureWorld) and copied for
//    every run, so each run starts from the same fresh world without paying for a build.
// 3. Each run: the case's setup/ files copied into a fresh work dir, the task run to its end by
//    task-actions.ts runTask (silently), then the journal read back for tokens, cost and every
//    tool result, and the expectations checked (src/cli/eval/check.ts).
// 4. Per case: runs passed, tokens, cost and the unmet expectations; overall: the pass rate.
//    Any failed run makes the exit code 1.
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { decodeCanonical } from '../../cbor/index.ts';
import { EmbeddedWorld } from '../../node/index.ts';
import { CliError } from '../cli-error.ts';
import { unmet } from '../eval/check.ts';
import { readCases } from '../eval/eval-case.ts';
import type { EvalCase } from '../eval/eval-case.ts';
import { emit, paint } from '../output.ts';
import type { EvalOptions } from './eval.ts';
import { ensureWorld, runTask } from './task-actions.ts';

/** Journal records read per page when totting up a run. */
const TAIL_PAGE = 512;
/** Runs per case at most: each builds nothing but still runs a whole task. */
const RUNS_MAX = 100;

interface RunResult {
  readonly passed: boolean;
  readonly status: string;
  readonly unmet: string[];
  readonly prompt_tokens: number;
  readonly completion_tokens: number;
  readonly cost_cents: number;
  readonly ms: number;
}

interface CaseResult {
  readonly name: string;
  readonly runs: RunResult[];
  readonly passed: number;
  readonly prompt_tokens: number;
  readonly completion_tokens: number;
  readonly cost_cents: number;
}

/** Every text in a decoded value (tool results keep their text in nested, tagged fields). */
function textsIn(value: unknown, into: string[]): string[] {
  if (typeof value === 'string') into.push(value);
  else if (value instanceof Uint8Array) into.push(new TextDecoder().decode(value));
  else if (value instanceof Map) for (const item of value.values()) textsIn(item, into);
  else if (Array.isArray(value)) for (const item of value) textsIn(item, into);
  else if (typeof value === 'object' && value !== null) for (const item of Object.values(value)) textsIn(item, into);
  return into;
}

/** Tokens, cost and tool-result texts from a finished run's journal. */
async function journalFacts(root: string): Promise<{ prompt: number; completion: number; cents: number; outputs: string[] }> {
  const world = await EmbeddedWorld.open(root, { readOnly: true });
  try {
    const facts = { prompt: 0, completion: 0, cents: 0, outputs: [] as string[] };
    for (let from = 0; ;) {
      const page = world.tail(from, TAIL_PAGE);
      if (page.length === 0) return facts;
      for (const record of page) {
        const body = record.body;
        if (body.kind !== 'effect_receipt') continue;
        facts.prompt += Number(body.usage?.prompt_tokens ?? 0);
        facts.completion += Number(body.usage?.completion_tokens ?? 0);
        facts.cents += Number(body.cost_cents ?? 0);
        if (body.adapter_id.startsWith('host.')) textsIn(decodeCanonical(body.payload), facts.outputs);
      }
      from = page[page.length - 1]!.height + 1;
    }
  } finally {
    world.close();
  }
}

/** The provider a run uses: as named, else as `aos task` picks; only the scripted one takes the case's script. */
function scripted(options: EvalOptions): boolean {
  if (options.provider !== undefined) return options.provider === 'scripted';
  return (process.env['OPENAI_API_KEY'] ?? '') === '' && (process.env['ANTHROPIC_API_KEY'] ?? '') === '';
}

async function runCase(evalCase: EvalCase, template: string, scratch: string, run: number, options: EvalOptions): Promise<RunResult> {
  const dir = join(scratch, `${evalCase.name}-${run}`);
  const root = join(dir, 'agent');
  const workdir = join(dir, 'work');
  cpSync(template, root, { recursive: true });
  mkdirSync(workdir, { recursive: true });
  if (evalCase.setup !== null) cpSync(evalCase.setup, workdir, { recursive: true });
  const started = Date.now();
  const report = await runTask(evalCase.task, {
    root, workdir, json: true, timeoutMs: options.timeoutMs,
    ...(options.provider !== undefined ? { provider: options.provider } : {}),
    ...(options.model !== undefined ? { model: options.model } : {}),
    ...(scripted(options) ? { script: evalCase.script } : {}),
  }).catch((error: unknown) => ({ status: 'Error', answer: null, tool_calls: [], error: error instanceof Error ? error.message : String(error) }));
  const ms = Date.now() - started;
  const journal = await journalFacts(root);
  // The session open is the harness's, not a tool the model called.
  const tools = report.tool_calls.map((call) => call.tool).filter((tool) => !tool.startsWith('open host session')).map((tool) => tool.split(' ')[0] ?? tool);
  const misses = unmet(evalCase.expect, { answer: report.answer, tools, toolOutputs: journal.outputs, workdir });
  if (report.status !== 'Succeeded') misses.unshift(`the task ended ${report.status}${'error' in report ? `: ${report.error}` : ''}`);
  return { passed: misses.length === 0, status: report.status, unmet: misses, prompt_tokens: journal.prompt, completion_tokens: journal.completion, cost_cents: journal.cents, ms };
}

export async function evaluate(casesDir: string, options: EvalOptions): Promise<void> {
  const runs = Number(options.runs);
  if (!Number.isSafeInteger(runs) || runs < 1 || runs > RUNS_MAX) throw new CliError('BAD_INPUT', `--runs ${options.runs} is not a whole number from 1 to ${RUNS_MAX}`, 'e.g. --runs 3');
  const cases = readCases(resolve(casesDir));
  const scratch = mkdtempSync(join(tmpdir(), 'aos-eval-'));
  const say = (line: string): void => { if (options.json !== true) process.stdout.write(`${line}\n`); };
  try {
    const template = join(scratch, 'template');
    await ensureWorld(template, true);
    const results: CaseResult[] = [];
    for (const evalCase of cases) {
      const caseRuns: RunResult[] = [];
      for (let run = 1; run <= runs; run += 1) caseRuns.push(await runCase(evalCase, template, scratch, run, options));
      const sum = (field: 'prompt_tokens' | 'completion_tokens' | 'cost_cents'): number => caseRuns.reduce((total, run) => total + run[field], 0);
      const result = { name: evalCase.name, runs: caseRuns, passed: caseRuns.filter((run) => run.passed).length, prompt_tokens: sum('prompt_tokens'), completion_tokens: sum('completion_tokens'), cost_cents: sum('cost_cents') };
      results.push(result);
      const mark = result.passed === runs ? paint('✓', 'green') : paint('✗', 'red');
      say(`${mark} ${evalCase.name}: ${result.passed}/${runs} passed, ${result.prompt_tokens}+${result.completion_tokens} tokens, ${result.cost_cents}¢`);
      for (const miss of new Set(caseRuns.flatMap((run) => run.unmet))) say(`    ${miss}`);
    }
    const totalRuns = results.length * runs;
    const passedRuns = results.reduce((total, result) => total + result.passed, 0);
    if (passedRuns !== totalRuns) process.exitCode = 1;
    const data = { cases: results, runs_per_case: runs, passed: passedRuns, total: totalRuns, pass_rate: passedRuns / totalRuns };
    emit(options, data, () => `\npass rate ${passedRuns}/${totalRuns} (${((100 * passedRuns) / totalRuns).toFixed(0)}%)`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
