// restore: the b1 world (5,000 events, then a snapshot) opened in a fresh process that reads the
// counter: time from process start to the value, and the whole `aos world state` command.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { BenchResult } from './report.ts';
import { freshWorld, perfEvent } from './world-kit.ts';

const EVENTS = 5_000;
const RUNS = 5;
const ROOT = join(import.meta.dirname, '..');

export async function run(): Promise<BenchResult> {
  const { dir, world, cleanup } = await freshWorld('12-performance');
  try {
    for (let seq = 0; seq < EVENTS; seq += 250) world.sendBatch(Array.from({ length: 250 }, () => perfEvent('')));
    world.snapshot();
    world.close();
    const inProcess: number[] = [];
    const command: number[] = [];
    for (let run = 0; run < RUNS; run += 1) {
      const probe = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/restore-probe.ts'), dir], { encoding: 'utf8' });
      if (probe.status !== 0) throw new Error(probe.stderr);
      inProcess.push(Number(/open_ms=(\S+)/.exec(probe.stdout)?.[1]));
      const started = process.hrtime.bigint();
      const cli = spawnSync(process.execPath, [join(ROOT, 'bin/aos.js'), 'world', 'state', '--root', dir, 'demo/PerfCounter@1', '--json'], { encoding: 'utf8' });
      command.push(Number(process.hrtime.bigint() - started) / 1e6);
      if (cli.status !== 0 || !cli.stdout.includes(`"count": ${EVENTS}`)) throw new Error(`aos world state failed: ${cli.stderr}${cli.stdout}`);
    }
    inProcess.sort((a, b) => a - b);
    command.sort((a, b) => a - b);
    return {
      name: 'restore',
      metrics: { open_and_read_ms_median: round(inProcess[Math.floor(RUNS / 2)] ?? 0), world_state_command_ms_median: round(command[Math.floor(RUNS / 2)] ?? 0) },
      params: { events: EVENTS, runs: RUNS, note: 'open_and_read_ms: from the start of EmbeddedWorld.open (modules loaded, snapshot restored) to the counter value, in a fresh process' },
    };
  } finally {
    cleanup();
  }
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
