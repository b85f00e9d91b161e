// The contract between a JS bundle and the js runtime. The SDK (bundled into modules)
// imports this file directly, not through src/sandbox/index.ts, because it must stay
// sandbox-safe: constants and types only, no imports.

/** Global a bundle sets during init to `{kind, call}`; the runtime reads it, then freezes globals. */
export const ENTRY_GLOBAL = '__aos_entry';
/** Global the prelude sets to `{seed(bytes), clear()}`: the only way to make Math.random usable. */
export const RANDOM_GLOBAL = '__aos_random';
/** Name of the error a deliberate failure throws; the runtime also reads its `code`. */
export const MODULE_FAILURE_NAME = 'ModuleFailure';

/** What a bundle registers: one function from input envelope bytes to output envelope bytes. */
export interface ModuleEntry {
  readonly kind: 'workflow' | 'pure';
  call(input: ArrayBuffer): ArrayBuffer;
}

/** The prelude's hook for a seeded Math.random, scoped to one step. */
export interface RandomHook {
  seed(entropy: Uint8Array): void;
  clear(): void;
}
