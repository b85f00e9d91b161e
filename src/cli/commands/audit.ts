// `aos audit verify`: re-checks a world's (or a bundle's) hash chain, every receipt and approval signature and every settlement offline, then replays it.
import type { Command } from 'commander';
import { nodeFlags } from './world.ts';
import type { NodeOptions } from './world.ts';

const actions = () => import('./audit-actions.ts');

export function registerAudit(program: Command): void {
  const audit = program.command('audit').description('check a world\'s journal offline, with only the public keys it trusts');
  nodeFlags(audit.command('verify [target]')).description('check the hash chain, every receipt signature, that each receipt settles one open intent once, every refusal, every approval signature, and replay or die; <target> is a world folder or a bundle file (default: --root). A world a running node serves is audited by that node; a bundle file always here')
    .option('--root <dir>', 'the world folder, when no target is given', '.').option('--json', 'print JSON')
    .action(async (target: string | undefined, options: NodeOptions) => (await actions()).verify(target, options));
}
