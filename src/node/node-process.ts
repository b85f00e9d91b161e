// The local node as a process (DESIGN §9, `aos node up|status|down`): one per state dir. Its
// pidfile <root>/.aos/node.json records the pid, root, address and URL, and is also the profile
// the CLI reads to reach the node (with the token file's path — never the token). Its requests
// are logged to <root>/.aos/node.log. A second `up` on the same root finds the running node and
// reuses it; a port another root's node serves is refused naming that root.
import { randomBytes } from 'node:crypto';
import { chmodSync, createWriteStream, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { NodeError } from './errors.ts';
import { NODE_START_WAIT_MS, NODE_STOP_WAIT_MS, NODE_TOKEN_BYTES } from './limits.ts';
import { NodeHost } from './node-host.ts';
import { health, NODE_LOG_FILE, NODE_SERVICE, NODE_TOKEN_FILE, pidAlive, profilePath, readProfile, readToken, runningNode, stateDir, urlOf } from './node-profile.ts';
import type { NodeProfile } from './node-profile.ts';
import { buildApi } from './server/app.ts';

export type { NodeProfile } from './node-profile.ts';

export interface NodeUpOptions {
  readonly root: string;
  readonly host: string;
  readonly port: number;
  /** A file holding the bearer token; without one the node generates its own (<root>/.aos/node-token). */
  readonly tokenFile?: string;
}

/**
 * The token the node will require: the given file's, or its own, generated once. On loopback
 * too: otherwise any local process could read and write every world the node serves, a host
 * command of a "host"-network session included (the token file, in .aos, is hidden from those).
 */
export function nodeToken(options: NodeUpOptions): { token: string | null; file: string | null } {
  if (options.tokenFile !== undefined) {
    const file = resolve(options.tokenFile);
    return { token: readToken(file), file };
  }
  mkdirSync(stateDir(options.root), { recursive: true });
  const file = join(stateDir(options.root), NODE_TOKEN_FILE);
  // Reused across restarts, so clients keep working; only the owner may read it.
  if (!existsSync(file)) writeFileSync(file, `${randomBytes(NODE_TOKEN_BYTES).toString('hex')}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return { token: readToken(file), file };
}

/** Why a port is taken, for people: another root's node, or another program. */
async function portTaken(options: NodeUpOptions): Promise<NodeError> {
  const url = urlOf(options.host, options.port);
  const answer = await health(url);
  if (answer?.service === NODE_SERVICE && typeof answer.root === 'string') {
    return new NodeError('BAD_INPUT', `port ${options.port} is served by the AgentOS node of ${answer.root}, not of ${resolve(options.root)}`, `stop it with \`aos node down --root ${answer.root}\`, or start this node on another --port`);
  }
  return new NodeError('BAD_INPUT', `port ${options.port} on ${options.host} is in use by another program`, 'start the node on another --port (0 picks a free one)');
}

/** A node serving in this process; `stop` closes it and removes its pidfile. */
export interface ServingNode {
  readonly profile: NodeProfile;
  readonly app: FastifyInstance;
  readonly host: NodeHost;
  /** Worlds that could not be opened at start (each is retried on its next request). */
  readonly failed: ReadonlyArray<{ id: string; error: string }>;
  stop(): Promise<void>;
}

/** Starts serving `options.root` in this process: worlds opened (their open work re-attached), API bound, pidfile written. */
export async function serveNode(options: NodeUpOptions): Promise<ServingNode> {
  const root = resolve(options.root);
  mkdirSync(stateDir(root), { recursive: true });
  const { token, file } = nodeToken({ ...options, root });
  const log = join(stateDir(root), NODE_LOG_FILE);
  const logStream = createWriteStream(log, { flags: 'a', mode: 0o600 });
  const host = new NodeHost(root);
  let app: FastifyInstance | null = null;
  try {
    const failed = await host.openAll();
    // Reads need the token too, on loopback as well: journals, states and blobs of every world the
    // node serves are not for any local process (an agent's host command of a "host" session
    // reaches loopback). /health stays open.
    app = await buildApi(host, { token, protectReads: true, logger: { stream: logStream }, pid: process.pid });
    for (const world of failed) app.log.error({ world: world.id }, `world ${world.id} could not be opened: ${world.error}`);
    try {
      await app.listen({ host: options.host, port: options.port });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw await portTaken({ ...options, root });
      throw error;
    }
    const address = app.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : options.port;
    const profile: NodeProfile = { service: NODE_SERVICE, pid: process.pid, root, host: options.host, port, url: urlOf(options.host, port), log, token_file: file, started_at: new Date().toISOString() };
    const path = profilePath(root);
    writeFileSync(`${path}.tmp`, `${JSON.stringify(profile, null, 2)}\n`);
    renameSync(`${path}.tmp`, path);
    const serving = app;
    let stopping: Promise<void> | null = null;
    return {
      profile, app: serving, host, failed,
      stop: () => (stopping ??= (async () => {
        if (readProfile(root)?.pid === process.pid) rmSync(path, { force: true });
        await serving.close();
        await host.close();
        await new Promise<void>((done) => logStream.end(done));
      })()),
    };
  } catch (error) {
    await app?.close();
    await host.close();
    logStream.end();
    throw error;
  }
}

/** Waits until `root` has a running node (a background start), or throws after NODE_START_WAIT_MS. */
export async function waitForNode(root: string, child: { exitCode: number | null }, log: string): Promise<NodeProfile> {
  const deadline = Date.now() + NODE_START_WAIT_MS;
  for (;;) {
    const running = await runningNode(root);
    if (running !== null) return running;
    if (child.exitCode !== null) throw new NodeError('BAD_INPUT', `the node exited (code ${child.exitCode}) before it served`, `see its log: ${log}`);
    if (Date.now() > deadline) throw new NodeError('BAD_INPUT', `the node did not answer within ${NODE_START_WAIT_MS} ms`, `see its log: ${log}`);
    await new Promise((done) => setTimeout(done, 100));
  }
}

/** Stops `root`'s node (SIGTERM, then waits for it to exit); returns its profile, or null when none ran. */
export async function stopNode(root: string): Promise<NodeProfile | null> {
  const profile = await runningNode(root);
  if (profile === null) {
    // A stale pidfile (the process is gone) is cleaned up.
    const stale = readProfile(root);
    if (stale !== null && !pidAlive(stale.pid)) rmSync(profilePath(root), { force: true });
    return null;
  }
  process.kill(profile.pid, 'SIGTERM');
  const deadline = Date.now() + NODE_STOP_WAIT_MS;
  while (pidAlive(profile.pid)) {
    if (Date.now() > deadline) throw new NodeError('BAD_INPUT', `the node (pid ${profile.pid}) did not exit within ${NODE_STOP_WAIT_MS} ms of SIGTERM`, `see its log ${profile.log}; kill it with \`kill -9 ${profile.pid}\` if it hangs`);
    await new Promise((done) => setTimeout(done, 50));
  }
  rmSync(profilePath(root), { force: true });
  return profile;
}
