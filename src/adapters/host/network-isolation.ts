// A host session's network_mode, enforced. "none" (also what "" means, and what the agent asks for)
// runs every host.exec of the session in a network namespace of its own, which has no network
// at all, not even loopback; "host" shares the node's network. The namespace comes from
// util-linux `unshare`: with `--net` alone as root, with a user namespace that maps the caller
// to itself otherwise, so the command runs as the same user either way. A node that cannot make
// one refuses to open a "none" session (fail closed) instead of running it with the network.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { AdapterError } from '../errors.ts';

/** The network modes a local host session may ask for. */
export const NETWORK_MODES = Object.freeze(['none', 'host'] as const);
export type NetworkMode = (typeof NETWORK_MODES)[number];
/** The mode of a session whose network_mode is empty: no network unless asked for. */
export const NETWORK_MODE_DEFAULT: NetworkMode = 'none';

/** The exit codes unshare gives when it cannot execute the command (util-linux: EX_EXEC_FAILED, EX_EXEC_ENOENT). */
export const ISOLATED_EXEC_FAILED_CODES: ReadonlySet<number> = new Set([126, 127]);
/** What unshare prints before its reason when it cannot execute the command. */
export const ISOLATED_EXEC_FAILED_PREFIX = 'unshare: failed to execute';

const UNSHARE = 'unshare';
const PROBE_TIMEOUT_MS = 5_000;

/** Runs commands without network. */
export interface NetworkIsolation {
  /** The argv that runs `argv` in a namespace without network; an AdapterError when this node cannot. */
  isolate(argv: readonly string[]): string[];
  /** Throws the AdapterError `isolate` would, before a session is opened on the promise of isolation. */
  check(): void;
}

/** The mode a session's target asks for; refuses one this node does not know. */
export function networkModeOf(asked: string | null): NetworkMode {
  if (asked === null || asked === '') return NETWORK_MODE_DEFAULT;
  const known = NETWORK_MODES.find((mode) => mode === asked);
  if (known === undefined) throw new AdapterError('HOST_UNSUPPORTED', `network_mode ${JSON.stringify(asked)} is not supported by this node; use ${NETWORK_MODES.map((mode) => JSON.stringify(mode)).join(' or ')}`);
  return known;
}

/** Isolation through `unshare`, probed once on first use. */
export class UnshareIsolation implements NetworkIsolation {
  private probed: { readonly command: readonly string[] } | { readonly refusal: string } | null = null;

  constructor(private readonly program = UNSHARE) {}

  isolate(argv: readonly string[]): string[] {
    return [...this.command(), '--', ...argv];
  }

  check(): void {
    this.command();
  }

  private command(): readonly string[] {
    this.probed ??= this.probe();
    if ('refusal' in this.probed) throw new AdapterError('HOST_UNSUPPORTED', this.probed.refusal);
    return this.probed.command;
  }

  // The program is found on the node's PATH now: a session's commands get only the variables
  // its grant passes through, which need not include PATH.
  private probe(): { readonly command: readonly string[] } | { readonly refusal: string } {
    const flags = process.getuid?.() === 0 ? ['--net'] : ['--user', '--map-current-user', '--net'];
    const program = onPath(this.program) ?? this.program;
    const tried = spawnSync(program, [...flags, '--', 'true'], { stdio: ['ignore', 'ignore', 'pipe'], timeout: PROBE_TIMEOUT_MS, encoding: 'utf8' });
    if (tried.status === 0) return { command: [program, ...flags] };
    const why = tried.error !== undefined ? tried.error.message : (tried.stderr.trim() || `exit ${tried.status ?? tried.signal}`);
    return {
      refusal: `network_mode "none" needs a network namespace, which this node cannot create (${this.program} ${flags.join(' ')}: ${why}); `
        + 'install util-linux and allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1), or open the session with network_mode "host" if its grant allows it',
    };
  }
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
