// replay: open a world of 20,000 journaled events from genesis (ignoring its snapshots),
// re-executing every input and checking every record's bytes (replay or die).
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { EmbeddedWorld } from '../src/node/index.ts';
import type { BenchResult } from './report.ts';
import { freshWorld, perfEvent, secondsSince } from './world-kit.ts';

const EVENTS = 20_000;
const GROUP_EVENTS = 500;

export async function run(): Promise<BenchResult> {
  const { dir, world, cleanup } = await freshWorld('12-performance');
  try {
    for (let seq = 0; seq < EVENTS; seq += GROUP_EVENTS) world.sendBatch(Array.from({ length: GROUP_EVENTS }, () => perfEvent('')));
    const head = world.head;
    world.close();
    const start = process.hrtime.bigint();
    const reopened = await EmbeddedWorld.open(dir, { fromGenesis: true });
    const seconds = secondsSince(start);
    if (reopened.head.hash !== head.hash) throw new Error('replay ended at a different head');
    reopened.close();
    return { name: 'replay', metrics: { events_per_s: Math.round(EVENTS / seconds), seconds: Math.round(seconds * 1000) / 1000 }, params: { events: EVENTS, from: 'genesis' } };
  } finally {
    rmSync(join(dir, '.aos'), { recursive: true, force: true });
    cleanup();
  }
}
