// `aos task "<text>"`: hand a task to the Demiurge agent world (worlds/demiurge) and follow it.
import type { Command } from 'commander';
import type { OutputOptions } from '../output.ts';

export interface TaskOptions extends OutputOptions {
  readonly root: string;
  readonly workdir?: string;
  readonly provider?: string;
  readonly model?: string;
  readonly script?: string;
  readonly timeoutMs: string;
}

/** Where `aos task` keeps its world when --root is not given: out of the way, next to the user's files. */
export const TASK_ROOT_DEFAULT = '.aos-task';

const actions = () => import('./task-actions.ts');

export function registerTask(program: Command): void {
  program.command('task <text>').description('give a task to the Demiurge agent: it opens a host session on the work dir, runs the model and its tool calls (each printed as it happens), and prints the answer. The first task creates the agent world in --root')
    .option('--workdir <dir>', 'the directory the agent works in (default: <root>/work); it may touch nothing outside it')
    .option('--provider <name>', 'openai-responses, anthropic or scripted (default: openai-responses with OPENAI_API_KEY set, else anthropic with ANTHROPIC_API_KEY set, else scripted with the bundled demo script)')
    .option('--model <name>', 'the model (default: gpt-5.3-codex, claude-sonnet-4-5, or demo-script for scripted)')
    .option('--script <file>', 'the scripted provider\'s replies (format: src/adapters/llm/script-file.ts); implies --provider scripted')
    .option('--timeout-ms <ms>', 'give up following the task after this long', '600000')
    .option('--root <dir>', 'the agent world\'s folder', TASK_ROOT_DEFAULT).option('--json', 'print JSON (no live output)')
    .action(async (text: string, options: TaskOptions) => (await actions()).task(text, options));
}
