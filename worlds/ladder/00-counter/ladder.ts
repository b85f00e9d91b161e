// Ladder 00 (upstream smoke fixture 00-counter): Start{3}, three Ticks, one more no-op cycle;
// upstream only checks replay, we also assert the final state.
import { expectEqual } from '../../../scripts/ladder-kit.ts';
import type { LadderDriver } from '../../../scripts/ladder-kit.ts';

export const driver: LadderDriver = {
  slug: '00-counter',
  world: 'worlds/ladder/00-counter',
  run(world) {
    world.send('demo/CounterEvent@1', { Start: { target: 3 } });
    expectEqual(world.state('demo/CounterSM@1'), { pc: 'Counting', remaining: 3 }, 'after Start{3}');
    world.send('demo/CounterEvent@1', 'Tick');
    world.snapshot();
    world.send('demo/CounterEvent@1', 'Tick');
    world.send('demo/CounterEvent@1', 'Tick');
    expectEqual(world.state('demo/CounterSM@1'), { pc: 'Done', remaining: 0 }, 'after three Ticks');
    world.send('demo/CounterEvent@1', 'Tick');
    expectEqual(world.state('demo/CounterSM@1'), { pc: 'Done', remaining: 0 }, 'a Tick when Done is a no-op');
    world.send('demo/CounterEvent@1', { Start: { target: 0 } });
    expectEqual(world.state('demo/CounterSM@1'), { pc: 'Done', remaining: 0 }, 'Start{0} goes straight to Done');
  },
};
