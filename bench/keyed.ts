// keyed: 100,000 events over 10,000 cells of the keyed perf world, durable (group commit).
import type { BenchResult } from './report.ts';
import { freshWorld, perfEvent, rssMb, secondsSince } from './world-kit.ts';

const EVENTS = 100_000;
const CELLS = 10_000;
const GROUP_EVENTS = 500;

export async function run(): Promise<BenchResult> {
  const { world, cleanup } = await freshWorld('12-performance-keyed');
  try {
    let rssPeak = rssMb();
    const start = process.hrtime.bigint();
    for (let seq = 0; seq < EVENTS; seq += GROUP_EVENTS) {
      world.sendBatch(Array.from({ length: GROUP_EVENTS }, (_, index) => perfEvent(`cell-${(seq + index) % CELLS}`)));
      rssPeak = Math.max(rssPeak, rssMb());
    }
    const seconds = secondsSince(start);
    const cells = world.cells('demo/PerfCounter@1').length;
    if (cells !== CELLS) throw new Error(`expected ${CELLS} cells, found ${cells}`);
    return {
      name: 'keyed',
      metrics: { events_per_s: Math.round(EVENTS / seconds), rss_peak_mb: rssPeak, cells },
      params: { events: EVENTS, cells: CELLS, group_events: GROUP_EVENTS },
    };
  } finally {
    world.close();
    cleanup();
  }
}
