// b1-pipe: the same 5,000 events submitted without waiting; the host groups queued inputs and
// acknowledges each once its group's records are durable (group commit).
import type { BenchResult } from './report.ts';
import { freshWorld, perfEvent, rssMb, secondsSince } from './world-kit.ts';

const EVENTS = 5_000;
const GROUP_EVENTS = 250;

export async function run(): Promise<BenchResult> {
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
    return {
      name: 'b1-pipe',
      metrics: { events_per_s: Math.round(EVENTS / seconds), rss_mb: rssMb() },
      params: { events: EVENTS, group_events: GROUP_EVENTS, durability: 'sqlite WAL, synchronous=FULL, one transaction per group' },
    };
  } finally {
    world.close();
    cleanup();
  }
}
