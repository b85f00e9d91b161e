// `aos approvals ls|approve|deny`: effects a require_approval policy decision holds, decided by principal keys.
import type { Command } from 'commander';
import type { DecideOptions } from './approvals-actions.ts';
import { nodeFlags } from './world.ts';
import type { NodeOptions } from './world.ts';

const actions = () => import('./approvals-actions.ts');

export function registerApprovals(program: Command): void {
  const approvals = program.command('approvals').description('effects waiting for approval (policy decision require_approval), decided by principals of the manifest\'s approval_policy');
  nodeFlags(approvals.command('ls')).description('list the intents waiting for approval: intent hash, effect, instance, approvals so far')
    .option('--root <dir>', 'the world folder', '.').option('--json', 'print JSON')
    .action(async (options: NodeOptions) => (await actions()).ls(options));
  nodeFlags(approvals.command('approve <intent>')).description('approve an intent, signed here with a principal key under --root (through a node, only the signed decision is sent); it runs once the quorum approves')
    .requiredOption('--key <name or file>', 'the principal key listed in the approval_policy: a key name in --root (aos key gen --role principal), or the path of a .key file in another root\'s .aos/keys')
    .option('--root <dir>', 'the world folder', '.').option('--json', 'print JSON')
    .action(async (intent: string, options: DecideOptions) => (await actions()).decide(intent, 'approve', options));
  nodeFlags(approvals.command('deny <intent>')).description('deny an intent, signed here with a principal key under --root (through a node, only the signed decision is sent); the workflow receives a denied receipt')
    .requiredOption('--key <name or file>', 'the principal key listed in the approval_policy: a key name in --root (aos key gen --role principal), or the path of a .key file in another root\'s .aos/keys')
    .option('--root <dir>', 'the world folder', '.').option('--json', 'print JSON')
    .action(async (intent: string, options: DecideOptions) => (await actions()).decide(intent, 'deny', options));
}
