// `aos build`: bundle each module of a world folder, store it in the world's CAS, fill wasm_hash.
import { relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { CliError } from '../cli-error.ts';
import { emit } from '../output.ts';
import { withProgress } from '../progress.ts';
import type { OutputOptions } from '../output.ts';

interface BuildOptions extends OutputOptions { readonly root: string }

export function registerBuild(program: Command): void {
  program.command('build').description('bundle the world\'s TypeScript modules (aos.sync.json), store them in .aos/cas and fill each def\'s wasm_hash. Always local: it compiles files of the folder, before any world or node exists')
    .option('--root <dir>', 'the world folder', '.')
    .option('--json', 'print JSON').action((options: BuildOptions) => build(options));
}

async function build(options: BuildOptions): Promise<void> {
  // Loaded here, not at start-up: esbuild and ajv cost ~200 ms to load that other commands need not pay.
  const { loadWorldPath } = await import('../../air/index.ts');
  const { buildWorld, writeModuleHashes } = await import('../build/index.ts');
  const root = resolve(options.root);
  const built = await withProgress(`building ${root}`, options.json, () => buildWorld(root));
  const updates = writeModuleHashes(root, built.modules);
  const result = loadWorldPath(root);
  if (result.world === null) {
    throw new CliError('AIR_INVALID', `the modules built, but the world's AIR is not valid: ${result.errors[0]?.message ?? ''}`, `run \`aos air check ${options.root}\` to see every error`);
  }
  const data = {
    modules: Object.entries(built.modules).map(([name, hash]) => ({ name, hash, changed: updates.some((update) => update.module === name) })),
    manifest: result.world.manifest?.hash ?? null,
    warnings: built.warnings,
  };
  emit(options, data, () => [
    ...data.modules.map((module) => `${module.changed ? 'built  ' : 'same   '} ${module.name}  ${module.hash}`),
    ...updates.map((update) => `        wasm_hash updated in ${relative(process.cwd(), update.file) || update.file}`),
    `manifest ${data.manifest ?? '(none)'}`,
    ...data.warnings.map((warning) => `warning: ${warning}`),
  ].join('\n'));
}
