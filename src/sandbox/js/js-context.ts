// One live QuickJS runtime + context with a module evaluated in it: prelude, bundle, then
// harden. Each module instance owns its own QuickJS runtime, so memory limits and GC are
// per module and one module's garbage never changes another's behaviour.
import { SandboxError } from '../errors.ts';
import type { ModuleLimits } from '../module-limits.ts';
import { PRELUDE_SOURCE } from './prelude.ts';
import { installHostNatives, nativeTicks } from './host-natives.ts';
import type { NativeFuel } from './host-natives.ts';
import { ENTRY_PROTOCOL } from './protocol.ts';
import { TextCall } from './quickjs.ts';
import type { QuickJSContext, QuickJSHandle, QuickJSRuntime, QuickJSWASMModule } from './quickjs.ts';
import { readThrown } from './read-thrown.ts';

/** Counts interrupt ticks against a budget; the count is the instruction budget's unit. */
export class FuelMeter implements NativeFuel {
  ticks = 0;
  budget = 0;
  interrupted = false;
  private nativeBytes = 0;
  start(budget: number): void {
    this.ticks = 0;
    this.budget = budget;
    this.interrupted = false;
    this.nativeBytes = 0;
  }
  /** Charges bytes the host's natives handled for the module (host-natives.ts); false once over budget. */
  charge(bytes: number): boolean {
    const before = nativeTicks(this.nativeBytes);
    this.nativeBytes += bytes;
    this.ticks += nativeTicks(this.nativeBytes) - before;
    if (this.ticks > this.budget) this.interrupted = true;
    return !this.interrupted;
  }
  /** The interrupt handler: true stops the module (uncatchable inside QuickJS). */
  readonly tick = (): boolean => {
    this.ticks += 1;
    if (this.ticks > this.budget) this.interrupted = true;
    return this.interrupted;
  };
}

/** A module evaluated and hardened, ready to be invoked. */
export interface LiveContext {
  readonly runtime: QuickJSRuntime;
  readonly context: QuickJSContext;
  readonly invoke: QuickJSHandle;
  readonly takeBytes: QuickJSHandle;
  /** The hot path of invoke(): raw wasm calls instead of handles. */
  readonly textCall: TextCall;
  readonly kind: 'workflow' | 'pure';
  readonly meter: FuelMeter;
}

/** Creates a context and runs module init under the module's limits; refuses a module without an entry. */
export function openContext(quickjs: QuickJSWASMModule, source: string, limits: ModuleLimits, moduleName: string): LiveContext {
  const runtime = quickjs.newRuntime();
  const meter = new FuelMeter();
  runtime.setMemoryLimit(limits.memoryBytes);
  runtime.setMaxStackSize(limits.stackBytes);
  runtime.setInterruptHandler(meter.tick);
  const context = runtime.newContext();
  try {
    installHostNatives(context, meter);
    meter.start(limits.fuelTicks);
    const prelude = evaluate(context, PRELUDE_SOURCE, 'aos:prelude', moduleName, meter, limits);
    try {
      evaluate(context, source, moduleName, moduleName, meter, limits).dispose();
      const kind = callHarden(context, prelude, moduleName, meter, limits);
      const invoke = context.getProp(prelude, 'invoke');
      const takeBytes = context.getProp(prelude, 'takeBytes');
      return { runtime, context, invoke, takeBytes, textCall: TextCall.open(context), kind, meter };
    } finally {
      prelude.dispose();
    }
  } catch (error) {
    context.dispose();
    runtime.dispose();
    throw error;
  }
}

function evaluate(context: QuickJSContext, source: string, file: string, moduleName: string, meter: FuelMeter, limits: ModuleLimits): QuickJSHandle {
  const result = context.evalCode(source, file, { type: 'global' });
  if (result.error === undefined) return result.value;
  const thrown = readThrown(context, result.error);
  result.error.dispose();
  const why = meter.interrupted ? `module init used more than its budget of ${limits.fuelTicks} ticks` : `${thrown.name}: ${thrown.message}`;
  throw new SandboxError('MODULE_INIT_FAILED', `module ${moduleName} failed to initialise: ${why}`);
}

function callHarden(context: QuickJSContext, prelude: QuickJSHandle, moduleName: string, meter: FuelMeter, limits: ModuleLimits): 'workflow' | 'pure' {
  const harden = context.getProp(prelude, 'harden');
  const bytesMax = context.newNumber(limits.outputBytesMax);
  const result = context.callFunction(harden, context.undefined, bytesMax);
  bytesMax.dispose();
  harden.dispose();
  if (result.error !== undefined) {
    const thrown = readThrown(context, result.error);
    result.error.dispose();
    const why = meter.interrupted ? `freezing its globals used more than ${limits.fuelTicks} ticks` : `${thrown.name}: ${thrown.message}`;
    throw new SandboxError('MODULE_INIT_FAILED', `module ${moduleName} failed to initialise: ${why}`);
  }
  const kind = context.getString(result.value);
  result.value.dispose();
  if (kind === 'stale') {
    throw new SandboxError('MODULE_INIT_FAILED', `module ${moduleName} was built by an SDK that speaks another runtime protocol (this runtime speaks ${ENTRY_PROTOCOL}); rebuild it with aos build`);
  }
  if (kind !== 'workflow' && kind !== 'pure') {
    throw new SandboxError('NO_ENTRY', `module ${moduleName} defines no entry: call defineWorkflow(...) or definePure(...) once at its top level`);
  }
  return kind;
}

/** Frees a live context and its runtime. */
export function closeContext(live: LiveContext): void {
  live.invoke.dispose();
  live.takeBytes.dispose();
  live.context.dispose();
  live.runtime.dispose();
}
