// Registers a module's entry for the js runtime (see src/sandbox/js/protocol.ts) and
// scopes the seeded Math.random to one call.
import { ENTRY_GLOBAL, RANDOM_GLOBAL } from '../sandbox/js/protocol.ts';
import type { ModuleEntry, RandomHook } from '../sandbox/js/protocol.ts';
import { SdkError } from './errors.ts';

type Globals = Record<string, unknown>;

/** Sets the bundle's one entry; a second definition in the same bundle is a mistake. */
export function registerEntry(kind: ModuleEntry['kind'], call: (input: Uint8Array) => Uint8Array): void {
  const globals = globalThis as unknown as Globals;
  if (globals[ENTRY_GLOBAL] !== undefined) {
    throw new SdkError('BAD_RESULT', 'a module defines exactly one workflow or pure function; this bundle defines a second');
  }
  const entry: ModuleEntry = {
    kind,
    call(input: ArrayBuffer): ArrayBuffer {
      const output = call(new Uint8Array(input));
      return output.byteOffset === 0 && output.byteLength === output.buffer.byteLength ? output.buffer as ArrayBuffer : output.slice().buffer;
    },
  };
  Object.defineProperty(globals, ENTRY_GLOBAL, { value: Object.freeze(entry), enumerable: false });
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
