// The host.* adapter: sessions bound to a work dir on this machine, commands run there, and
// file operations confined to it (confine.ts). DESIGN §7; upstream's params and receipt shapes
// (sys/Host*@1).
//
// The node decides where sessions may live (options.roots); host.session.open refuses a work
// dir whose real path is outside every root, and a session opened without one gets a fresh
// directory under the first root. Sessions live in memory: after a restart their ids are
// unknown, and effects naming them are refused with a message saying to open a new one.
//
// Every refusal is an error receipt of the effect's own receipt schema: status "error", the
// stable error_code (AdapterError code, lower case, without HOST_) and the message in the
// schema's message field (error_message, summary_text or errors). write_file, stat and exists
// receipts have no message field: their error_code is "<code>: <message>".
import { randomUUID } from 'node:crypto';
import { mkdtemp, realpath, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { assert, hashBytes } from '../../cbor/index.ts';
import type { CborObject, CborValue } from '../../cbor/index.ts';
import type { Adapter, AdapterContext, AdapterIntent, AdapterOutcome } from '../adapter.ts';
import { AdapterError } from '../errors.ts';
import { HOST_PATTERN_DEADLINE_MS, HOST_SESSION_TTL_NS_MAX, HOST_SESSIONS_MAX } from '../limits.ts';
import { readParams } from '../typed-params.ts';
import { applyPatchEffect } from './apply-patch.ts';
import { isInside, isMissing } from './confine.ts';
import { editFileEffect } from './edit-file.ts';
import { execEffect, signalGroup } from './exec.ts';
import { BubblewrapSandbox, networkModeOf } from './exec-sandbox.ts';
import type { ExecSandbox } from './exec-sandbox.ts';
import { PatternWorker } from './pattern-worker.ts';
import { existsEffect, listDirEffect, readFileEffect, statEffect, writeFileEffect } from './fs-basic.ts';
import { optionalNat, optionalText, requiredText, textMap, variantOf } from './host-params.ts';
import { globEffect, grepEffect } from './search.ts';
import { HostSessions } from './sessions.ts';
import type { HostSession, HostSessionStore } from './sessions.ts';

/** Each host effect's params schema and where its receipt schema puts a message. */
const EFFECTS = {
  'sys/host.session.open@1': { params: 'sys/HostSessionOpenParams@1', message: 'error_message' },
  'sys/host.session.signal@1': { params: 'sys/HostSessionSignalParams@1', message: 'error_message' },
  'sys/host.exec@1': { params: 'sys/HostExecParams@1', message: 'error_message' },
  'sys/host.fs.read_file@1': { params: 'sys/HostFsReadFileParams@1', message: 'error_message' },
  'sys/host.fs.write_file@1': { params: 'sys/HostFsWriteFileParams@1', message: 'in_code' },
  'sys/host.fs.edit_file@1': { params: 'sys/HostFsEditFileParams@1', message: 'summary_text' },
  'sys/host.fs.apply_patch@1': { params: 'sys/HostFsApplyPatchParams@1', message: 'errors' },
  'sys/host.fs.grep@1': { params: 'sys/HostFsGrepParams@1', message: 'summary_text' },
  'sys/host.fs.glob@1': { params: 'sys/HostFsGlobParams@1', message: 'summary_text' },
  'sys/host.fs.stat@1': { params: 'sys/HostFsStatParams@1', message: 'in_code' },
  'sys/host.fs.exists@1': { params: 'sys/HostFsExistsParams@1', message: 'in_code' },
  'sys/host.fs.list_dir@1': { params: 'sys/HostFsListDirParams@1', message: 'summary_text' },
} as const;
type HostEffect = keyof typeof EFFECTS;

/** The host effects' def names. */
export const HOST_EFFECTS: readonly string[] = Object.freeze(Object.keys(EFFECTS));
/** The adapter_id of a host adapter built without one. */
export const HOST_ADAPTER_ID_DEFAULT = 'host.local';

/** Signals host.session.signal accepts, and what each sends to the session's running commands. */
const SIGNALS: ReadonlyMap<string, { readonly send: NodeJS.Signals; readonly closes: boolean }> = new Map([
  ['interrupt', { send: 'SIGINT', closes: false }],
  ['terminate', { send: 'SIGTERM', closes: true }],
  ['close', { send: 'SIGTERM', closes: true }],
  ['kill', { send: 'SIGKILL', closes: true }],
]);

/** How a host adapter is built. */
export interface HostAdapterOptions {
  /** Directories work dirs must lie in (real paths are compared); at least one. */
  readonly roots: readonly string[];
  /** The adapter_id its receipts carry; default HOST_ADAPTER_ID_DEFAULT. */
  readonly id?: string;
  /** Names of the node's environment variables every exec inherits (e.g. ["PATH"]); default none. */
  readonly envPassthrough?: readonly string[];
  /** What confines host.exec commands (exec-sandbox.ts); default a BubblewrapSandbox that hides no node folders (a node passes one hiding its own). */
  readonly execSandbox?: ExecSandbox;
  /** Wall-clock time a grep or glob may spend matching; default HOST_PATTERN_DEADLINE_MS. */
  readonly patternDeadlineMs?: number;
  /** Where sessions are kept across restarts (session-file.ts); default: in memory only. */
  readonly sessionStore?: HostSessionStore;
  /** Wall-clock nanoseconds, to drop expired sessions when they are loaded; default Date.now(). */
  readonly now?: () => bigint;
}

/** Executes host.session.*, host.exec and host.fs.* on this machine. */
export class HostAdapter implements Adapter {
  readonly id: string;
  readonly kinds: readonly string[] = HOST_EFFECTS;
  private readonly roots: readonly string[];
  private readonly envPassthrough: readonly string[];
  private readonly sandbox: ExecSandbox;
  private readonly patterns: PatternWorker;
  private readonly sessions: HostSessions;
  private realRoots: Promise<string[]> | null = null;

  constructor(options: HostAdapterOptions) {
    this.id = options.id ?? HOST_ADAPTER_ID_DEFAULT;
    if (this.id === '') throw new AdapterError('BAD_OPTION', 'a host adapter needs a non-empty id (the adapter_id of its receipts)');
    if (options.roots.length === 0) throw new AdapterError('BAD_OPTION', 'a host adapter needs at least one root directory for session work dirs (options.roots)');
    this.roots = options.roots.map((root) => resolve(root));
    this.envPassthrough = [...(options.envPassthrough ?? [])];
    this.sandbox = options.execSandbox ?? new BubblewrapSandbox();
    this.sessions = new HostSessions(HOST_SESSIONS_MAX, options.sessionStore ?? null, (options.now ?? (() => BigInt(Date.now()) * 1_000_000n))());
    this.patterns = new PatternWorker(options.patternDeadlineMs ?? HOST_PATTERN_DEADLINE_MS);
  }

  async execute(intent: AdapterIntent, context: AdapterContext): Promise<AdapterOutcome> {
    assert(intent.effect_kind in EFFECTS, `the executor routes only host effects to the host adapter, not ${intent.effect_kind}`);
    const effect = intent.effect_kind as HostEffect;
    const reading = readParams(intent, EFFECTS[effect].params);
    if (!reading.ok) return failure(effect, 'invalid_params', reading.message);
    try {
      if (effect === 'sys/host.session.open@1') return { status: 'ok', payload: await this.open(intent, reading.params, context) };
      const session = await this.liveSession(requiredText(reading.params, 'session_id'), context.now());
      try {
        return await this.run(effect, session, reading.params, context);
      } catch (error) {
        // An OS refusal on a path of the work dir (permissions, a file in the way) is the
        // request's outcome; any other I/O failure (the CAS, the node's disk) propagates, and
        // the executor retries the intent.
        const path = (error as NodeJS.ErrnoException | null)?.path;
        if (typeof path === 'string' && isInside(session.workdir, path)) return failure(effect, 'io_error', `${intent.effect_kind}: ${(error as Error).message.replaceAll(session.workdir, '<workdir>')}`);
        throw error;
      }
    } catch (error) {
      if (error instanceof AdapterError && error.code.startsWith('HOST_')) return failure(effect, error.code.slice('HOST_'.length).toLowerCase(), error.message);
      throw error;
    }
  }

  /** The live session `id`, or an AdapterError saying why there is none: for host.build_module (build-module.ts), which runs beside this adapter. */
  async liveSession(id: string, nowNs: bigint): Promise<HostSession> {
    const session = this.sessions.live(id, nowNs);
    if (this.sessions.restored.has(session.id)) await this.checkRestored(session);
    return session;
  }

  private async run(effect: Exclude<HostEffect, 'sys/host.session.open@1'>, session: HostSession, params: CborObject, context: AdapterContext): Promise<AdapterOutcome> {
    // Checked for every effect, not only at open: a world created later may put its state
    // folder inside the work dir, and the fs tools must not read it any more than commands.
    this.sandbox.checkWorkdir(session.workdir);
    switch (effect) {
      case 'sys/host.session.signal@1': return { status: 'ok', payload: await this.signal(session, params, context) };
      case 'sys/host.exec@1': {
        const { payload, timedOut } = await execEffect(session, params, context, this.envPassthrough, this.sandbox);
        return { status: timedOut ? 'timeout' : 'ok', payload };
      }
      case 'sys/host.fs.read_file@1': return { status: 'ok', payload: await readFileEffect(session, params, context) };
      case 'sys/host.fs.write_file@1': return { status: 'ok', payload: await writeFileEffect(session, params, context) };
      case 'sys/host.fs.edit_file@1': return { status: 'ok', payload: await editFileEffect(session, params) };
      case 'sys/host.fs.apply_patch@1': return { status: 'ok', payload: await applyPatchEffect(session, params, context) };
      case 'sys/host.fs.grep@1': return { status: 'ok', payload: await grepEffect(session, params, context, this.patterns) };
      case 'sys/host.fs.glob@1': return { status: 'ok', payload: await globEffect(session, params, context, this.patterns) };
      case 'sys/host.fs.stat@1': return { status: 'ok', payload: await statEffect(session, params) };
      case 'sys/host.fs.exists@1': return { status: 'ok', payload: await existsEffect(session, params) };
      case 'sys/host.fs.list_dir@1': return { status: 'ok', payload: await listDirEffect(session, params, context) };
    }
  }

  private async roots_(): Promise<string[]> {
    this.realRoots ??= Promise.all(this.roots.map((root) => realpath(root)));
    return this.realRoots;
  }

  /** host.session.open: a local target only; the same intent (idempotency key) reopens the same session. */
  private async open(intent: AdapterIntent, params: CborObject, context: AdapterContext): Promise<CborObject> {
    const target = variantOf(params, 'target');
    if (target.tag !== 'local') throw new AdapterError('HOST_UNSUPPORTED', `host target ${JSON.stringify(target.tag)} is not supported by this node; use "local"`);
    const mounts = target.value['mounts'];
    if (Array.isArray(mounts) && mounts.length > 0) throw new AdapterError('HOST_UNSUPPORTED', 'the local host target cannot mount directories; leave mounts empty and put the files in the work dir');
    const nowNs = context.now();
    // Retries of one intent carry one idempotency key: they find the session the first try opened.
    const id = `hs-${hashBytes(intent.idempotency_key).slice('sha256:'.length, 'sha256:'.length + 32)}`;
    const existing = this.sessions.get(id);
    if (existing !== undefined) return openReceipt(existing);
    const ttl = optionalNat(params, 'session_ttl_ns') ?? HOST_SESSION_TTL_NS_MAX;
    if (ttl === 0n || ttl > HOST_SESSION_TTL_NS_MAX) throw new AdapterError('HOST_INVALID_PARAMS', `session_ttl_ns ${ttl} is not between 1 and ${HOST_SESSION_TTL_NS_MAX} (HOST_SESSION_TTL_NS_MAX)`);
    const network = networkModeOf(optionalText(target.value, 'network_mode'));
    // A "none" session is refused here if the sandbox (its only isolation) cannot be built; a
    // "host" one opens, and its host.exec is refused (its fs tools need no sandbox).
    if (network === 'none') this.sandbox.check();
    const workdir = await this.workdir(optionalText(target.value, 'workdir'));
    this.sandbox.checkWorkdir(workdir);
    const session: HostSession = { id, workdir, env: textMap(target.value, 'env'), network, startedAtNs: nowNs, expiresAtNs: nowNs + ttl, closed: false, running: new Set() };
    this.sessions.add(session, nowNs);
    return openReceipt(session);
  }

  /** A session read from the store is used only while its work dir is still inside this node's roots. */
  private async checkRestored(session: HostSession): Promise<void> {
    const roots = await this.roots_();
    if (!roots.some((root) => isInside(root, session.workdir))) {
      throw new AdapterError('HOST_WORKDIR_NOT_ALLOWED', `host session ${JSON.stringify(session.id)} was opened on ${session.workdir}, which is outside this node's host roots now (${roots.join(', ')}); open a new session`);
    }
    this.sandbox.checkWorkdir(session.workdir);
    this.sessions.restored.delete(session.id);
  }

  /** The real path of the asked work dir, inside a root; or a fresh directory under the first root. */
  private async workdir(asked: string | null): Promise<string> {
    const roots = await this.roots_();
    if (asked === null) return mkdtemp(join(roots[0]!, `session-${randomUUID().slice(0, 8)}-`));
    let real: string;
    try {
      real = await realpath(resolve(roots[0]!, asked));
    } catch (error) {
      if (!isMissing(error)) throw error;
      throw new AdapterError('HOST_NOT_FOUND', `work dir ${JSON.stringify(asked)} does not exist; create it first`);
    }
    if (!roots.some((root) => isInside(root, real))) {
      throw new AdapterError('HOST_WORKDIR_NOT_ALLOWED', `work dir ${JSON.stringify(asked)} (really ${real}) is outside the node's host roots (${roots.join(', ')})`);
    }
    if (!(await stat(real)).isDirectory()) throw new AdapterError('HOST_NOT_A_DIRECTORY', `work dir ${JSON.stringify(asked)} is not a directory`);
    return real;
  }

  /** host.session.signal: sends the signal to the session's running commands; terminate, close and kill end the session. */
  private async signal(session: HostSession, params: CborObject, context: AdapterContext): Promise<CborObject> {
    const name = requiredText(params, 'signal');
    const chosen = SIGNALS.get(name);
    if (chosen === undefined) throw new AdapterError('HOST_INVALID_PARAMS', `signal ${JSON.stringify(name)} is not one of ${[...SIGNALS.keys()].join(', ')}`);
    for (const child of session.running) signalGroup(child, chosen.send);
    if (chosen.closes) {
      this.sessions.close(session);
      const grace = optionalNat(params, 'grace_timeout_ns');
      if (chosen.send !== 'SIGKILL' && session.running.size > 0) {
        // After the grace period whatever still runs is killed: a closed session leaves nothing behind.
        const delayMs = grace === null ? 0 : Math.min(Number(grace / 1_000_000n), 60_000);
        const leftovers = [...session.running];
        setTimeout(() => { for (const child of leftovers) signalGroup(child, 'SIGKILL'); }, delayMs).unref();
      }
    }
    return { status: chosen.closes ? 'closed' : 'signalled', exit_code: null, ended_at_ns: chosen.closes ? context.now() : null };
  }
}

function openReceipt(session: HostSession): CborObject {
  return { session_id: session.id, status: 'ready', started_at_ns: session.startedAtNs, expires_at_ns: session.expiresAtNs };
}

/** An error receipt of `effect`'s receipt schema, carrying the code and the message. */
function failure(effect: HostEffect, code: string, message: string): AdapterOutcome {
  const where = EFFECTS[effect].message;
  const payload: Record<string, CborValue> = { status: 'error', error_code: where === 'in_code' ? `${code}: ${message}` : code };
  if (where === 'error_message') payload['error_message'] = message;
  if (where === 'summary_text') payload['summary_text'] = message;
  if (where === 'errors') payload['errors'] = [message];
  if (effect === 'sys/host.exec@1') Object.assign(payload, { exit_code: -1, started_at_ns: 0, ended_at_ns: 0 });
  if (effect === 'sys/host.session.open@1') Object.assign(payload, { session_id: '', started_at_ns: 0 });
  return { status: 'error', payload };
}
