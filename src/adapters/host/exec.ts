// host.exec: run argv (no shell) in a confined cwd with an allowlisted environment.
//
// - The child leads its own process group (detached), so a timeout, an abort of the intent or
//   a session signal reaches the whole group, grandchildren included (signalGroup).
// - Its environment holds only: the node's variables named in the adapter's envPassthrough
//   (e.g. PATH), then the session target's env, then the params' env_patch. The kernel's
//   sys/CapEnforceHost@1 checked those keys against the grant's env_allow.
// - stdout and stderr are kept up to HOST_EXEC_OUTPUT_BYTES_MAX each (the rest is drained and
//   dropped, and the receipt says so); an output over 16 KiB goes to the CAS.
// - It runs in the exec sandbox (exec-sandbox.ts): read-only system, writable work dir, private
//   /tmp, the node's secrets hidden, no network for a "none" session. The sandbox dies with its
//   process group, so the kill reaches everything the command started.
// - A run that finishes is an ok receipt whatever its exit code (the code is the answer); one
//   that runs out of time is a timeout receipt with exit_code -1.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { assert, isHash } from '../../cbor/index.ts';
import type { CborObject, Hash } from '../../cbor/index.ts';
import type { AdapterContext } from '../adapter.ts';
import { AdapterError } from '../errors.ts';
import { HOST_EXEC_OUTPUT_BYTES_MAX, HOST_EXEC_TIMEOUT_NS_DEFAULT, HOST_EXEC_TIMEOUT_NS_MAX } from '../limits.ts';
import { confinePath } from './confine.ts';
import { hostOutput, outputMode } from './host-output.ts';
import { optionalNat, optionalText, textMap } from './host-params.ts';
import type { ExecSandbox } from './exec-sandbox.ts';
import type { HostSession } from './sessions.ts';

/** An exec's result before it becomes a receipt. */
interface ExecRun {
  readonly exitCode: number;
  readonly timedOut: boolean;
  readonly stdout: Uint8Array;
  readonly stderr: Uint8Array;
  readonly dropped: { readonly stdout: number; readonly stderr: number };
}

/** A stream's bytes, kept up to a cap. */
class CappedBuffer {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  dropped = 0;
  add(chunk: Buffer): void {
    const room = HOST_EXEC_OUTPUT_BYTES_MAX - this.kept;
    if (room <= 0) { this.dropped += chunk.byteLength; return; }
    const part = chunk.byteLength <= room ? chunk : chunk.subarray(0, room);
    this.chunks.push(part);
    this.kept += part.byteLength;
    this.dropped += chunk.byteLength - part.byteLength;
  }
  bytes(): Uint8Array {
    return new Uint8Array(Buffer.concat(this.chunks));
  }
}

/**
 * Sends `signal` to a command's process group (it leads one: spawned detached). SIGKILL goes to
 * the whole group, sandbox included, whose PID namespace dies with it. Any other signal skips
 * the group's leader, the sandbox's outer process: it would die of it and take the command down
 * before the command could act on the signal (the namespace's init ignores it: it has no handler).
 */
export function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  const members = signal === 'SIGKILL' ? [-child.pid] : groupMembers(child.pid).filter((pid) => pid !== child.pid);
  for (const pid of members) {
    try {
      process.kill(pid, signal);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error; // ESRCH: already gone
    }
  }
}

/** The pids of process group `group`, from /proc (field 5 of /proc/<pid>/stat, after the command name). */
function groupMembers(group: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // it ended while we looked
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === group) members.push(Number(entry));
  }
  return members;
}

function stdinBytes(ref: Hash | null, context: AdapterContext): Uint8Array | null {
  if (ref === null) return null;
  try {
    return context.blobs.get(ref);
  } catch (error) {
    throw new AdapterError('HOST_NOT_FOUND', `stdin blob ${ref} could not be read from the CAS (${error instanceof Error ? error.message : String(error)}); put it with blob.put first`);
  }
}

/** The child's environment: passthrough of the node's allowed variables, then the session's env, then env_patch. */
export function childEnv(passthrough: readonly string[], session: HostSession, patch: Readonly<Record<string, string>>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of passthrough) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return Object.assign(env, session.env, patch);
}

function run(argv: readonly string[], cwd: string, env: Record<string, string>, stdin: Uint8Array | null, timeoutMs: number, session: HostSession, signal: AbortSignal): Promise<ExecRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd, env, detached: true, stdio: [stdin === null ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    const stdout = new CappedBuffer();
    const stderr = new CappedBuffer();
    let timedOut = false;
    const stop = (): void => { timedOut = true; signalGroup(child, 'SIGKILL'); };
    const timer = setTimeout(stop, timeoutMs);
    signal.addEventListener('abort', stop, { once: true });
    session.running.add(child);
    const finish = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', stop);
      session.running.delete(child);
    };
    child.stdout!.on('data', (chunk: Buffer) => stdout.add(chunk));
    child.stderr!.on('data', (chunk: Buffer) => stderr.add(chunk));
    if (stdin !== null) {
      child.stdin!.on('error', () => { /* the child may exit without reading its input: not our failure */ });
      child.stdin!.end(stdin);
    }
    child.on('error', (error) => {
      finish();
      reject(new AdapterError('HOST_SPAWN_FAILED', `could not start ${JSON.stringify(argv[0])}: ${error.message}`));
    });
    child.on('close', (code) => {
      finish();
      // The leader is gone; make sure nothing it left behind in its group outlives a timeout.
      if (timedOut) signalGroup(child, 'SIGKILL');
      // A child killed by a signal has no exit code; -1 says so (the schema's exit_code is an int).
      const exitCode = code ?? -1;
      resolve({ exitCode: timedOut ? -1 : exitCode, timedOut, stdout: stdout.bytes(), stderr: stderr.bytes(), dropped: { stdout: stdout.dropped, stderr: stderr.dropped } });
    });
    if (signal.aborted) stop();
  });
}

/** A command that never started (the sandbox could not be set up, or could not execute it) is refused, not reported as its exit. */
function refuseUnstarted(program: string, result: ExecRun, sandbox: ExecSandbox): void {
  if (result.timedOut) return;
  const failure = sandbox.failure(program, result.exitCode, new TextDecoder().decode(result.stderr));
  if (failure !== null) throw failure;
}

/** host.exec; returns the receipt payload and whether the run timed out. */
export async function execEffect(session: HostSession, params: CborObject, context: AdapterContext, passthrough: readonly string[], sandbox: ExecSandbox): Promise<{ payload: CborObject; timedOut: boolean }> {
  const argv = params['argv'];
  assert(Array.isArray(argv) && argv.every((arg) => typeof arg === 'string'), 'checked argv is a list of text');
  if (argv.length === 0 || argv[0] === '') throw new AdapterError('HOST_INVALID_PARAMS', 'argv is empty; give the program and its arguments, e.g. ["ls", "-la"]');
  const cwd = await confinePath(session.workdir, optionalText(params, 'cwd') ?? '.', 'cwd');
  if (!cwd.exists || !(await stat(cwd.absolute)).isDirectory()) throw new AdapterError('HOST_NOT_A_DIRECTORY', `cwd ${cwd.relative} is not a directory of the session's work dir`);
  const mode = outputMode(optionalText(params, 'output_mode'));
  const asked = optionalNat(params, 'timeout_ns') ?? HOST_EXEC_TIMEOUT_NS_DEFAULT;
  if (asked === 0n || asked > HOST_EXEC_TIMEOUT_NS_MAX) throw new AdapterError('HOST_INVALID_PARAMS', `timeout_ns ${asked} is not between 1 and ${HOST_EXEC_TIMEOUT_NS_MAX} (HOST_EXEC_TIMEOUT_NS_MAX)`);
  const stdinRef = params['stdin_ref'];
  const stdin = stdinBytes(stdinRef === null || stdinRef === undefined ? null : (assert(isHash(stdinRef), 'a checked stdin_ref is a hash'), stdinRef), context);
  const env = childEnv(passthrough, session, textMap(params, 'env_patch'));
  const confined = sandbox.command(argv as string[], { workdir: session.workdir, cwd: cwd.absolute, network: session.network });
  const startedAtNs = context.now();
  const result = await run(confined, cwd.absolute, env, stdin, Math.max(1, Math.ceil(Number(asked) / 1_000_000)), session, context.signal);
  refuseUnstarted(argv[0]!, result, sandbox);
  const notes: string[] = [];
  if (result.timedOut) notes.push(`the command ran past its ${asked} ns deadline (or was cancelled); its process group was killed`);
  if (result.dropped.stdout > 0) notes.push(`stdout passed ${HOST_EXEC_OUTPUT_BYTES_MAX} bytes; ${result.dropped.stdout} bytes were dropped`);
  if (result.dropped.stderr > 0) notes.push(`stderr passed ${HOST_EXEC_OUTPUT_BYTES_MAX} bytes; ${result.dropped.stderr} bytes were dropped`);
  // The command has run: an output too large for output_mode "inline" still comes back (as a
  // blob) rather than being lost behind an error.
  const payload: CborObject = {
    exit_code: result.exitCode,
    status: result.timedOut ? 'timeout' : 'ok',
    stdout: hostOutput(result.stdout, mode === 'inline' ? 'auto' : mode, context.blobs, 'stdout'),
    stderr: hostOutput(result.stderr, mode === 'inline' ? 'auto' : mode, context.blobs, 'stderr'),
    started_at_ns: startedAtNs,
    ended_at_ns: context.now(),
    error_code: result.timedOut ? 'timeout' : null,
    error_message: notes.length === 0 ? null : notes.join('; '),
  };
  return { payload, timedOut: result.timedOut };
}
