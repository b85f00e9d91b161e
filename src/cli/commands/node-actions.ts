// What the node commands do; loaded only when one of them runs. Output names the token file,
// never the token.
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { NODE_LOG_FILE, readToken, runningNode, stateDir } from '../../node/node-profile.ts';
import type { NodeProfile } from '../../node/node-profile.ts';
import { CliError } from '../cli-error.ts';
import { nodeRequest } from '../node-client.ts';
import { emit } from '../output.ts';
import type { RootOptions } from './world.ts';
import type { NodeUpOptions } from './node.ts';

/** Ports a node may bind: 0 (any free one) to 65535. */
const PORT_MAX = 65_535;

function describe(profile: NodeProfile, how: string): string {
  return [`${how} ${profile.url} (pid ${profile.pid})`, `root   ${profile.root}`, `log    ${profile.log}`, `token  ${profile.token_file === null ? 'none (a node started by an older aos: requests are open to local users)' : `required for every request but /health, in ${profile.token_file}`}`].join('\n');
}

export async function up(options: NodeUpOptions): Promise<void> {
  const root = resolve(options.root);
  const port = Number(options.port);
  if (!Number.isSafeInteger(port) || port < 0 || port > PORT_MAX) throw new CliError('BAD_OPTION', `--port must be a port number 0–${PORT_MAX}, not ${JSON.stringify(options.port)}`, 'e.g. aos node up --port 9010');
  const running = await runningNode(root);
  if (running !== null) {
    emit(options, { reused: true, ...running }, () => describe(running, 'a node already serves this root at'));
    return;
  }
  if (options.background === true) {
    await background(root, options);
    return;
  }
  const { serveNode } = await import('../../node/node-process.ts');
  const node = await serveNode({ root, host: options.host, port, ...(options.tokenFile !== undefined ? { tokenFile: options.tokenFile } : {}) });
  emit(options, { reused: false, ...node.profile, failed_worlds: node.failed }, () => [describe(node.profile, 'node serving at'), ...node.failed.map((world) => `warning: world ${world.id} could not be opened: ${world.error}`), `worlds ${node.host.list().map((world) => world.id).join(', ') || 'none yet (create one with `aos world create`)'}`].join('\n'));
  await new Promise<void>((done) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void node.stop().then(done, done);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** Starts `aos node up` again, detached, logging to the state dir; returns once it serves. */
async function background(root: string, options: NodeUpOptions): Promise<void> {
  const { waitForNode } = await import('../../node/node-process.ts');
  mkdirSync(stateDir(root), { recursive: true });
  const log = join(stateDir(root), NODE_LOG_FILE);
  const out = openSync(log, 'a', 0o600);
  const script = process.argv[1];
  if (script === undefined) throw new CliError('INTERNAL', 'cannot tell which script runs the CLI, to start it again in the background', 'run `aos node up` without --background');
  const args = [...process.execArgv, script, 'node', 'up', '--root', root, '--host', options.host, '--port', options.port, ...(options.tokenFile !== undefined ? ['--token-file', resolve(options.tokenFile)] : [])];
  // Same working directory as this process: from sources, world threads resolve tsx from it.
  const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', out, out] });
  closeSync(out);
  child.unref();
  const profile = await waitForNode(root, child, log);
  emit(options, { reused: false, ...profile }, () => describe(profile, 'node started in the background at'));
}

export async function status(options: RootOptions): Promise<void> {
  const root = resolve(options.root);
  const profile = await runningNode(root);
  if (profile === null) {
    emit(options, { running: false, root }, () => `no node is running for ${root}\nstart one with \`aos node up --root ${options.root}\``);
    process.exitCode = 1;
    return;
  }
  const target = { url: profile.url, world: 'main', token: readToken(profile.token_file) };
  const worlds = await nodeRequest<{ worlds: Array<{ id: string; open: boolean }> }>(target, 'GET', '/worlds');
  emit(options, { running: true, ...profile, worlds: worlds.worlds }, () => `${describe(profile, 'running at')}\nworlds ${worlds.worlds.map((world) => world.id).join(', ') || 'none'}`);
}

export async function down(options: RootOptions): Promise<void> {
  const { stopNode } = await import('../../node/node-process.ts');
  const root = resolve(options.root);
  const stopped = await stopNode(root);
  emit(options, { stopped: stopped !== null, root, ...(stopped !== null ? { pid: stopped.pid, url: stopped.url } : {}) }, () => stopped === null ? `no node was running for ${root}` : `stopped the node at ${stopped.url} (pid ${stopped.pid})`);
}
