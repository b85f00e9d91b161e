// Where a host.exec command may act. Every command runs under bubblewrap (bwrap), as the node's
// own user, in a mount namespace where:
// - the whole filesystem is read-only, except the session's work dir (bound read-write);
// - /tmp is a private tmpfs, so scratch files neither reach nor read the node's /tmp;
// - /dev and /proc are fresh, and the command has a PID namespace of its own: it sees no other
//   process of the machine (not the node's /proc/<pid>/environ, which holds its API keys);
// - the node's secrets (each world's .aos: private keys, vault, journal database, CAS; and the
//   .env files that hold provider keys) and the credential stores in every home folder (SSH
//   and GPG keys, cloud logins, registry tokens: credential-stores.ts) are covered, folders by
//   empty tmpfs mounts and files by /dev/null, since a command of the node's user could read
//   them;
// - /run is an empty tmpfs, so no command reaches the machine's services through their Unix
//   sockets (a socket on a read-only mount still accepts connections): not the Docker daemon,
//   the databases, D-Bus, nor the user's SSH or GPG agents (/var/run is normally a link to
//   /run). A "host" session keeps its DNS configuration, which /etc/resolv.conf often links
//   into /run: the files it resolves to are bound back, read-only;
// - a session of network_mode "none" (also what "" means, and what the agent asks for) has a
//   network namespace of its own, without any network, not even loopback; "host" shares the
//   node's network.
// bwrap dies with the node (--die-with-parent), and its PID namespace with it, so killing the
// process group the node spawned ends every process of the command.
//
// The sandbox is probed once, on first use. A node that cannot build it (bwrap missing, or no
// user namespaces for a non-root node) refuses host.exec: a command never runs unconfined. The
// fs tools do not run commands and need no sandbox.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, lstatSync, realpathSync, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { AdapterError } from '../errors.ts';
import { isInside, isMissing, isOutOfReach } from './confine.ts';
import { credentialPaths, machineHomes } from './credential-stores.ts';

/** The network modes a local host session may ask for. */
export const NETWORK_MODES = Object.freeze(['none', 'host'] as const);
export type NetworkMode = (typeof NETWORK_MODES)[number];
/** The mode of a session whose network_mode is empty: no network unless asked for. */
export const NETWORK_MODE_DEFAULT: NetworkMode = 'none';

/** The exit code bwrap gives when it cannot set the sandbox up or execute the command. */
const SANDBOX_FAILED_CODE = 1;
/** What bwrap prints before its reason when it fails itself (not the command). */
const SANDBOX_FAILED_PREFIX = 'bwrap: ';
/** What bwrap prints before the program and the reason when it cannot execute the command. */
const SANDBOX_EXEC_FAILED_PREFIX = 'bwrap: execvp ';

const BWRAP = 'bwrap';
const PROBE_TIMEOUT_MS = 5_000;
/** The namespaces every command gets; the probe asks for them and for a network namespace. */
const NAMESPACE_FLAGS: readonly string[] = Object.freeze(['--unshare-pid', '--die-with-parent']);
const NO_NETWORK_FLAG = '--unshare-net';
/** Where services keep their Unix sockets: emptied for every command. */
const SOCKET_FOLDERS: readonly string[] = Object.freeze(['/run', '/var/run']);
/** The name service files a command with network needs; where they resolve into a socket folder, they are bound back. */
const RESOLVER_FILES: readonly string[] = Object.freeze(['/etc/resolv.conf', '/etc/hosts', '/etc/nsswitch.conf', '/etc/gai.conf']);

/** What one command is confined to. */
export interface ExecConfinement {
  /** The session's work dir (a real path): the only place the command may write. */
  readonly workdir: string;
  /** Where it starts: a real path inside the work dir. */
  readonly cwd: string;
  readonly network: NetworkMode;
}

/** Confines the commands of host.exec. */
export interface ExecSandbox {
  /** The argv that runs `argv` confined; an AdapterError when this node cannot confine it. */
  command(argv: readonly string[], confinement: ExecConfinement): string[];
  /** Throws the AdapterError `command` would for want of a sandbox, before a session is opened on its promise. */
  check(): void;
  /** Refuses a work dir inside a directory the sandbox hides, or holding one (a configuration error). */
  checkWorkdir(workdir: string): void;
  /** The error for a run that failed in the sandbox itself (its command never started), else null. */
  failure(program: string, exitCode: number, stderr: string): AdapterError | null;
}

/** The mode a session's target asks for; refuses one this node does not know. */
export function networkModeOf(asked: string | null): NetworkMode {
  if (asked === null || asked === '') return NETWORK_MODE_DEFAULT;
  const known = NETWORK_MODES.find((mode) => mode === asked);
  if (known === undefined) throw new AdapterError('HOST_UNSUPPORTED', `network_mode ${JSON.stringify(asked)} is not supported by this node; use ${NETWORK_MODES.map((mode) => JSON.stringify(mode)).join(' or ')}`);
  return known;
}

/** How a bubblewrap sandbox is built. */
export interface BubblewrapOptions {
  /** The bwrap program, found on the node's PATH unless a path; default "bwrap". */
  readonly program?: string;
  /** The node's secret folders and files, hidden from every command; asked anew for each command, so ones created later are hidden too. */
  readonly hiddenPaths?: () => readonly string[];
  /** The home folders whose credential stores are hidden, asked anew for each command; default: the machine's (machineHomes). */
  readonly homes?: () => readonly string[];
  /** The name service files kept readable for "host" sessions; default: RESOLVER_FILES. */
  readonly resolverFiles?: readonly string[];
}

/** A path the sandbox hides: the node's own secret or a user's credential store. */
interface HiddenPath {
  readonly path: string;
  readonly folder: boolean;
  readonly holds: 'node secrets' | 'credentials';
}

/** The sandbox built with bubblewrap, probed once on first use. */
export class BubblewrapSandbox implements ExecSandbox {
  private probed: { readonly program: string } | { readonly refusal: string } | null = null;
  private readonly program: string;
  private readonly hiddenPaths: () => readonly string[];
  private readonly homes: () => readonly string[];
  private readonly resolverFiles: readonly string[];

  constructor(options: BubblewrapOptions = {}) {
    this.program = options.program ?? BWRAP;
    this.hiddenPaths = options.hiddenPaths ?? (() => []);
    this.homes = options.homes ?? machineHomes;
    this.resolverFiles = options.resolverFiles ?? RESOLVER_FILES;
  }

  command(argv: readonly string[], confinement: ExecConfinement): string[] {
    const program = this.usable();
    const hidden = this.hidden(this.homes());
    refuseHiddenWorkdir(confinement.workdir, hidden);
    const isolated = confinement.network === 'none';
    const socketDirs = socketFolders();
    return [
      program,
      '--ro-bind', '/', '/',
      '--dev', '/dev',
      '--proc', '/proc',
      // Before the work dir: a work dir under /tmp (or /run) is bound onto the tmpfs, not hidden by it.
      '--tmpfs', '/tmp',
      ...socketDirs.flatMap((folder) => ['--tmpfs', folder]),
      ...(isolated ? [] : resolverTargets(this.resolverFiles, socketDirs).flatMap((file) => ['--ro-bind', file, file])),
      '--bind', confinement.workdir, confinement.workdir,
      // After the work dir: were a secret inside it (checkWorkdir refuses that), it stays hidden.
      ...hidden.flatMap((found) => (found.folder ? ['--tmpfs', found.path] : ['--ro-bind', '/dev/null', found.path])),
      ...NAMESPACE_FLAGS,
      ...(isolated ? [NO_NETWORK_FLAG] : []),
      '--chdir', confinement.cwd,
      '--',
      ...argv,
    ];
  }

  check(): void {
    this.usable();
  }

  checkWorkdir(workdir: string): void {
    // Only a home holding the work dir, or inside it, can hold a store that matters here (the fs
    // tools call this for every effect, so the rest are not looked up).
    const homes = this.homes().map(realHome).filter((home): home is string => home !== null && (isInside(home, workdir) || isInside(workdir, home)));
    refuseHiddenWorkdir(workdir, this.hidden(homes));
  }

  failure(program: string, exitCode: number, stderr: string): AdapterError | null {
    const said = stderr.trim();
    if (exitCode !== SANDBOX_FAILED_CODE || !said.startsWith(SANDBOX_FAILED_PREFIX)) return null;
    if (said.startsWith(SANDBOX_EXEC_FAILED_PREFIX)) return new AdapterError('HOST_SPAWN_FAILED', `could not start ${JSON.stringify(program)}: ${said.slice(said.lastIndexOf(':') + 1).trim()}`);
    return new AdapterError('HOST_UNSUPPORTED', `the exec sandbox could not be set up for ${JSON.stringify(program)} (${said}); the command did not run`);
  }

  /** The real paths of the secrets and credential stores that exist now (one that does not exist holds nothing to hide). */
  private hidden(homes: readonly string[]): HiddenPath[] {
    const found: HiddenPath[] = [];
    const add = (paths: readonly string[], holds: HiddenPath['holds']): void => {
      for (const path of paths) {
        try {
          // Most stores do not exist: a stat that does not throw for them keeps this cheap.
          if (lstatSync(path, { throwIfNoEntry: false }) === undefined) continue;
          const real = realpathSync(path);
          if (!found.some((known) => known.path === real)) found.push({ path: real, folder: statSync(real).isDirectory(), holds });
        } catch (error) {
          // A store in a home the node's user cannot enter is one its commands cannot read either.
          if (!isOutOfReach(error)) throw error;
        }
      }
    };
    add(this.hiddenPaths(), 'node secrets');
    add(credentialPaths(homes), 'credentials');
    return found;
  }

  private usable(): string {
    this.probed ??= this.probe();
    if ('refusal' in this.probed) throw new AdapterError('HOST_UNSUPPORTED', this.probed.refusal);
    return this.probed.program;
  }

  // The program is found on the node's PATH now: a session's commands get only the variables
  // its grant passes through, which need not include PATH.
  private probe(): { readonly program: string } | { readonly refusal: string } {
    const program = onPath(this.program) ?? this.program;
    const flags = ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp', ...NAMESPACE_FLAGS, NO_NETWORK_FLAG];
    const tried = spawnSync(program, [...flags, '--', 'true'], { stdio: ['ignore', 'ignore', 'pipe'], timeout: PROBE_TIMEOUT_MS, encoding: 'utf8' });
    if (tried.status === 0) return { program };
    const why = tried.error !== undefined ? tried.error.message : (tried.stderr.trim() || `exit ${tried.status ?? tried.signal}`);
    const asRoot = process.getuid?.() === 0;
    return {
      refusal: `host.exec runs every command in a bubblewrap sandbox, which this node cannot create (${this.program}: ${why}), so no command runs; `
        + (asRoot ? 'install bubblewrap (apt-get install bubblewrap)' : 'install bubblewrap (apt-get install bubblewrap) and allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1; on Ubuntu also kernel.apparmor_restrict_unprivileged_userns=0)')
        + ', then restart the node',
    };
  }
}

function refuseHiddenWorkdir(workdir: string, hidden: readonly HiddenPath[]): void {
  const holder = hidden.find((found) => isInside(found.path, workdir));
  if (holder !== undefined) {
    const what = holder.holds === 'credentials' ? 'a user\'s credential store' : 'the node\'s secrets (keys, vault, journal)';
    throw new AdapterError('HOST_WORKDIR_NOT_ALLOWED', `work dir ${workdir} is inside ${holder.path}, which holds ${what} and is hidden from host commands; choose a work dir outside it`);
  }
  // A work dir holding a secret would let the fs tools read it (commands see it hidden).
  const held = hidden.find((found) => isInside(workdir, found.path));
  if (held === undefined) return;
  if (held.holds === 'credentials') {
    throw new AdapterError('HOST_WORKDIR_NOT_ALLOWED', `work dir ${workdir} contains ${held.path}, a user's credential store (keys, logins or tokens), which host commands and tools must not read; choose a project folder that holds no credentials rather than a home folder`);
  }
  throw new AdapterError('HOST_WORKDIR_NOT_ALLOWED', `work dir ${workdir} contains ${held.path}, which holds the node's secrets (keys, vault, journal, provider keys); choose a work dir that does not contain a world's .aos folder or .env file (a world root's work/ folder, or a folder beside the world)`);
}

/** The real path of a home folder, or null when there is none (or the node cannot see it). */
function realHome(home: string): string | null {
  try {
    return realpathSync(home);
  } catch (error) {
    if (isOutOfReach(error)) return null;
    throw error;
  }
}

/** The real files the resolver files lead to that lie in a socket folder (and so would vanish with it). */
function resolverTargets(files: readonly string[], socketDirs: readonly string[]): string[] {
  const targets = new Set<string>();
  for (const file of files) {
    try {
      const real = realpathSync(file);
      if (socketDirs.some((folder) => isInside(folder, real))) targets.add(real);
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
  }
  return [...targets];
}

/** The socket folders that are real folders here (a link, as /var/run usually is, follows its target). */
function socketFolders(): string[] {
  return SOCKET_FOLDERS.filter((folder) => {
    try {
      return lstatSync(folder).isDirectory();
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  });
}

/** The executable `name` on the node's PATH (or `name` itself when it is a path), if any. */
function onPath(name: string): string | null {
  const candidates = isAbsolute(name) ? [name] : (process.env['PATH'] ?? '').split(delimiter).filter((dir) => dir !== '').map((dir) => join(dir, name));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}
