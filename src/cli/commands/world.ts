// `aos world create|send|state|cells|run`, `aos journal head|tail`, `aos replay --verify` on the embedded default.
import type { Command } from 'commander';
import type { OutputOptions } from '../output.ts';
import { registerWorldLifecycle } from './world-lifecycle.ts';

export interface RootOptions extends OutputOptions { readonly root: string }
/** Options of a command that can go through a running node (node-client.ts). */
export interface NodeOptions extends RootOptions { readonly node?: string; readonly world?: string; readonly tokenFile?: string }
const actions = () => import('./world-actions.ts');

/** Adds the flags that send a command through a running node; without them it goes to the node `aos node up` started for --root, if one runs. */
export function nodeFlags(command: Command): Command {
  return command.option('--node <url>', 'work through the node at this URL (default: the node running for --root, if any; else the folder directly)')
    .option('--world <id>', 'the world on the node (default: main, or the folder\'s name under <root>/worlds/)')
    .option('--token-file <file>', 'the node\'s token for writes (default: the token file of the node\'s profile, or $AOS_NODE_TOKEN)');
}

export function registerWorld(program: Command): void {
  const world = program.command('world').description('worlds on the embedded default: a folder with its state in <dir>/.aos');
  registerWorldLifecycle(world);
  world.command('create').description('build the folder\'s modules, load its AIR, and create its world (genesis)')
    .option('--root <dir>', 'the world folder', '.').option('--json', 'print JSON')
    .action(async (options: RootOptions) => (await actions()).create(options));
  nodeFlags(world.command('send')).description('send a domain event; returns once it is durable')
    .requiredOption('--schema <schema>', 'the event schema, e.g. demo/CounterEvent@1')
    .requiredOption('--value-json <json>', 'the event value as JSON (sugar or canonical lens)')
    .option('--root <dir>', 'the world folder', '.').option('--json', 'print JSON')
    .action(async (options: NodeOptions & { schema: string; valueJson: string }) => (await actions()).send(options));
  nodeFlags(world.command('state <workflow>')).description('print a workflow\'s state (of one cell with --key-json)')
    .option('--key-json <json>', 'the cell key as JSON, for keyed workflows')
    .option('--root <dir>', 'the world folder', '.').option('--json', 'print JSON')
    .action(async (workflow: string, options: NodeOptions & { keyJson?: string }) => (await actions()).state(workflow, options));
  nodeFlags(world.command('cells <workflow>')).description('list a workflow\'s cells: key, status, state size')
    .option('--root <dir>', 'the world folder', '.').option('--json', 'print JSON')
    .action(async (workflow: string, options: NodeOptions) => (await actions()).cells(workflow, options));
  world.command('run').description('execute the world\'s open effects once with the adapters this node has keys for (blob.default, http.default, timer.default), until none is left or the time is up')
    .option('--timeout-ms <ms>', 'stop after this long', '30000')
    .option('--root <dir>', 'the world folder', '.').option('--json', 'print JSON')
    .action(async (options: RootOptions & { timeoutMs: string }) => (await actions()).run(options));
  const journal = program.command('journal').description('the world\'s hash-chained journal');
  nodeFlags(journal.command('head')).description('print the journal head: the next height and the hash of the last record (the audit root)')
    .option('--root <dir>', 'the world folder', '.').option('--json', 'print JSON')
    .action(async (options: NodeOptions) => (await actions()).head(options));
  nodeFlags(journal.command('tail')).description('print journal records')
    .option('--from <height>', 'first height', '0').option('--limit <n>', 'most records', '100').option('--kind <kind>', 'only records of this kind')
    .option('--root <dir>', 'the world folder', '.').option('--json', 'print JSON')
    .action(async (options: NodeOptions & { from: string; limit: string; kind?: string }) => (await actions()).tail(options));
  nodeFlags(program.command('replay')).description('rebuild the world from genesis and from every snapshot and compare (replay or die); a world a running node serves is replayed by that node')
    .requiredOption('--verify', 'compare the replays with the world')
    .option('--root <dir>', 'the world folder', '.').option('--json', 'print JSON')
    .action(async (options: NodeOptions) => (await import('./replay-actions.ts')).verify(options));
}
