// `aos eval <cases dir>`: run each case's task on the Demiurge agent and check its expectations.
import type { Command } from 'commander';
import type { OutputOptions } from '../output.ts';

export interface EvalOptions extends OutputOptions {
  readonly provider?: string;
  readonly model?: string;
  readonly runs: string;
  readonly timeoutMs: string;
}

const actions = () => import('./eval-actions.ts');

export function registerEval(program: Command): void {
  program.command('eval <cases>').description('run agent eval cases (each <case>/case.json: a task, setup/ files copied into a fresh work dir, expectations) on a fresh agent world each, and print pass rate, tokens and cost per case. Format: src/cli/eval/eval-case.ts')
    .option('--provider <name>', 'openai-responses, anthropic or scripted (default: as `aos task`; scripted runs each case\'s own script)')
    .option('--model <name>', 'the model (default: as `aos task`)')
    .option('--runs <n>', 'runs per case', '1')
    .option('--timeout-ms <ms>', 'give up on one run after this long', '600000')
    .option('--json', 'print JSON')
    .action(async (cases: string, options: EvalOptions) => (await actions()).evaluate(cases, options));
}
