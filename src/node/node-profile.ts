// Where a local node's profile lives and how to tell whether it runs, without loading the
// server: <root>/.aos/node.json (written by node-process.ts) holds the node's pid, root,
// address, URL and the path of its token file (never the token). The CLI reads it to decide
// whether a command goes through the node or works on the folder directly.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import { NodeError } from './errors.ts';
import { NODE_HEALTH_TIMEOUT_MS, NODE_TOKEN_FILE_BYTES_MAX } from './limits.ts';

/** What /health says; it tells an AgentOS node from anything else on a port. */
export const NODE_SERVICE = 'aos-node';
/** The pidfile and profile, in <root>/.aos/. */
const NODE_PROFILE_FILE = 'node.json';
/** The node's request log, in <root>/.aos/. */
export const NODE_LOG_FILE = 'node.log';
/** The token generated for a node bound beyond loopback, in <root>/.aos/ (mode 0600). */
export const NODE_TOKEN_FILE = 'node-token';
/** Folder under a node's root whose sub-folders are further worlds (<root>/worlds/<name>/). */
export const NODE_WORLDS_FOLDER = 'worlds';

/** What node.json holds: where the node is and how to reach it. */
export interface NodeProfile {
  readonly service: typeof NODE_SERVICE;
  readonly pid: number;
  readonly root: string;
  readonly host: string;
  readonly port: number;
  readonly url: string;
  readonly log: string;
  /** The token file writes need, or null when the node has no token (loopback only). */
  readonly token_file: string | null;
  readonly started_at: string;
}

/** A root's state folder, <root>/.aos. */
export function stateDir(root: string): string {
  return join(resolve(root), '.aos');
}

/** Where a root's node profile (its pidfile) is. */
export function profilePath(root: string): string {
  return join(stateDir(root), NODE_PROFILE_FILE);
}

/** The base URL of a node bound to `host`:`port`. */
export function urlOf(host: string, port: number): string {
  return `http://${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
}

/** The profile of `root`'s node, or null when it has none (it may be stale: see runningNode). */
export function readProfile(root: string): NodeProfile | null {
  const path = profilePath(root);
  if (!existsSync(path)) return null;
  try {
    const profile = JSON.parse(readFileSync(path, 'utf8')) as NodeProfile;
    return profile.service === NODE_SERVICE && Number.isSafeInteger(profile.pid) && typeof profile.url === 'string' ? profile : null;
  } catch {
    // A half-written or damaged profile names no node that can be reached: as if there were none.
    return null;
  }
}

/** True when a process with this pid exists (signal 0 probes without signalling). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** What answers /health at `url`, or null when nothing does (in time). */
export async function health(url: string): Promise<{ service?: string; pid?: number; root?: string } | null> {
  try {
    const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(NODE_HEALTH_TIMEOUT_MS) });
    return response.ok ? await response.json() as { service?: string; pid?: number; root?: string } : { service: `HTTP ${response.status}` };
  } catch {
    // Refused, reset or timed out: nothing serves there (or nothing that answers in time).
    return null;
  }
}

/** The running node of `root`: its profile when its process lives and answers as this root's node. */
export async function runningNode(root: string): Promise<NodeProfile | null> {
  const profile = readProfile(root);
  if (profile === null || !pidAlive(profile.pid)) return null;
  const answer = await health(profile.url);
  return answer?.service === NODE_SERVICE && answer.pid === profile.pid && answer.root === resolve(root) ? profile : null;
}

/** The profile's token, read from its token file (null when the node has none). */
export function readToken(tokenFile: string | null): string | null {
  if (tokenFile === null) return null;
  if (!existsSync(tokenFile)) throw new NodeError('NO_KEY', `the node's token file ${tokenFile} is missing`, 'restart the node with `aos node up`, or pass --token-file');
  if (statSync(tokenFile).size > NODE_TOKEN_FILE_BYTES_MAX) throw new NodeError('BAD_INPUT', `${tokenFile} is too large to be a token file`);
  const token = readFileSync(tokenFile, 'utf8').trim();
  if (token.length === 0) throw new NodeError('BAD_INPUT', `the token file ${tokenFile} is empty`, 'write a token into it (e.g. `openssl rand -hex 32 > file`)');
  return token;
}

