// Tests use the node's virtual clock: timers fire in logical time, with no real waiting.
export { VirtualClock } from '../../src/node/index.ts';
