// The js runtime: a module bundle in its own QuickJS runtime, called with envelope bytes
// passed as an ArrayBuffer (no JSON, no object marshalling: one copy in, one copy out).
import { assert } from '../../cbor/index.ts';
import { checkPureOutput, checkWorkflowOutput } from '../check-output.ts';
import { SandboxError } from '../errors.ts';
import { STEP_INPUT_BYTES_MAX } from '../limits.ts';
import type { ModuleLimits } from '../module-limits.ts';
import type { ModuleKind, ModuleRuntime } from '../runtime.ts';
import type { PureRunResult, RawCallResult, StepFailure, WorkflowStepResult } from '../step-result.ts';
import { failureFromThrown } from './error-hints.ts';
import { closeContext, openContext } from './js-context.ts';
import type { LiveContext } from './js-context.ts';
import { loadQuickJs } from './quickjs.ts';
import type { QuickJSWASMModule } from './quickjs.ts';
import { readThrown } from './read-thrown.ts';

const RECYCLING_LIMITS: ReadonlySet<string> = new Set(['fuel', 'memory', 'stack']);

/** A JS module (an esbuild bundle made with the SDK) in a warm QuickJS context. */
export class JsRuntime implements ModuleRuntime {
  readonly runtime = 'js';
  readonly moduleKind: ModuleKind;
  private live: LiveContext | null;

  private constructor(private readonly quickjs: QuickJSWASMModule, private readonly source: string, readonly limits: ModuleLimits, readonly moduleName: string) {
    this.live = openContext(quickjs, source, limits, moduleName);
    this.moduleKind = this.live.kind;
  }

  /** Loads a bundle and runs its init; refuses bytes that are not UTF-8 or a module without an entry. */
  static async load(bundle: Uint8Array, limits: ModuleLimits, moduleName = 'module'): Promise<JsRuntime> {
    let source: string;
    try {
      source = new TextDecoder('utf-8', { fatal: true }).decode(bundle);
    } catch (error) {
      throw new SandboxError('MODULE_INIT_FAILED', `module ${moduleName} is not a JS bundle: its bytes are not UTF-8`, { cause: error });
    }
    return new JsRuntime(await loadQuickJs(), source, limits, moduleName);
  }

  step(input: Uint8Array): WorkflowStepResult {
    this.checkKind('workflow', 'step');
    const raw = this.call(input);
    return raw.kind === 'ok' ? checkWorkflowOutput(raw.bytes, this.limits) : raw;
  }

  run(input: Uint8Array): PureRunResult {
    this.checkKind('pure', 'run');
    const raw = this.call(input);
    return raw.kind === 'ok' ? checkPureOutput(raw.bytes, this.limits) : raw;
  }

  recycle(): void {
    if (this.live !== null) closeContext(this.live);
    this.live = null;
    this.live = openContext(this.quickjs, this.source, this.limits, this.moduleName);
  }

  dispose(): void {
    if (this.live !== null) closeContext(this.live);
    this.live = null;
  }

  private checkKind(expected: ModuleKind, call: string): void {
    if (this.moduleKind !== expected) {
      throw new SandboxError('WRONG_MODULE_KIND', `module ${this.moduleName} is a ${this.moduleKind} module; ${call}() is for ${expected} modules`);
    }
  }

  private call(input: Uint8Array): RawCallResult {
    const live = this.live;
    if (live === null) throw new SandboxError('DISPOSED', `module ${this.moduleName} was disposed`);
    if (input.length > STEP_INPUT_BYTES_MAX) {
      throw new SandboxError('INPUT_TOO_LARGE', `input envelope of ${input.length} bytes exceeds ${STEP_INPUT_BYTES_MAX}`);
    }
    const result = invoke(live, input, this.limits);
    if (result.kind === 'over_limit' && RECYCLING_LIMITS.has(result.limit)) this.recycle();
    return result;
  }
}

function invoke(live: LiveContext, input: Uint8Array, limits: ModuleLimits): RawCallResult {
  const { context, runtime, meter } = live;
  meter.start(limits.fuelTicks);
  const whole = input.byteOffset === 0 && input.byteLength === input.buffer.byteLength ? input.buffer : input.slice().buffer;
  const argument = context.newArrayBuffer(whole);
  const result = context.callFunction(live.invoke, context.undefined, argument);
  argument.dispose();
  if (result.error !== undefined) {
    const thrown = readThrown(context, result.error);
    result.error.dispose();
    drainJobs(live);
    return failureFromThrown(thrown, meter.interrupted, limits.fuelTicks);
  }
  if (runtime.hasPendingJob()) {
    result.value.dispose();
    return drainJobs(live) ?? PENDING_JOBS;
  }
  const view = context.getArrayBuffer(result.value);
  const bytes = view.value.slice();
  view.dispose();
  result.value.dispose();
  assert(!meter.interrupted, 'an interrupted call never returns a value');
  return { kind: 'ok', bytes };
}

const PENDING_JOBS: StepFailure = {
  kind: 'trapped',
  message: 'the step left Promise jobs pending: module calls are synchronous, so async functions, Promises and import() cannot complete; emit an effect and handle its receipt instead',
};

/** Runs the jobs a failed or async call left behind, so none leak into the next call; a limit hit while draining is reported. */
function drainJobs(live: LiveContext): StepFailure | undefined {
  while (live.runtime.hasPendingJob() && !live.meter.interrupted) {
    const result = live.runtime.executePendingJobs();
    if (result.error !== undefined) result.error.dispose();
  }
  if (live.meter.interrupted) return failureFromThrown({ name: 'InternalError', message: 'interrupted', code: undefined }, true, live.meter.budget);
  return undefined;
}
