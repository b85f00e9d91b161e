// The host adapter's sessions: each binds a session id to a real work dir, an env and an expiry.
// A session is looked up on every host.exec and host.fs.* effect; an unknown, expired or closed
// one is refused with a message saying which and what to do. With a store (session-file.ts) the
// table survives a restart: it is loaded when the adapter is built and saved on each open and close.
import type { ChildProcess } from 'node:child_process';
import { AdapterError } from '../errors.ts';
import type { NetworkMode } from './exec-sandbox.ts';

/** One open (or closed, until forgotten) host session. */
export interface HostSession {
  readonly id: string;
  /** The work dir's real path: every path of the session resolves inside it. */
  readonly workdir: string;
  /** Variables the session's target set, given to every exec (after the allowlisted node env). */
  readonly env: Readonly<Record<string, string>>;
  /** Whether its commands run without network ("none") or with the node's ("host"). */
  readonly network: NetworkMode;
  readonly startedAtNs: bigint;
  readonly expiresAtNs: bigint;
  closed: boolean;
  /** Process groups of this session's running execs, so a signal or close reaches them. */
  readonly running: Set<ChildProcess>;
}

/** Where a host adapter keeps its sessions across restarts. */
export interface HostSessionStore {
  load(): HostSession[];
  save(sessions: readonly HostSession[]): void;
}

/** The sessions of one host adapter. */
export class HostSessions {
  private readonly byId = new Map<string, HostSession>();
  /** Sessions read from the store, whose work dirs the adapter checks against its roots on first use. */
  readonly restored = new Set<string>();

  constructor(private readonly max: number, private readonly store: HostSessionStore | null = null, nowNs?: bigint) {
    for (const session of store?.load() ?? []) {
      if (nowNs !== undefined && nowNs >= session.expiresAtNs) continue;
      this.byId.set(session.id, session);
      this.restored.add(session.id);
    }
  }

  get(id: string): HostSession | undefined {
    return this.byId.get(id);
  }

  /** Adds a session; refuses when the table is full of live ones (expired and closed ones are dropped first). */
  add(session: HostSession, nowNs: bigint): void {
    if (this.byId.size >= this.max) this.forgetDead(nowNs);
    if (this.byId.size >= this.max) {
      throw new AdapterError('HOST_UNSUPPORTED', `this node already has ${this.max} open host sessions; close one with host.session.signal before opening another`);
    }
    this.byId.set(session.id, session);
    this.save();
  }

  /** Marks a session closed (host.session.signal), so it stays closed after a restart. */
  close(session: HostSession): void {
    session.closed = true;
    this.save();
  }

  private save(): void {
    this.store?.save([...this.byId.values()]);
  }

  /** The live session `id`, or an AdapterError saying why there is none. */
  live(id: string, nowNs: bigint): HostSession {
    const session = this.byId.get(id);
    if (session === undefined) {
      throw new AdapterError('HOST_SESSION_NOT_FOUND', `host session ${JSON.stringify(id)} is not open on this node (it never was, or the node restarted); open one with host.session.open`);
    }
    if (session.closed) throw new AdapterError('HOST_SESSION_CLOSED', `host session ${JSON.stringify(id)} was closed by host.session.signal; open a new one`);
    if (nowNs >= session.expiresAtNs) {
      throw new AdapterError('HOST_SESSION_EXPIRED', `host session ${JSON.stringify(id)} expired at ${session.expiresAtNs} ns (now ${nowNs}); open a new one with a longer session_ttl_ns`);
    }
    return session;
  }

  private forgetDead(nowNs: bigint): void {
    for (const [id, session] of this.byId) {
      if ((session.closed || nowNs >= session.expiresAtNs) && session.running.size === 0) this.byId.delete(id);
    }
  }
}
