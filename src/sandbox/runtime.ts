// The one interface the kernel uses for both runtimes.
import type { ModuleLimits } from './module-limits.ts';
import type { PureRunResult, WorkflowStepResult } from './step-result.ts';

/** Which engine runs a module (DESIGN §4: `defmodule.runtime`, or decided by the artifact). */
export type RuntimeKind = 'js' | 'wasm';
/** What a module is: a workflow (step) or a pure function (run). */
export type ModuleKind = 'workflow' | 'pure';

/**
 * A loaded module with a warm context. Calls are synchronous and run in journal order.
 * The context is reused across calls and replaced only by `recycle()` (a deterministic point
 * chosen by the kernel) or after a step that hit a fuel, memory or stack limit (the same
 * input fails the same way on replay, so that recycle is deterministic too).
 */
export interface ModuleRuntime {
  readonly runtime: RuntimeKind;
  readonly moduleKind: ModuleKind;
  readonly limits: ModuleLimits;
  /** Runs one workflow step on an input envelope (canonical CBOR). */
  step(input: Uint8Array): WorkflowStepResult;
  /** Runs a pure module on an input envelope (canonical CBOR). */
  run(input: Uint8Array): PureRunResult;
  /** Replaces the context with a fresh one: module init runs again, module-level state is reset. */
  recycle(): void;
  /** Frees the context; the runtime cannot be used afterwards. */
  dispose(): void;
}
