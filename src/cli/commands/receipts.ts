// `aos receipts ls|show`: a world's journaled receipts with their signature status.
import type { Command } from 'commander';
import { nodeFlags } from './world.ts';
import type { NodeOptions } from './world.ts';

export interface ReceiptsLsOptions extends NodeOptions { readonly intent?: string }
const actions = () => import('./receipts-actions.ts');

export function registerReceipts(program: Command): void {
  const receipts = program.command('receipts').description('the receipts a world admitted, each with whether its signature verifies');
  nodeFlags(receipts.command('ls')).description('list receipts: height, effect, status, adapter, cost, signature status')
    .option('--intent <hash>', 'only the receipts of this intent')
    .option('--root <dir>', 'the world folder', '.').option('--json', 'print JSON')
    .action(async (options: ReceiptsLsOptions) => (await actions()).ls(options));
  nodeFlags(receipts.command('show <intent_hash>')).description('show the receipt that settled an intent: status, adapter, cost, usage, payload (sugar JSON), signature status')
    .option('--root <dir>', 'the world folder', '.').option('--json', 'print JSON')
    .action(async (intent: string, options: NodeOptions) => (await actions()).show(intent, options));
}
