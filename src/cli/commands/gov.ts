// `aos gov propose|shadow|approve|reject|apply|ls|show`: governed changes to a world's manifest
// (DESIGN §8), decided by principal keys of its approval policy. Each goes through the node serving
// the world when one runs (or --node), with the same output; a decision is signed here either way.
import type { Command } from 'commander';
import type { ApplyOptions, DecideOptions, ProposeOptions, ShadowOptions } from './gov-actions.ts';
import { nodeFlags } from './world.ts';
import type { NodeOptions } from './world.ts';

const actions = () => import('./gov-actions.ts');

export function registerGov(program: Command): void {
  const gov = program.command('gov').description('governance: propose a manifest change, shadow it on the current state, approve it with principal keys, apply it at quiescence');
  nodeFlags(gov.command('propose').description('propose a patch (--patch <patch.json>) or the difference to a world folder (--from <folder>, its modules built); prints the proposal id and patch hash')
    .option('--patch <file>', 'a patch document (JSON)').option('--from <folder>', 'a world folder whose AIR and modules the world should run')
    .option('--description <text>', 'what the change is for')
    .option('--root <dir>', 'the world folder', '.').option('--json', 'print JSON'))
    .action(async (options: ProposeOptions) => (await actions()).propose(options));
  nodeFlags(gov.command('shadow <id>').description('run the proposal on a fork of the current state (the last journaled inputs replayed, effects stubbed) and journal the report')
    .option('--inputs <n>', 'how many of the last journaled inputs to replay', '100').option('--sample <events.json>', 'events to send after them: [{"schema": …, "value": …}]')
    .option('--root <dir>', 'the world folder', '.').option('--json', 'print JSON'))
    .action(async (id: string, options: ShadowOptions) => (await actions()).shadow(id, options));
  nodeFlags(gov.command('approve <id>').description('approve a shadowed proposal, signed with a principal key of the approval policy')
    .requiredOption('--key <name or file>', 'the principal key listed in the approval_policy: a key name in --root (aos key gen --role principal), or the path of a .key file in another root\'s .aos/keys')
    .option('--root <dir>', 'the world folder', '.').option('--json', 'print JSON'))
    .action(async (id: string, options: DecideOptions) => (await actions()).decide(id, 'approve', options));
  nodeFlags(gov.command('reject <id>').description('reject a proposal, signed with a principal key; a rejection is final')
    .requiredOption('--key <name or file>', 'the principal key listed in the approval_policy: a key name in --root (aos key gen --role principal), or the path of a .key file in another root\'s .aos/keys')
    .option('--reason <text>', 'why (signed and journaled)')
    .option('--root <dir>', 'the world folder', '.').option('--json', 'print JSON'))
    .action(async (id: string, options: DecideOptions) => (await actions()).decide(id, 'reject', options));
  nodeFlags(gov.command('apply <id>').description('apply an approved proposal at strict quiescence (says what blocks it; --wait waits for it)')
    .option('--wait', 'wait until nothing is in flight, then apply')
    .option('--root <dir>', 'the world folder', '.').option('--json', 'print JSON'))
    .action(async (id: string, options: ApplyOptions) => (await actions()).apply(id, options));
  nodeFlags(gov.command('ls').description('list the proposals: id, status, approvals, description')
    .option('--root <dir>', 'the world folder', '.').option('--json', 'print JSON'))
    .action(async (options: NodeOptions) => (await actions()).ls(options));
  nodeFlags(gov.command('show <id>').description('a proposal: its patch, shadow report and approval state')
    .option('--root <dir>', 'the world folder', '.').option('--json', 'print JSON'))
    .action(async (id: string, options: NodeOptions) => (await actions()).show(id, options));
}
