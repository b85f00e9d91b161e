// Registers a module's entry for the js runtime (see src/sandbox/js/protocol.ts) and
// scopes the seeded Math.random to one call.
import { ENTRY_GLOBAL, ENTRY_PROTOCOL, RANDOM_GLOBAL } from '../sandbox/js/protocol.ts';
import type { ModuleEntry, RandomHook } from '../sandbox/js/protocol.ts';
import { SdkError } from './errors.ts';
import { Tagged } from './values.ts';

type Globals = Record<string, unknown>;
type EntryCall<Kind extends ModuleEntry['kind']> = Extract<ModuleEntry, { kind: Kind }>['call'];

/** Sets the bundle's one entry; a second definition in the same bundle is a mistake. */
export function registerEntry<Kind extends ModuleEntry['kind']>(kind: Kind, call: EntryCall<Kind>): void {
  const globals = globalThis as unknown as Globals;
  if (globals[ENTRY_GLOBAL] !== undefined) {
    throw new SdkError('BAD_RESULT', 'a module defines exactly one workflow or pure function; this bundle defines a second');
  }
  const entry = Object.freeze({ kind, protocol: ENTRY_PROTOCOL, Tagged, call }) as ModuleEntry;
  Object.defineProperty(globals, ENTRY_GLOBAL, { value: entry, enumerable: false });
}

/** Runs `body` with Math.random seeded from `entropy` (when the runtime offers it), then unseeds it. */
export function withSeededRandom<Result>(entropy: Uint8Array | null, body: () => Result): Result {
  const hook = (globalThis as unknown as Globals)[RANDOM_GLOBAL] as RandomHook | undefined;
  if (hook === undefined || entropy === null) return body();
  hook.seed(entropy);
  try {
    return body();
  } finally {
    hook.clear();
  }
}

/** Refuses a Promise where a synchronous result is required. */
export function checkSynchronous(result: unknown, what: string): void {
  if (typeof result === 'object' && result !== null && typeof (result as { then?: unknown }).then === 'function') {
    throw new SdkError('BAD_RESULT', `${what} returned a Promise; steps are synchronous: emit an effect and handle its receipt instead of awaiting`);
  }
}
