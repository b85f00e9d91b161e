export { loadAir, storeAir } from './air-in-cas.ts';
export { EMBEDDED_WORLD_ID, EmbeddedWorld, SystemClock } from './embedded-world.ts';
export { NodeError } from './errors.ts';
export type { NodeErrorCode } from './errors.ts';
export { CasModules } from './module-runtimes.ts';
export { WorldWorker } from './world-worker.ts';
export type { WorldWorkerOptions } from './world-worker.ts';
export type { SentInput } from './world-thread-messages.ts';
export * from './limits.ts';
