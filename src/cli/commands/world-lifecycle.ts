// `aos world ls|show|fork|export|import`: a world's life beyond one folder (DESIGN §9).
import type { Command } from 'commander';
import type { OutputOptions } from '../output.ts';

export interface LsOptions extends OutputOptions { readonly dir: string }
export interface ShowOptions extends OutputOptions { readonly root: string }
export interface ForkOptions extends OutputOptions { readonly to: string; readonly height?: string; readonly snapshot?: string }
export interface ExportOptions extends OutputOptions { readonly out: string }
export interface ImportOptions extends OutputOptions { readonly to: string }

const actions = () => import('./world-lifecycle-actions.ts');

/** Adds the lifecycle subcommands to `aos world`. */
export function registerWorldLifecycle(world: Command): void {
  world.command('ls').description('list the worlds in a folder and its subfolders: head, manifest, snapshots')
    .option('--dir <dir>', 'the folder to look in', '.').option('--json', 'print JSON')
    .action(async (options: LsOptions) => (await actions()).ls(options));
  world.command('show').description('show one world: identity, manifest, head, snapshots, open intents, modules, trusted keys')
    .option('--root <dir>', 'the world folder', '.').option('--json', 'print JSON')
    .action(async (options: ShowOptions) => (await actions()).show(options));
  world.command('fork <world>').description('make a new world in --to whose journal is a prefix of <world>\'s (whole inputs only), replayed before it is kept')
    .requiredOption('--to <dir>', 'the folder of the new world (must hold no world)')
    .option('--height <n>', 'keep the records below this height (an input boundary)')
    .option('--snapshot <hash>', 'keep the records up to and including this snapshot')
    .option('--json', 'print JSON')
    .action(async (source: string, options: ForkOptions) => (await actions()).fork(source, options));
  world.command('export <world>').description('write <world> as one portable bundle: journal, CAS closure, trusted public keys')
    .requiredOption('-o, --out <file>', 'the bundle file to write')
    .option('--json', 'print JSON')
    .action(async (source: string, options: ExportOptions) => (await actions()).exportBundle(source, options));
  world.command('import <file>').description('verify a bundle completely (structure, hashes, chain, signatures, replay) and only then install it in --to')
    .requiredOption('--to <dir>', 'the folder of the imported world (must hold no world)')
    .option('--json', 'print JSON')
    .action(async (file: string, options: ImportOptions) => (await actions()).importFile(file, options));
}
