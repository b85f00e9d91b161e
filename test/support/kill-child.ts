// Runs a child process that prints `ack <n>` after each acknowledged write, SIGKILLs it after a
// given number of acknowledgements (so the kill lands somewhere in a later write), and returns
// every number it acknowledged. Shared by the store and world crash tests.
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
