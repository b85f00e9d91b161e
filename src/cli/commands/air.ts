// `aos air check|hash|fmt|diff`: load, validate, hash, reformat and compare AIR worlds.
import type { Command } from 'commander';
import type { OutputOptions } from '../output.ts';
import type { CheckOptions, FmtOptions } from './air-actions.ts';

const actions = () => import('./air-actions.ts');

export function registerAir(program: Command): void {
  const air = program.command('air').description('AIR documents: validate, hash, format, compare. Always local: they read files, never a world, so no node is involved');
  air.command('check <paths...>').description('load and validate world folders or files; exit 1 if any is invalid')
    .option('--import <dir>', 'also see the defs of this folder (repeatable)', collect, [])
    .option('--json', 'print JSON').action(async (paths: string[], options: CheckOptions) => (await actions()).check(paths, options));
  air.command('hash <path>').description('print the hash of every def and of the manifest')
    .option('--import <dir>', 'also see the defs of this folder (repeatable)', collect, [])
    .option('--json', 'print JSON').action(async (path: string, options: CheckOptions) => (await actions()).hash(path, options));
  air.command('fmt <file>').description('rewrite an AIR file with its typed values in one lens')
    .requiredOption('--lens <lens>', 'sugar (plain JSON) or canonical (tagged)')
    .option('--write', 'write the file in place instead of printing it')
    .option('--json', 'print JSON').action(async (file: string, options: FmtOptions) => (await actions()).fmt(file, options));
  air.command('diff <a> <b>').description('compare two worlds by def name and hash')
    .option('--json', 'print JSON').action(async (a: string, b: string, options: OutputOptions) => (await actions()).diff(a, b, options));
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
