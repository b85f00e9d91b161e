// The host.* adapter (sessions, exec, confined file operations) and its parts other layers use.
export { HOST_ADAPTER_ID_DEFAULT, HOST_EFFECTS, HostAdapter } from './host-adapter.ts';
export type { HostAdapterOptions } from './host-adapter.ts';
export { confinePath } from './confine.ts';
export type { ConfinedPath } from './confine.ts';
export { parsePatch } from './patch-parse.ts';
export type { PatchChunk, PatchOp } from './patch-parse.ts';
