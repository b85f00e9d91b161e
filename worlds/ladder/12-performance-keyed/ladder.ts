// Ladder 12 keyed (upstream 12-performance, keyed): events route by `cell` to one instance per
// key; each cell's count equals the events sent to it, cell-0 exists, the counts sum to `messages`.
import { expectEqual } from '../../../scripts/ladder-kit.ts';
import type { LadderDriver } from '../../../scripts/ladder-kit.ts';

const MESSAGES = 100;
const CELLS = 10;

export const driver: LadderDriver = {
  slug: '12-performance-keyed',
  world: 'worlds/ladder/12-performance-keyed',
  run(world) {
    world.send('demo/PerfEvent@1', { cell: 'cell-0', inc: 0 });
    for (let seq = 0; seq < MESSAGES; seq += 1) {
      world.send('demo/PerfEvent@1', { cell: `cell-${seq % CELLS}`, inc: 1 });
      if (seq === MESSAGES / 2) world.snapshot();
    }
    const cells = world.cells('demo/PerfCounter@1');
    expectEqual(cells.length, CELLS, 'number of cells');
    let total = 0;
    for (const cell of cells) {
      const match = /^cell-(\d+)$/.exec(String(cell.key));
      if (match === null || Number(match[1]) >= CELLS) throw new Error(`unexpected cell key ${String(cell.key)}`);
      expectEqual(cell.state, { count: MESSAGES / CELLS }, `count of ${String(cell.key)}`);
      total += MESSAGES / CELLS;
    }
    expectEqual(total, MESSAGES, 'sum of counts');
    expectEqual(world.state('demo/PerfCounter@1', 'cell-0'), { count: MESSAGES / CELLS }, 'cell-0 exists');
  },
};
