// `aos vault put|stage|ls`: the node's encrypted vault in <dir>/.aos/vault (values never printed).
import type { Command } from 'commander';
import type { VaultPutOptions, VaultRootOptions, VaultStageOptions } from './vault-actions.ts';

const actions = () => import('./vault-actions.ts');

export function registerVault(program: Command): void {
  const vault = program.command('vault').description('the node\'s encrypted secrets vault, in <dir>/.aos/vault (AES-256-GCM; key from AOS_VAULT_KEY or <dir>/.aos/vault.key). Always local: secrets are typed here and sealed into the files a node on <dir> reads; they never cross its API');
  vault.command('put').description('store a value as the entry\'s next version and make it active (read from stdin, never from the command line)')
    .requiredOption('--name <name>', 'the entry name: the binding_id of a defsecret, e.g. llm/openai_api')
    .requiredOption('--value-stdin', 'read the value from stdin (one trailing newline is dropped)')
    .option('--root <dir>', 'the world folder', '.').option('--json', 'print JSON')
    .action(async (options: VaultPutOptions) => (await actions()).put(options));
  vault.command('stage').description('seal a value for a workflow\'s vault.put and print its value_ref: the plaintext never enters the world\'s CAS or journal (read from stdin, never from the command line)')
    .requiredOption('--value-stdin', 'read the value from stdin (one trailing newline is dropped)')
    .option('--root <dir>', 'the world folder', '.').option('--json', 'print JSON')
    .action(async (options: VaultStageOptions) => (await actions()).stage(options));
  vault.command('ls').description('list the entries: name, versions, active version; warns about loose file modes')
    .option('--root <dir>', 'the world folder', '.').option('--json', 'print JSON')
    .action(async (options: VaultRootOptions) => (await actions()).ls(options));
}
