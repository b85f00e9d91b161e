// `aos key gen|ls|rotate`: the node's ed25519 keys in <root>/.aos/keys (adapter keys sign receipts, principal keys sign approvals).
import type { Command } from 'commander';
import type { GenOptions, KeyRootOptions } from './key-actions.ts';
import { nodeFlags } from './world.ts';
import type { NodeOptions } from './world.ts';

const actions = () => import('./key-actions.ts');

export function registerKey(program: Command): void {
  const key = program.command('key').description('the node\'s ed25519 signing keys, in <dir>/.aos/keys (private keys in files of mode 0600)');
  key.command('gen').description('generate a key pair; an adapter key\'s name is the adapter_id its receipts carry. Always local: it writes only files under --root (a node on that root reads the same folder), never the journal')
    .requiredOption('--name <name>', 'the key\'s name: lowercase letters, digits, ".", "_", "-"')
    .requiredOption('--role <role>', 'adapter (signs receipts) or principal (signs approvals)')
    .option('--root <dir>', 'the world folder', '.').option('--json', 'print JSON')
    .action(async (options: GenOptions) => (await actions()).gen(options));
  nodeFlags(key.command('rotate')).description('replace adapter key <name> with a new one: the world trusts the new key and retires the old from the next height on (receipts the old key signs after that are refused); the old files move to keys/retired/. Rerun it to finish an interrupted rotation. It journals, so a running node serving the world does it (in its root\'s keys folder) and restarts its executor')
    .argument('<name>', 'the adapter key (= adapter_id) to rotate')
    .option('--root <dir>', 'the world folder', '.').option('--json', 'print JSON')
    .action(async (name: string, options: NodeOptions) => (await actions()).rotate(name, options));
  key.command('ls').description('list the keys: name, role, public key id, created time; warns about loose file modes. Always local: it reads only files under --root')
    .option('--root <dir>', 'the world folder', '.').option('--json', 'print JSON')
    .action(async (options: KeyRootOptions) => (await actions()).ls(options));
}
