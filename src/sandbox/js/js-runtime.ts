// The js runtime: a module bundle in its own QuickJS runtime. Each call decodes the CBOR
// envelope on the host into one JSON text, lets QuickJS parse and print JSON natively, and
// encodes the printed output as canonical CBOR on the host (protocol.ts): interpreted CBOR
// in QuickJS cost ~70 µs a step here.
import { assert } from '../../cbor/index.ts';
import { SandboxError } from '../errors.ts';
import { STEP_INPUT_BYTES_MAX } from '../limits.ts';
import type { ModuleLimits } from '../module-limits.ts';
import type { ModuleKind, ModuleRuntime } from '../runtime.ts';
import type { PureRunResult, StepFailure, WorkflowStepResult } from '../step-result.ts';
import { failureFromThrown } from './error-hints.ts';
import { closeContext, openContext } from './js-context.ts';
import type { LiveContext } from './js-context.ts';
import { pureInputJson, workflowInputJson } from './json-input.ts';
import type { WireInputText } from './json-input.ts';
import { outputBytesOverLimit, pureOutputFromJson, workflowOutputFromJson } from './json-output.ts';
import type { PrintedOutput } from './json-output.ts';
import { loadQuickJs } from './quickjs.ts';
import type { QuickJSWASMModule } from './quickjs.ts';
import { OUTPUT_MODE_BYTES, OUTPUT_MODE_ESCAPED, OUTPUT_MODE_ESCAPED_BYTES, OUTPUT_MODE_TOO_LARGE } from './prelude-bridge.ts';
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
    return JsRuntime.loadWith(await loadQuickJs(), bundle, limits, moduleName);
  }

  /** As `load`, synchronously, with the process's QuickJS module already loaded. */
  static loadWith(quickjs: QuickJSWASMModule, bundle: Uint8Array, limits: ModuleLimits, moduleName = 'module'): JsRuntime {
    let source: string;
    try {
      source = new TextDecoder('utf-8', { fatal: true }).decode(bundle);
    } catch (error) {
      throw new SandboxError('MODULE_INIT_FAILED', `module ${moduleName} is not a JS bundle: its bytes are not UTF-8`, { cause: error });
    }
    return new JsRuntime(quickjs, source, limits, moduleName);
  }

  step(input: Uint8Array): WorkflowStepResult {
    this.checkKind('workflow', 'step');
    const printed = this.call(input, workflowInputJson);
    return 'text' in printed ? workflowOutputFromJson(printed, this.limits) : printed;
  }

  run(input: Uint8Array): PureRunResult {
    this.checkKind('pure', 'run');
    const printed = this.call(input, pureInputJson);
    return 'text' in printed ? pureOutputFromJson(printed, this.limits) : printed;
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

  private call(input: Uint8Array, toJson: (envelope: Uint8Array) => WireInputText): PrintedOutput | StepFailure {
    const live = this.live;
    if (live === null) throw new SandboxError('DISPOSED', `module ${this.moduleName} was disposed`);
    if (input.length > STEP_INPUT_BYTES_MAX) {
      throw new SandboxError('INPUT_TOO_LARGE', `input envelope of ${input.length} bytes exceeds ${STEP_INPUT_BYTES_MAX}`);
    }
    const result = invoke(live, input, toJson(input), this.limits);
    if ('kind' in result && result.kind === 'over_limit' && RECYCLING_LIMITS.has(result.limit)) this.recycle();
    return result;
  }
}

/** One call of the prelude's invoke(text, envelope): the printed output, or the failure. */
function invoke(live: LiveContext, envelope: Uint8Array, wire: WireInputText, limits: ModuleLimits): PrintedOutput | StepFailure {
  const { context, runtime, meter } = live;
  meter.start(limits.fuelTicks);
  const blob = wire.usesEnvelope ? context.newArrayBuffer(wholeBuffer(envelope)) : null;
  const answer = live.textCall.call(live.invoke, wire.text, blob);
  blob?.dispose();
  if (typeof answer !== 'string') {
    const thrown = readThrown(context, answer);
    answer.dispose();
    drainJobs(live);
    return failureFromThrown(thrown, meter.interrupted, limits.fuelTicks);
  }
  if (runtime.hasPendingJob()) return drainJobs(live) ?? PENDING_JOBS;
  // Only the host's natives can leave the meter interrupted with the call still running (their
  // refusal is a catchable error); the step is over its budget all the same.
  if (meter.interrupted) return failureFromThrown({ name: 'RangeError', message: 'over budget', code: undefined }, true, limits.fuelTicks);
  return readPrinted(live, answer, limits);
}

/** Reads invoke()'s answer: the printed tuple, or a mode letter before it (prelude-bridge.ts). */
function readPrinted(live: LiveContext, answer: string, limits: ModuleLimits): PrintedOutput | StepFailure {
  const mode = answer.charAt(0);
  if (mode === '[') return { text: answer, bytes: NO_BYTES, escaped: false };
  if (mode === OUTPUT_MODE_TOO_LARGE) return outputBytesOverLimit(limits);
  const escaped = mode === OUTPUT_MODE_ESCAPED || mode === OUTPUT_MODE_ESCAPED_BYTES;
  const hasBytes = mode === OUTPUT_MODE_BYTES || mode === OUTPUT_MODE_ESCAPED_BYTES;
  assert(escaped || hasBytes, 'invoke() answers with a tuple or a known mode');
  if (!hasBytes) return { text: answer.slice(1), bytes: NO_BYTES, escaped };
  live.meter.start(limits.fuelTicks); // the module's step is over; handing over its bytes is the runtime's work
  // takeBytes() runs no module code and allocates nothing, so it cannot throw.
  const bytes = live.textCall.bytesCall(live.takeBytes);
  return { text: answer.slice(1), bytes, escaped };
}

function wholeBuffer(bytes: Uint8Array): ArrayBuffer {
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  return (whole ? bytes.buffer : bytes.slice().buffer) as ArrayBuffer;
}

const NO_BYTES = new Uint8Array(0);
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
