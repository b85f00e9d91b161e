// The limits one module runs under: the defaults of limits.ts, overridden per module def
// within the hard maxima.
import { SandboxError } from './errors.ts';
import {
  MODULE_MEMORY_BYTES_DEFAULT, MODULE_MEMORY_BYTES_MAX, MODULE_STACK_BYTES_DEFAULT, MODULE_STACK_BYTES_MAX,
  STEP_EFFECTS_MAX, STEP_EVENTS_MAX, STEP_FUEL_TICKS_DEFAULT, STEP_FUEL_TICKS_MAX, STEP_OUTPUT_BYTES_MAX,
} from './limits.ts';

/** Limits of one module, all per step except memory (per module instance). */
export interface ModuleLimits {
  readonly fuelTicks: number;
  readonly memoryBytes: number;
  readonly stackBytes: number;
  readonly effectsMax: number;
  readonly eventsMax: number;
  readonly outputBytesMax: number;
}

const DEFAULTS: ModuleLimits = Object.freeze({
  fuelTicks: STEP_FUEL_TICKS_DEFAULT,
  memoryBytes: MODULE_MEMORY_BYTES_DEFAULT,
  stackBytes: MODULE_STACK_BYTES_DEFAULT,
  effectsMax: STEP_EFFECTS_MAX,
  eventsMax: STEP_EVENTS_MAX,
  outputBytesMax: STEP_OUTPUT_BYTES_MAX,
});

const MAXIMA: ModuleLimits = Object.freeze({
  fuelTicks: STEP_FUEL_TICKS_MAX,
  memoryBytes: MODULE_MEMORY_BYTES_MAX,
  stackBytes: MODULE_STACK_BYTES_MAX,
  effectsMax: STEP_EFFECTS_MAX,
  eventsMax: STEP_EVENTS_MAX,
  outputBytesMax: STEP_OUTPUT_BYTES_MAX,
});

/** The defaults with `overrides` applied; refuses a value that is not a positive integer within its maximum. */
export function resolveModuleLimits(overrides: Partial<ModuleLimits> = {}): ModuleLimits {
  const limits: Record<keyof ModuleLimits, number> = { ...DEFAULTS };
  for (const name of Object.keys(DEFAULTS) as Array<keyof ModuleLimits>) {
    const value = overrides[name];
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value <= 0 || value > MAXIMA[name]) {
      throw new SandboxError('LIMIT_ABOVE_MAX', `module limit ${name} = ${value} is out of range; it must be a positive integer of at most ${MAXIMA[name]}`);
    }
    limits[name] = value;
  }
  return Object.freeze(limits);
}
