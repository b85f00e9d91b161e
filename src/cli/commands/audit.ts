// `aos audit verify`: re-checks a world's (or a bundle's) hash chain, every receipt and approval signature and every settlement offline, then replays it.
import type { Command } from 'commander';
import type { RootOptions } from './world.ts';

const actions = () => import('./audit-actions.ts');

export function registerAudit(program: Command): void {
  const audit = program.command('audit').description('check a world\'s journal offline, with only the public keys it trusts');
  audit.command('verify [target]').description('check the hash chain, every receipt signature, that each receipt settles one open intent once, every refusal, every approval signature, and replay or die; <target> is a world folder or a bundle file (default: --root)')
    .option('--root <dir>', 'the world folder, when no target is given', '.').option('--json', 'print JSON')
    .action(async (target: string | undefined, options: RootOptions) => (await actions()).verify(target, options));
}
