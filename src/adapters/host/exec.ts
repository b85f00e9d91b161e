// host.exec: run argv (no shell) in a confined cwd with an allowlisted environment.
//
// - The child leads its own process group (detached), so a timeout, an abort of the intent or
//   a session signal kills the whole group (process.kill(-pid)), grandchildren included.
// - Its environment holds only: the node's variables named in the adapter's envPassthrough
//   (e.g. PATH), then the session target's env, then the params' env_patch. The kernel's
//   sys/CapEnforceHost@1 checked those keys against the grant's env_allow.
// - stdout and stderr are kept up to HOST_EXEC_OUTPUT_BYTES_MAX each (the rest is drained and
//   dropped, and the receipt says so); an output over 16 KiB goes to the CAS.
// - A session of network_mode "none" runs it in a network namespace without network
//   (network-isolation.ts); the process group and its kill work as without.
// - A run that finishes is an ok receipt whatever its exit code (the code is the answer); one
//   that runs out of time is a timeout receipt with exit_code -1.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { assert, isHash } from '../../cbor/index.ts';
import type { CborObject, Hash } from '../../cbor/index.ts';
import type { AdapterContext } from '../adapter.ts';
import { AdapterError } from '../errors.ts';
import { HOST_EXEC_OUTPUT_BYTES_MAX, HOST_EXEC_TIMEOUT_NS_DEFAULT, HOST_EXEC_TIMEOUT_NS_MAX } from '../limits.ts';
import { confinePath } from './confine.ts';
import { hostOutput, outputMode } from './host-output.ts';
import { optionalNat, optionalText, textMap } from './host-params.ts';
import { ISOLATED_EXEC_FAILED_CODES, ISOLATED_EXEC_FAILED_PREFIX } from './network-isolation.ts';
import type { NetworkIsolation } from './network-isolation.ts';
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

/** Kills a child's whole process group (it leads one: spawned detached). */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error; // ESRCH: the group is already gone
  }
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
    const stop = (): void => { timedOut = true; killGroup(child, 'SIGKILL'); };
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
      if (timedOut) killGroup(child, 'SIGKILL');
      // A child killed by a signal has no exit code; -1 says so (the schema's exit_code is an int).
      const exitCode = code ?? -1;
      resolve({ exitCode: timedOut ? -1 : exitCode, timedOut, stdout: stdout.bytes(), stderr: stderr.bytes(), dropped: { stdout: stdout.dropped, stderr: stderr.dropped } });
    });
    if (signal.aborted) stop();
  });
}

/** An isolated command that never started (unshare could not execute it) is refused as an unisolated one is. */
function refuseUnstarted(program: string, result: ExecRun): void {
  if (result.timedOut || !ISOLATED_EXEC_FAILED_CODES.has(result.exitCode)) return;
  const said = new TextDecoder().decode(result.stderr).trim();
  if (!said.startsWith(ISOLATED_EXEC_FAILED_PREFIX)) return;
  throw new AdapterError('HOST_SPAWN_FAILED', `could not start ${JSON.stringify(program)}: ${said.slice(said.lastIndexOf(':') + 1).trim()}`);
}

/** host.exec; returns the receipt payload and whether the run timed out. */
export async function execEffect(session: HostSession, params: CborObject, context: AdapterContext, passthrough: readonly string[], isolation: NetworkIsolation): Promise<{ payload: CborObject; timedOut: boolean }> {
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
  const startedAtNs = context.now();
  const isolated = session.network === 'none';
  const result = await run(isolated ? isolation.isolate(argv as string[]) : (argv as string[]), cwd.absolute, env, stdin, Math.max(1, Math.ceil(Number(asked) / 1_000_000)), session, context.signal);
  if (isolated) refuseUnstarted(argv[0]!, result);
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
