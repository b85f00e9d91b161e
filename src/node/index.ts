export { loadAir, storeAir } from './air-in-cas.ts';
export { EMBEDDED_WORLD_ID, EmbeddedWorld, SystemClock } from './embedded-world.ts';
export { NodeError } from './errors.ts';
export type { NodeErrorCode } from './errors.ts';
export { CasModules } from './module-runtimes.ts';
