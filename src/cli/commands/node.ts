// `aos node up|status|down`: the local node (DESIGN §9): one process hosting the worlds of a
// state dir, their effects, and the HTTP control API.
import type { Command } from 'commander';
import { NODE_PORT_DEFAULT } from '../../node/limits.ts';
import type { RootOptions } from './world.ts';

export interface NodeUpOptions extends RootOptions {
  readonly host: string;
  readonly port: string;
  readonly tokenFile?: string;
  readonly background?: boolean;
}
const actions = () => import('./node-actions.ts');

export function registerNode(program: Command): void {
  const node = program.command('node').description('the local node: the worlds of a state dir (the root folder is world "main", <root>/worlds/<name>/ are more), their effects, and the HTTP control API. These commands manage the node process on this machine, so they always run here');
  node.command('up').description('start the node (or reuse the one running for this root); Ctrl-C or `aos node down` stops it')
    .option('--host <addr>', 'address to bind (requests need the node\'s token wherever it binds)', '127.0.0.1')
    .option('--port <n>', 'port to bind (0 picks a free one)', String(NODE_PORT_DEFAULT))
    .option('--token-file <file>', 'require the token in this file (default: one generated into <root>/.aos/node-token)')
    .option('--background', 'run detached; logs go to <root>/.aos/node.log')
    .option('--root <dir>', 'the state dir', '.').option('--json', 'print JSON')
    .action(async (options: NodeUpOptions) => (await actions()).up(options));
  node.command('status').description('is a node running for this root: its URL, pid, worlds (exit 1 when none runs)')
    .option('--root <dir>', 'the state dir', '.').option('--json', 'print JSON')
    .action(async (options: RootOptions) => (await actions()).status(options));
  node.command('down').description('stop the node running for this root (SIGTERM; open effects resume at the next `up`)')
    .option('--root <dir>', 'the state dir', '.').option('--json', 'print JSON')
    .action(async (options: RootOptions) => (await actions()).down(options));
}
