// Host sessions that outlive the process: a node restarted mid-task re-attaches the open work of
// its worlds, and their host effects name sessions opened before the restart. The sessions of a
// world (id, work dir, env, network mode, times, closed) are kept in a small JSON file the node
// names, rewritten whole on each open and close (temp file, fsync, rename); running commands are
// not (a restart kills them). Expired sessions are dropped when the file is read.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { AdapterError } from '../errors.ts';
import { NETWORK_MODES } from './exec-sandbox.ts';
import type { NetworkMode } from './exec-sandbox.ts';
import type { HostSession, HostSessionStore } from './sessions.ts';

/** A session as the file holds it. */
interface SessionRow {
  readonly id: string;
  readonly workdir: string;
  readonly env: Record<string, string>;
  readonly network: NetworkMode;
  readonly started_at_ns: string;
  readonly expires_at_ns: string;
  readonly closed: boolean;
}

/** The sessions of one host adapter in one file. */
export class FileSessionStore implements HostSessionStore {
  constructor(readonly file: string) {}

  load(): HostSession[] {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    let rows: unknown;
    try {
      rows = JSON.parse(text);
    } catch (error) {
      throw this.unreadable(`it is not JSON (${(error as Error).message})`);
    }
    if (!Array.isArray(rows)) throw this.unreadable('it is not a list of sessions');
    return rows.map((row, index) => this.session(row, index));
  }

  save(sessions: readonly HostSession[]): void {
    const rows: SessionRow[] = sessions.map((session) => ({
      id: session.id, workdir: session.workdir, env: { ...session.env }, network: session.network,
      started_at_ns: session.startedAtNs.toString(), expires_at_ns: session.expiresAtNs.toString(), closed: session.closed,
    }));
    mkdirSync(dirname(this.file), { recursive: true });
    const temp = `${this.file}.tmp`;
    const fd = openSync(temp, 'w', 0o600);
    try {
      writeSync(fd, `${JSON.stringify(rows, null, 1)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, this.file);
  }

  private session(row: unknown, index: number): HostSession {
    const value = row as Partial<SessionRow> | null;
    const ok = typeof value === 'object' && value !== null && typeof value.id === 'string' && typeof value.workdir === 'string'
      && typeof value.env === 'object' && value.env !== null && Object.values(value.env).every((item) => typeof item === 'string')
      && NETWORK_MODES.includes(value.network as NetworkMode) && typeof value.closed === 'boolean'
      && typeof value.started_at_ns === 'string' && /^\d+$/.test(value.started_at_ns) && typeof value.expires_at_ns === 'string' && /^\d+$/.test(value.expires_at_ns);
    if (!ok) throw this.unreadable(`entry ${index} is not a session (id, workdir, env, network, started_at_ns, expires_at_ns, closed)`);
    return {
      id: value.id!, workdir: value.workdir!, env: value.env!, network: value.network!, startedAtNs: BigInt(value.started_at_ns!),
      expiresAtNs: BigInt(value.expires_at_ns!), closed: value.closed!, running: new Set(),
    };
  }

  private unreadable(why: string): AdapterError {
    return new AdapterError('BAD_OPTION', `the host session file ${this.file} cannot be read: ${why}; delete it to forget the sessions it held (effects naming them are then refused as not open)`);
  }
}
