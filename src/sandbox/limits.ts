import { assert } from '../cbor/index.ts';

// Per-step limits of module runtimes. Defaults apply unless a module def overrides them
// within the hard maxima. Figures measured on this machine with QuickJS 0.32 release-sync.

/**
 * Default instruction budget: QuickJS interrupt ticks per step. One tick is one call of the
 * interrupt handler, every 10,000 polls (function calls and backward jumps), about 0.8 ms of
 * a tight loop here. Counting ticks, not time, makes the budget deterministic.
 */
export const STEP_FUEL_TICKS_DEFAULT = 100;
/**
 * Bytes the host's natives (sha256, the UTF-8 codec: protocol.ts) handle per tick of fuel: a
 * tick is ~0.8 ms of module work, and the host does ~400 MB/s of either here, so a module cannot
 * outrun its budget through them.
 */
export const NATIVE_BYTES_PER_TICK = 256 * 1024;
/** Bytes each call of a host native is charged on top of its input: the crossing costs ~10 µs. */
export const NATIVE_CALL_BYTES_CHARGED = 4 * 1024;
/** Hard maximum of the instruction budget a module def may ask for (about 0.8 s of loop). */
export const STEP_FUEL_TICKS_MAX = 1_000;
/** Default heap of one module's QuickJS runtime. */
export const MODULE_MEMORY_BYTES_DEFAULT = 64 * 1024 * 1024;
/** Hard maximum heap a module def may ask for. */
export const MODULE_MEMORY_BYTES_MAX = 256 * 1024 * 1024;
/**
 * Default QuickJS stack: about 1,300 frames of simple recursion. QuickJS must hit its own
 * limit before V8's native stack under it does (that happens near 512 KiB on the main thread).
 */
export const MODULE_STACK_BYTES_DEFAULT = 256 * 1024;
/** Hard maximum QuickJS stack; kept under the ~512 KiB where V8's own stack overflows first. */
export const MODULE_STACK_BYTES_MAX = 320 * 1024;
/** Most effects one step may emit (DESIGN §5). */
export const STEP_EFFECTS_MAX = 64;
/** Most domain events one step may emit (DESIGN §5). */
export const STEP_EVENTS_MAX = 256;
/** Largest output envelope of one step or pure call (DESIGN §5). */
export const STEP_OUTPUT_BYTES_MAX = 1024 * 1024;
/** Largest input envelope the runtime passes into a module. */
export const STEP_INPUT_BYTES_MAX = 16 * 1024 * 1024;
/** Largest module artifact (JS bundle or wasm binary) the runtimes load. */
export const MODULE_ARTIFACT_BYTES_MAX = 32 * 1024 * 1024;
/** Wasm pages (64 KiB each) a raw wasm module may use: its declared maximum is capped to this. */
export const WASM_MEMORY_PAGES_MAX = 1_024;
/** Wall-clock backstop of one step in a worker; over it, the worker is terminated. */
export const STEP_DEADLINE_MS = 2_000;
/** Characters of a failure message kept from a module (a module controls its messages). */
export const FAILURE_MESSAGE_CHARS_MAX = 2_000;
/** V8 stack of a sandbox worker thread, with room above the QuickJS stack maximum. */
export const WORKER_STACK_MB = 8;

assert(STEP_FUEL_TICKS_DEFAULT <= STEP_FUEL_TICKS_MAX, 'default fuel is within its maximum');
assert(MODULE_MEMORY_BYTES_DEFAULT <= MODULE_MEMORY_BYTES_MAX, 'default memory is within its maximum');
assert(MODULE_STACK_BYTES_DEFAULT <= MODULE_STACK_BYTES_MAX, 'default stack is within its maximum');
assert(STEP_OUTPUT_BYTES_MAX < MODULE_MEMORY_BYTES_DEFAULT, 'a module can build its largest output');
assert(WASM_MEMORY_PAGES_MAX * 65_536 <= MODULE_MEMORY_BYTES_MAX, 'wasm memory is within the module memory maximum');
