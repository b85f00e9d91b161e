// The wasm runtime: a core WebAssembly module with the upstream raw ABI. Exports `memory`,
// `alloc(len) → ptr` and `step(ptr, len) → (ptr, len)` (or `run` for pure modules),
// multi-value return. It may import nothing, its memory is capped, and V8 gives no
// instruction counting, so a runaway step is stopped by the worker's deadline.
import { checkPureOutput, checkWorkflowOutput } from '../check-output.ts';
import { SandboxError } from '../errors.ts';
import { STEP_INPUT_BYTES_MAX, WASM_MEMORY_PAGES_MAX } from '../limits.ts';
import type { ModuleLimits } from '../module-limits.ts';
import type { ModuleKind, ModuleRuntime } from '../runtime.ts';
import type { PureRunResult, RawCallResult, WorkflowStepResult } from '../step-result.ts';
import { capWasmMemory } from './memory-cap.ts';

const WASM_PAGE_BYTES = 65_536;

interface AbiExports {
  readonly memory: WebAssembly.Memory;
  readonly alloc: (length: number) => number;
  readonly entry: (pointer: number, length: number) => unknown;
}

/** A raw-ABI wasm module with a warm instance. */
export class WasmRuntime implements ModuleRuntime {
  readonly runtime = 'wasm';
  readonly moduleKind: ModuleKind;
  private readonly pagesMax: number;
  private readonly module: WebAssembly.Module;
  private instance: AbiExports | null;

  constructor(binary: Uint8Array, readonly limits: ModuleLimits, readonly moduleName = 'module') {
    this.pagesMax = Math.min(WASM_MEMORY_PAGES_MAX, Math.floor(limits.memoryBytes / WASM_PAGE_BYTES));
    this.module = compile(capWasmMemory(binary, this.pagesMax, moduleName), moduleName);
    const exports = WebAssembly.Module.exports(this.module).map((item) => item.name);
    this.moduleKind = exports.includes('step') ? 'workflow' : 'pure';
    this.instance = this.instantiate();
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
    this.instance = this.instantiate();
  }

  dispose(): void {
    this.instance = null;
  }

  private checkKind(expected: ModuleKind, call: string): void {
    if (this.moduleKind !== expected) {
      throw new SandboxError('WRONG_MODULE_KIND', `module ${this.moduleName} is a ${this.moduleKind} module; ${call}() is for ${expected} modules`);
    }
  }

  private instantiate(): AbiExports {
    const exports = new WebAssembly.Instance(this.module, {}).exports;
    const entry = exports[this.moduleKind === 'workflow' ? 'step' : 'run'];
    const { memory, alloc } = exports;
    if (!(memory instanceof WebAssembly.Memory) || typeof alloc !== 'function' || typeof entry !== 'function') {
      throw new SandboxError('WASM_EXPORTS_MISSING', `wasm module ${this.moduleName} must export memory, alloc(i32) → i32 and step(i32, i32) → (i32, i32) or run(i32, i32) → (i32, i32)`);
    }
    return { memory, alloc: alloc as AbiExports['alloc'], entry: entry as AbiExports['entry'] };
  }

  private call(input: Uint8Array): RawCallResult {
    const instance = this.instance;
    if (instance === null) throw new SandboxError('DISPOSED', `module ${this.moduleName} was disposed`);
    if (input.length > STEP_INPUT_BYTES_MAX) {
      throw new SandboxError('INPUT_TOO_LARGE', `input envelope of ${input.length} bytes exceeds ${STEP_INPUT_BYTES_MAX}`);
    }
    const result = this.callInstance(instance, input);
    // A trapped instance may be half-way through changing its memory: start the next call fresh.
    if (result.kind !== 'ok') this.recycle();
    return result;
  }

  private callInstance(instance: AbiExports, input: Uint8Array): RawCallResult {
    try {
      const pointer = instance.alloc(input.length);
      const memory = new Uint8Array(instance.memory.buffer);
      if (!isRange(pointer, input.length, memory.length)) return trapped(`alloc(${input.length}) returned ${pointer}, outside the module's memory`);
      memory.set(input, pointer);
      const returned = instance.entry(pointer, input.length);
      if (!Array.isArray(returned) || returned.length !== 2) return trapped('the entry must return two i32 values (pointer, length)');
      const [outPointer, outLength] = returned as [number, number];
      const after = new Uint8Array(instance.memory.buffer);
      if (!isRange(outPointer >>> 0, outLength >>> 0, after.length)) return trapped(`the entry returned (${outPointer}, ${outLength}), outside the module's memory`);
      return { kind: 'ok', bytes: after.slice(outPointer >>> 0, (outPointer >>> 0) + (outLength >>> 0)) };
    } catch (error) {
      return this.failureOf(error, instance);
    }
  }

  private failureOf(error: unknown, instance: AbiExports): RawCallResult {
    if (error instanceof RangeError && /call stack/i.test(error.message)) {
      return { kind: 'over_limit', limit: 'stack', message: 'the wasm module exceeded the stack (recursion too deep?)' };
    }
    if (error instanceof WebAssembly.RuntimeError) {
      if (instance.memory.buffer.byteLength >= this.pagesMax * WASM_PAGE_BYTES) {
        return { kind: 'over_limit', limit: 'memory', message: `the wasm module trapped with its memory at the cap of ${this.pagesMax} pages (${error.message})` };
      }
      return trapped(`wasm trap: ${error.message}`);
    }
    throw error;
  }
}

function compile(binary: Uint8Array, moduleName: string): WebAssembly.Module {
  let module: WebAssembly.Module;
  try {
    module = new WebAssembly.Module(binary);
  } catch (error) {
    throw new SandboxError('WASM_INVALID', `wasm module ${moduleName} does not compile: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const imports = WebAssembly.Module.imports(module);
  if (imports.length > 0) {
    const names = imports.map((item) => `${item.module}.${item.name} (${item.kind})`).join(', ');
    throw new SandboxError('WASM_IMPORTS_FORBIDDEN', `wasm module ${moduleName} imports ${names}; modules may import nothing: do I/O through effects`);
  }
  return module;
}

function isRange(pointer: number, length: number, size: number): boolean {
  return Number.isInteger(pointer) && pointer >= 0 && length >= 0 && pointer + length <= size;
}

function trapped(message: string): RawCallResult {
  return { kind: 'trapped', message };
}
