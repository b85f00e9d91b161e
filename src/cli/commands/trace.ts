// `aos trace` and `aos diagnose`: the why-graph of one domain event, and what became of it.
import type { Command } from 'commander';
import { nodeFlags } from './world.ts';
import type { NodeOptions } from './world.ts';

/** How the root event is chosen: by hash, or the latest of a schema whose value at a path matches. */
export interface TraceOptions extends NodeOptions {
  readonly event?: string;
  readonly schema?: string;
  readonly correlateBy?: string;
  readonly value?: string;
}

const actions = () => import('./trace-actions.ts');

function selectors(command: Command): Command {
  return nodeFlags(command)
    .option('--event <hash>', 'the root domain event, by event hash (list them: aos journal tail --kind domain_event)')
    .option('--schema <schema>', 'with --correlate-by and --value: the latest event of this schema that matches')
    .option('--correlate-by <path>', 'a dotted path of record fields in the event value, e.g. order.id')
    .option('--value <json>', 'the value at that path, as JSON (sugar or canonical lens)')
    .option('--root <dir>', 'the world folder', '.').option('--json', 'print JSON');
}

export function registerTrace(program: Command): void {
  selectors(program.command('trace').description('print the causal graph of a domain event: the decisions, intents, receipts and events it caused'))
    .action(async (options: TraceOptions) => (await actions()).trace(options));
  selectors(program.command('diagnose').description('classify what became of a domain event (denied, waiting, failed, completed) and say what to do'))
    .action(async (options: TraceOptions) => (await actions()).diagnoseCommand(options));
}
