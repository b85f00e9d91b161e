// `aos audit verify`: re-checks a world's hash chain, every receipt signature and every settlement offline.
import type { Command } from 'commander';
import type { RootOptions } from './world.ts';

const actions = () => import('./audit-actions.ts');

export function registerAudit(program: Command): void {
  const audit = program.command('audit').description('check a world\'s journal offline, with only the public keys it trusts');
  audit.command('verify').description('check the hash chain, every receipt signature, that each receipt settles one open intent once, and every refusal')
    .option('--root <dir>', 'the world folder', '.').option('--json', 'print JSON')
    .action(async (options: RootOptions) => (await actions()).verify(options));
}
