// The `aos` command: a thin shell over the layers below; every command has --json.
import { Command, CommanderError } from 'commander';
import { registerAir } from './commands/air.ts';
import { registerApprovals } from './commands/approvals.ts';
import { registerAudit } from './commands/audit.ts';
import { registerBuild } from './commands/build.ts';
import { registerCbor } from './commands/cbor.ts';
import { registerCompletion } from './commands/completion.ts';
import { registerEval } from './commands/eval.ts';
import { registerGov } from './commands/gov.ts';
import { registerKey } from './commands/key.ts';
import { registerNode } from './commands/node.ts';
import { registerReceipts } from './commands/receipts.ts';
import { registerTask } from './commands/task.ts';
import { registerTrace } from './commands/trace.ts';
import { registerVault } from './commands/vault.ts';
import { registerWorld } from './commands/world.ts';
import { registerWs } from './commands/ws.ts';
import { reportError } from './output.ts';

function buildProgram(): Command {
  const program = new Command('aos')
    .description('AgentOS: AI agents in deterministic, event-sourced, governed worlds')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerAir(program);
  registerCbor(program);
  registerBuild(program);
  registerWorld(program);
  registerKey(program);
  registerApprovals(program);
  registerGov(program);
  registerTrace(program);
  registerReceipts(program);
  registerAudit(program);
  registerVault(program);
  registerWs(program);
  registerNode(program);
  registerTask(program);
  registerEval(program);
  // Last: the completion script lists every command registered above.
  registerCompletion(program);
  return program;
}

/** Runs the CLI with the given arguments (without `node` and the script); returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const json = argv.includes('--json');
  try {
    await buildProgram().parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    return reportError(error, json);
  }
}
