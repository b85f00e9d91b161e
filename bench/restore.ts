// restore: the b1 world (5,000 events, then a snapshot) opened in a fresh plain-Node process that
// loads our code and reads the counter: time from Node being up (the probe script starting,
// before any of our code is loaded) and from process start to the value, and the whole
// `aos world state` command.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { bundleBench } from './bundle.ts';
import { REPO_ROOT } from './paths.ts';
import type { BenchResult } from './report.ts';
import { freshWorld, median, perfEvent } from './world-kit.ts';

const EVENTS = 5_000;
const RUNS = 5;
const ROOT = REPO_ROOT;

export async function run(): Promise<BenchResult> {
  const { dir, world, cleanup } = await freshWorld('12-performance');
  try {
    for (let seq = 0; seq < EVENTS; seq += 250) world.sendBatch(Array.from({ length: 250 }, () => perfEvent('')));
    world.snapshot();
    world.close();
    const probeFile = await bundleBench('restore-probe', { file: 'restore-probe.ts' }, { split: true });
    const fromScript: number[] = [];
    const fromProcess: number[] = [];
    const command: number[] = [];
    for (let run = 0; run < RUNS; run += 1) {
      const probe = spawnSync(process.execPath, [probeFile, dir], { encoding: 'utf8' });
      if (probe.status !== 0 || !probe.stdout.includes(`"count":${EVENTS}`)) throw new Error(`restore probe failed: ${probe.stderr}${probe.stdout}`);
      fromScript.push(Number(/script_ms=(\S+)/.exec(probe.stdout)?.[1]));
      fromProcess.push(Number(/process_ms=(\S+)/.exec(probe.stdout)?.[1]));
      const started = process.hrtime.bigint();
      const cli = spawnSync(process.execPath, [join(ROOT, 'bin/aos.js'), 'world', 'state', '--root', dir, 'demo/PerfCounter@1', '--json'], { encoding: 'utf8' });
      command.push(Number(process.hrtime.bigint() - started) / 1e6);
      if (cli.status !== 0 || !cli.stdout.includes(`"count": ${EVENTS}`)) throw new Error(`aos world state failed: ${cli.stderr}${cli.stdout}`);
    }
    return {
      name: 'restore',
      metrics: {
        open_and_read_ms_after_node_start_median: medianMs(fromScript), open_and_read_ms_after_process_start_median: medianMs(fromProcess),
        world_state_command_ms_median: medianMs(command),
      },
      params: {
        events: EVENTS, runs: RUNS,
        note: 'after_node_start: from the first line of a probe bundled with code splitting (Node booted; our code is loaded, parsed and run inside the window) to the counter value, opening read-only from the snapshot; after_process_start: the same from process start (performance.now())',
      },
    };
  } finally {
    cleanup();
  }
}

function medianMs(values: number[]): number {
  return Math.round(median(values) * 10) / 10;
}
