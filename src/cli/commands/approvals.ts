// `aos approvals ls|approve|deny`: effects a require_approval policy decision holds, decided by principal keys.
import type { Command } from 'commander';
import type { DecideOptions } from './approvals-actions.ts';
import type { RootOptions } from './world.ts';

const actions = () => import('./approvals-actions.ts');

export function registerApprovals(program: Command): void {
  const approvals = program.command('approvals').description('effects waiting for approval (policy decision require_approval), decided by principals of the manifest\'s approval_policy');
  approvals.command('ls').description('list the intents waiting for approval: intent hash, effect, instance, approvals so far')
    .option('--root <dir>', 'the world folder', '.').option('--json', 'print JSON')
    .action(async (options: RootOptions) => (await actions()).ls(options));
  approvals.command('approve <intent>').description('approve an intent, signed with a principal key; it runs once the quorum approves')
    .requiredOption('--key <name>', 'the principal key (aos key gen --role principal) listed in the approval_policy')
    .option('--root <dir>', 'the world folder', '.').option('--json', 'print JSON')
    .action(async (intent: string, options: DecideOptions) => (await actions()).decide(intent, 'approve', options));
  approvals.command('deny <intent>').description('deny an intent, signed with a principal key; the workflow receives a denied receipt')
    .requiredOption('--key <name>', 'the principal key (aos key gen --role principal) listed in the approval_policy')
    .option('--root <dir>', 'the world folder', '.').option('--json', 'print JSON')
    .action(async (intent: string, options: DecideOptions) => (await actions()).decide(intent, 'deny', options));
}
