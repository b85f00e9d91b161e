// `aos ws ls|cat|diff|push|pull`: workspaces of a world on the embedded default, or through the
// node serving it. A reference is <workspace>[@version][/path] (the head when no version is given).
import type { Command } from 'commander';
import { nodeFlags } from './world.ts';
import type { NodeOptions } from './world.ts';

/** --root is the world folder and holds aos.sync.json; through a node, files are read and written here and the world is the node's. */
export type WsOptions = NodeOptions;
const actions = () => import('./ws-actions.ts');

export function registerWs(program: Command): void {
  const ws = program.command('ws').description('workspaces: versioned file trees kept by the built-in sys/Workspace@1 workflow');
  nodeFlags(ws.command('ls [ref]')).description('list workspaces (head version, root hash), or the entries of <workspace>[@version][/path]')
    .option('--scope <scope>', 'dir: the directory\'s own entries; subtree: everything beneath it', 'dir')
    .option('--root <dir>', 'the world folder', '.').option('--json', 'print JSON')
    .action(async (ref: string | undefined, options: WsOptions & { scope: string }) => (await actions()).ls(ref, options));
  nodeFlags(ws.command('cat <ref>')).description('print the file at <workspace>[@version]/<path>')
    .option('--root <dir>', 'the world folder', '.').option('--json', 'print JSON (text when it is UTF-8, and content_base64)')
    .action(async (ref: string, options: WsOptions) => (await actions()).cat(ref, options));
  nodeFlags(ws.command('diff <from> [to]')).description('list files added (A), removed (D) or changed (M) from one version to another (default: the head), or to a local folder with --dir')
    .option('--dir <folder>', 'compare with this local folder instead (nothing is written)')
    .option('--root <dir>', 'the world folder', '.').option('--json', 'print JSON')
    .action(async (from: string, to: string | undefined, options: WsOptions & { dir?: string }) => (await actions()).diff(from, to, options));
  nodeFlags(ws.command('push [workspace]')).description('commit each folder aos.sync.json syncs (or only this workspace\'s) as a new version; a .aos folder and symbolic links are never pushed')
    .option('--owner <name>', 'the owner recorded with the commit (default: your user name)')
    .option('--root <dir>', 'the world folder', '.').option('--json', 'print JSON')
    .action(async (workspace: string | undefined, options: WsOptions & { owner?: string }) => (await actions()).push(workspace, options));
  nodeFlags(ws.command('pull [workspace]')).description('write the head (or the version its ref pins) of each synced workspace into its folder')
    .option('--prune', 'also delete local files the workspace does not have (ignored files are kept)')
    .option('--root <dir>', 'the world folder', '.').option('--json', 'print JSON')
    .action(async (workspace: string | undefined, options: WsOptions & { prune?: boolean }) => (await actions()).pull(workspace, options));
}
