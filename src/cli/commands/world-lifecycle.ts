// `aos world ls|show|fork|export|import`: a world's life beyond one folder (DESIGN §9). Each
// goes through the node running for its folder (or `--node`), with the same output.
import type { Command } from 'commander';
import type { OutputOptions } from '../output.ts';
import { nodeFlags } from './world.ts';

/** The flags that send a lifecycle command through a running node (node-client.ts). */
interface LifecycleNodeOptions { readonly node?: string; readonly world?: string; readonly tokenFile?: string }
export interface LsOptions extends OutputOptions, LifecycleNodeOptions { readonly dir: string }
export interface ShowOptions extends OutputOptions, LifecycleNodeOptions { readonly root: string }
export interface ForkOptions extends OutputOptions, LifecycleNodeOptions { readonly to: string; readonly height?: string; readonly snapshot?: string }
export interface ExportOptions extends OutputOptions, LifecycleNodeOptions { readonly out: string }
export interface ImportOptions extends OutputOptions, LifecycleNodeOptions { readonly to: string; readonly expectHead?: string; readonly trustKey?: readonly string[] }

const actions = () => import('./world-lifecycle-actions.ts');

/** Adds the lifecycle subcommands to `aos world`. */
export function registerWorldLifecycle(world: Command): void {
  nodeFlags(world.command('ls')).description('list the worlds in a folder, its subfolders and its worlds/ folder: head, manifest, snapshots (through the node running for that folder, its worlds)')
    .option('--dir <dir>', 'the folder to look in', '.').option('--json', 'print JSON')
    .action(async (options: LsOptions) => (await actions()).ls(options));
  nodeFlags(world.command('show')).description('show one world: identity, manifest, head, snapshots, open intents, modules, trusted keys')
    .option('--root <dir>', 'the world folder', '.').option('--json', 'print JSON')
    .action(async (options: ShowOptions) => (await actions()).show(options));
  nodeFlags(world.command('fork <world>')).description('make a new world in --to whose journal is a prefix of <world>\'s (whole inputs only), replayed before it is kept; through a node (--world picks the source there) when it hosts both folders')
    .requiredOption('--to <dir>', 'the folder of the new world (must hold no world); on a node, <root>/worlds/<name>')
    .option('--height <n>', 'keep the records below this height (an input boundary)')
    .option('--snapshot <hash>', 'keep the records up to and including this snapshot')
    .option('--json', 'print JSON')
    .action(async (source: string, options: ForkOptions) => (await actions()).fork(source, options));
  nodeFlags(world.command('export <world>')).description('write <world> as one portable bundle: journal, CAS closure, trusted public keys (a node serving <world> writes it)')
    .requiredOption('-o, --out <file>', 'the bundle file to write')
    .option('--json', 'print JSON')
    .action(async (source: string, options: ExportOptions) => (await actions()).exportBundle(source, options));
  nodeFlags(world.command('import <file>')).description('verify a bundle completely (structure, hashes, chain, signatures, replay) and only then install it in --to (a node hosting --to verifies, installs and hosts it)')
    .requiredOption('--to <dir>', 'the folder of the imported world (must hold no world); on a node, <root>/worlds/<name>')
    .option('--expect-head <hash>', 'refuse unless the journal ends at this head (the sender\'s `aos journal head`): a bundle vouches only for itself')
    .option('--trust-key <key id>', 'refuse unless every adapter key the journal trusts is one of these (repeatable; the sender\'s `aos key ls`)', (value: string, previous: string[] = []) => [...previous, value])
    .option('--json', 'print JSON')
    .action(async (file: string, options: ImportOptions) => (await actions()).importFile(file, options));
}
