// Ladder 12 (upstream 12-performance, non-keyed): warm up with inc 0, then `messages` events of
// inc 1; the count must equal `messages`. Throughput is measured in bench/, not here.
import { expectEqual } from '../../../scripts/ladder-kit.ts';
import type { LadderDriver } from '../../../scripts/ladder-kit.ts';

const MESSAGES = 100;

export const driver: LadderDriver = {
  slug: '12-performance',
  world: 'worlds/ladder/12-performance',
  run(world) {
    world.send('demo/PerfEvent@1', { cell: '', inc: 0 });
    for (let seq = 0; seq < MESSAGES; seq += 1) {
      world.send('demo/PerfEvent@1', { cell: '', inc: 1 });
      if (seq === MESSAGES / 2) world.snapshot();
    }
    expectEqual(world.state('demo/PerfCounter@1'), { count: MESSAGES }, 'count');
  },
};
