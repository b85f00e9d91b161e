// b1-seq: the counter world, 5,000 events sent one at a time, each acknowledged only once durable
// (one fsync'd SQLite transaction per event).
import type { BenchResult } from './report.ts';
import { freshWorld, perfEvent, rssMb, secondsSince } from './world-kit.ts';

const EVENTS = 5_000;

export async function run(): Promise<BenchResult> {
  const { world, cleanup } = await freshWorld('12-performance');
  try {
    world.send(perfEvent('', 0));
    let rssPeak = rssMb();
    const latencies: number[] = [];
    const start = process.hrtime.bigint();
    for (let seq = 0; seq < EVENTS; seq += 1) {
      const sent = process.hrtime.bigint();
      world.send(perfEvent(''));
      latencies.push(Number(process.hrtime.bigint() - sent) / 1e6);
      if (seq % 500 === 0) rssPeak = Math.max(rssPeak, rssMb());
    }
    const seconds = secondsSince(start);
    latencies.sort((a, b) => a - b);
    return {
      name: 'b1-seq',
      metrics: {
        events_per_s: Math.round(EVENTS / seconds), p50_ms: round(latencies[Math.floor(EVENTS * 0.5)] ?? 0), p99_ms: round(latencies[Math.floor(EVENTS * 0.99)] ?? 0),
        rss_mb: Math.max(rssPeak, rssMb()),
      },
      params: { events: EVENTS, durability: 'sqlite WAL, one transaction per event, fdatasync before it is acknowledged', world: 'worlds/ladder/12-performance' },
    };
  } finally {
    world.close();
    cleanup();
  }
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
