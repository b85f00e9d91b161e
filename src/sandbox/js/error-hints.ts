// Turns an exception that left QuickJS into a StepFailure with a message for people:
// limits become over_limit, a ModuleFailure becomes failed, anything else trapped, and a
// reference to a host global gets a hint about what modules do instead.
import { FAILURE_MESSAGE_CHARS_MAX } from '../limits.ts';
import type { StepFailure } from '../step-result.ts';
import { MODULE_FAILURE_NAME } from './protocol.ts';

/** The parts of a thrown value the host reads (as strings, never as objects). */
export interface ThrownValue {
  readonly name: string;
  readonly message: string;
  readonly code: string | undefined;
}

const HOST_GLOBAL_HINTS: Readonly<Record<string, string>> = {
  process: 'modules have no process or environment; pass configuration in events or state',
  WebAssembly: 'modules cannot compile code at run time; build a wasm module instead',
  globalThis: 'the global object of a module is its own, frozen after init',
  Buffer: 'use Uint8Array',
  TextEncoder: 'the SDK encodes text as CBOR for you',
  TextDecoder: 'the SDK decodes text from CBOR for you',
};

/** The failure for a value thrown out of a module call. */
export function failureFromThrown(thrown: ThrownValue, interrupted: boolean, fuelTicks: number): StepFailure {
  if (interrupted) {
    return { kind: 'over_limit', limit: 'fuel', message: `the step used more than its instruction budget of ${fuelTicks} ticks (an endless or very long loop?)` };
  }
  if (thrown.name === 'InternalError' && thrown.message === 'out of memory') {
    return { kind: 'over_limit', limit: 'memory', message: 'the module ran out of its memory limit' };
  }
  if ((thrown.name === 'InternalError' || thrown.name === 'RangeError') && /stack overflow|call stack size/i.test(thrown.message)) {
    return { kind: 'over_limit', limit: 'stack', message: 'the module exceeded its stack limit (recursion too deep?)' };
  }
  if (thrown.name === MODULE_FAILURE_NAME && thrown.code !== undefined) {
    return { kind: 'failed', code: clip(thrown.code), message: clip(thrown.message) };
  }
  return { kind: 'trapped', message: clip(withHint(`${thrown.name}: ${thrown.message}`)) };
}

function withHint(message: string): string {
  const missing = /'?(\w+)'? is not defined/.exec(message);
  const hint = missing?.[1] === undefined ? undefined : HOST_GLOBAL_HINTS[missing[1]];
  return hint === undefined ? message : `${message}: ${hint}`;
}

function clip(text: string): string {
  return text.length > FAILURE_MESSAGE_CHARS_MAX ? `${text.slice(0, FAILURE_MESSAGE_CHARS_MAX)}…` : text;
}
