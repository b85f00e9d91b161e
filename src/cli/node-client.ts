// How a CLI command reaches a running node: `--node <url>` (with `--world`, `--token-file`), or
// the profile `aos node up` wrote for the folder given as --root (<root>/.aos/node.json, or the
// node root above <root>/worlds/<name>/). When neither leads to a live node the command works on
// the folder directly, with the same output. The token is read from its file and sent as a
// bearer header; it is never printed.
import { closeSync, createReadStream, createWriteStream, fsyncSync, openSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { parseJsonExact } from '../cbor/index.ts';
import type { SchemaResolver, TypeAst } from '../air/index.ts';
import { EMBEDDED_WORLD_ID } from '../node/embedded-world.ts';
import { NODE_WORLDS_FOLDER, readToken, runningNode } from '../node/node-profile.ts';
import { CliError } from './cli-error.ts';

/** The flags every node-capable command takes. */
export interface NodeFlags {
  readonly root: string;
  readonly node?: string;
  readonly world?: string;
  readonly tokenFile?: string;
}

/** A node and the world on it a command works on. */
export interface NodeTarget {
  readonly url: string;
  readonly world: string;
  readonly token: string | null;
}

/** Environment variable holding a token for `--node` (a token file is preferred). */
const TOKEN_ENV = 'AOS_NODE_TOKEN';

/** Where the command should go: a node, or null to work on the folder directly. */
export async function nodeTarget(flags: NodeFlags): Promise<NodeTarget | null> {
  if (flags.node !== undefined) {
    if (!/^https?:\/\/[^/]+/.test(flags.node)) throw new CliError('BAD_OPTION', `--node ${JSON.stringify(flags.node)} is not an http(s) URL`, 'e.g. --node http://127.0.0.1:9010');
    const token = flags.tokenFile !== undefined ? readToken(resolve(flags.tokenFile)) : (process.env[TOKEN_ENV] ?? null) || null;
    return { url: flags.node.replace(/\/+$/, ''), world: flags.world ?? EMBEDDED_WORLD_ID, token };
  }
  const dir = resolve(flags.root);
  const candidates: Array<{ root: string; world: string }> = [{ root: dir, world: EMBEDDED_WORLD_ID }];
  if (basename(dirname(dir)) === NODE_WORLDS_FOLDER) candidates.push({ root: dirname(dirname(dir)), world: basename(dir) });
  for (const candidate of candidates) {
    const profile = await runningNode(candidate.root);
    if (profile === null) continue;
    const token = flags.tokenFile !== undefined ? readToken(resolve(flags.tokenFile)) : readToken(profile.token_file);
    return { url: profile.url, world: flags.world ?? candidate.world, token };
  }
  return null;
}

/**
 * Where a command that makes a new world in folder `dir` (create, import, fork) goes: the node
 * hosting that folder (its root is `dir`: the world main; or `dir` is <root>/worlds/<name>/), or
 * with `--node` the world `--world`, else the folder's name; null to work on the folder directly.
 */
export async function newWorldTarget(flags: Omit<NodeFlags, 'root'> & { readonly dir: string }): Promise<NodeTarget | null> {
  return nodeTarget({ root: flags.dir, ...(flags.node !== undefined ? { node: flags.node, world: flags.world ?? basename(resolve(flags.dir)) } : flags.world !== undefined ? { world: flags.world } : {}), ...(flags.tokenFile !== undefined ? { tokenFile: flags.tokenFile } : {}) });
}

/** Streams the bytes the node answers for GET `path` into `file` (written beside it and renamed into place once complete); answers the response headers. */
export async function nodeDownload(target: NodeTarget, path: string, file: string): Promise<Headers> {
  const response = await send(target, 'GET', path);
  if (!response.ok || response.body === null) return answerOf<never>(target, 'GET', path, response);
  const temporary = `${file}.partial-${process.pid}`;
  try {
    await pipeline(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), createWriteStream(temporary, { mode: 0o644 }));
    const descriptor = openSync(temporary, 'r+');
    try {
      fsyncSync(descriptor);
    } finally {
      closeSync(descriptor);
    }
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
  return response.headers;
}

/** Sends file `file` as the body of POST `path` (streamed, as `type`) and parses the JSON answer as nodeRequest does. */
export async function nodeUpload<T>(target: NodeTarget, path: string, file: string, type: string): Promise<T> {
  const bytes = Readable.toWeb(createReadStream(file)) as WebReadableStream<Uint8Array>;
  return answerOf<T>(target, 'POST', path, await send(target, 'POST', path, { type, bytes }));
}

/** The path of a world's resource on the node. */
export function worldPath(target: NodeTarget, rest: string): string {
  return `/worlds/${encodeURIComponent(target.world)}${rest}`;
}

/** Sends a request and parses the JSON answer exactly (64-bit integers stay bigints); an error answer becomes a CliError. */
export async function nodeRequest<T>(target: NodeTarget, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const response = await send(target, method, path, body === undefined ? undefined : { type: 'application/json', bytes: JSON.stringify(body) });
  return answerOf<T>(target, method, path, response);
}

/** Stores bytes in the world's CAS on the node; answers their hash. */
export async function nodeCasPut(target: NodeTarget, bytes: Uint8Array): Promise<string> {
  const path = worldPath(target, '/cas');
  const answer = await answerOf<{ hash: string }>(target, 'POST', path, await send(target, 'POST', path, { type: 'application/octet-stream', bytes }));
  return answer.hash;
}

/** The bytes of a CAS object of the world on the node (the node verified them against their hash). */
export async function nodeCasGet(target: NodeTarget, hash: string): Promise<Uint8Array> {
  const path = worldPath(target, `/cas/${hash}`);
  const response = await send(target, 'GET', path);
  if (!response.ok) return answerOf<never>(target, 'GET', path, response);
  return new Uint8Array(await response.arrayBuffer());
}

/** The world's schemas, fetched once from the node, to render values in their sugar lens as the folder's commands do. */
export async function nodeSchemas(target: NodeTarget): Promise<SchemaResolver> {
  const answer = await nodeRequest<{ schemas: Array<{ name: string; type: TypeAst }> }>(target, 'GET', worldPath(target, '/schemas'));
  const schemas = new Map(answer.schemas.map((entry) => [entry.name, entry.type]));
  return { resolve: (name) => schemas.get(name) };
}

async function send(target: NodeTarget, method: 'GET' | 'POST', path: string, body?: { type: string; bytes: string | Uint8Array | WebReadableStream<Uint8Array> }): Promise<Response> {
  try {
    return await fetch(`${target.url}${path}`, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': body.type } : {}), ...(target.token !== null ? { authorization: `Bearer ${target.token}` } : {}) },
      // A streamed body is sent as it is read (fetch needs to be told so).
      ...(body !== undefined ? { body: body.bytes as NonNullable<RequestInit['body']>, ...(typeof body.bytes === 'string' || body.bytes instanceof Uint8Array ? {} : { duplex: 'half' }) } : {}),
    } as RequestInit);
  } catch (error) {
    throw new CliError('NODE_UNREACHABLE', `cannot reach the node at ${target.url}: ${error instanceof Error ? (error.cause as Error | undefined)?.message ?? error.message : String(error)}`, 'start it with `aos node up`, or drop --node to work on the world folder directly');
  }
}

async function answerOf<T>(target: NodeTarget, method: string, path: string, response: Response): Promise<T> {
  const text = await response.text();
  let answer: unknown;
  try {
    answer = parseJsonExact(text);
  } catch {
    throw new CliError('NODE_BAD_ANSWER', `the node at ${target.url} answered ${method} ${path} with HTTP ${response.status} and no JSON`, 'is that URL an AgentOS node? `aos node status` shows where the node is');
  }
  if (!response.ok) {
    const error = (answer as { error?: { code?: string; message?: string; hint?: string } }).error ?? {};
    throw new CliError(error.code ?? `HTTP_${response.status}`, error.message ?? `the node answered HTTP ${response.status}`, error.hint);
  }
  return answer as T;
}
