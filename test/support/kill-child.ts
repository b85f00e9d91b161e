// Runs a child process that prints `ack <n>` after each acknowledged write, SIGKILLs it after a
// given number of acknowledgements (so the kill lands somewhere in a later write), and returns
// every number it acknowledged. Shared by the store, world and chain crash tests.
import { spawn } from 'node:child_process';

export function runChildUntilKilled(script: string, args: readonly string[], acksBeforeKill: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const acknowledged: number[] = [];
    let pending = '';
    let errors = '';
    child.stderr.on('data', (chunk: Buffer) => { errors += chunk.toString(); });
    child.stdout.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) acknowledged.push(Number(line.replace(/^ack /, '')));
      if (acknowledged.length >= acksBeforeKill) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(acknowledged);
      else reject(new Error(`crash child exited with code ${code} before it was killed: ${errors}`));
    });
  });
}

/** A seeded source of fractions in [0, 1), for where a crash test kills its children. */
export function seededFraction(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return state / 2 ** 32;
  };
}
