// b1-pipe: the same 5,000 events submitted without waiting; the host groups queued inputs and
// acknowledges each once its group's records are durable (group commit). As b2 and agent do,
// a first world takes the same 5,000 events to warm the JIT and the sandbox (a fresh process
// runs its first thousands of steps in V8's baseline tiers, the QuickJS wasm in Liftoff code);
// its figure is printed as cold_events_per_s. The figure of record is a second, fresh world's.
import type { BenchResult } from './report.ts';
import { freshWorld, perfEvent, rssMb, secondsSince } from './world-kit.ts';

const EVENTS = 5_000;
const GROUP_EVENTS = 250;

/** Sends the events to a fresh counter world in groups; returns events per second. */
async function pipeOnce(): Promise<number> {
  const { world, cleanup } = await freshWorld('12-performance');
  try {
    world.send(perfEvent('', 0));
    const start = process.hrtime.bigint();
    let acked = 0;
    for (let seq = 0; seq < EVENTS; seq += GROUP_EVENTS) {
      const group = Array.from({ length: Math.min(GROUP_EVENTS, EVENTS - seq) }, () => perfEvent(''));
      acked += world.sendBatch(group).filter((result) => 'records' in result).length;
    }
    const seconds = secondsSince(start);
    if (acked !== EVENTS) throw new Error(`only ${acked} of ${EVENTS} events were acknowledged`);
    return Math.round(EVENTS / seconds);
  } finally {
    world.close();
    cleanup();
  }
}

export async function run(): Promise<BenchResult> {
  const cold = await pipeOnce();
  const warm = await pipeOnce();
  return {
    name: 'b1-pipe',
    metrics: { events_per_s: warm, cold_events_per_s: cold, rss_mb: rssMb() },
    params: { events: EVENTS, group_events: GROUP_EVENTS, warmup: 'the same 5,000 events into a first world (cold_events_per_s)', durability: 'sqlite WAL, one transaction per group, fdatasync before it is acknowledged' },
  };
}
