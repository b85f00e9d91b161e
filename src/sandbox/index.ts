// Module runtimes behind one interface: js (QuickJS) and wasm (raw ABI), in process or in a
// worker under a wall-clock watchdog.
export { checkPureOutput, checkWorkflowOutput } from './check-output.ts';
export { ABI_VERSION, encodePureInput, encodeWorkflowInput } from './envelope.ts';
export type { InputEvent, PureInput, WorkflowInput } from './envelope.ts';
export { SandboxError } from './errors.ts';
export type { SandboxErrorCode } from './errors.ts';
export { SandboxHost } from './host/sandbox-host.ts';
export type { SandboxHostOptions } from './host/sandbox-host.ts';
export type { LoadedModule } from './host/messages.ts';
export { JsRuntime } from './js/js-runtime.ts';
export * from './limits.ts';
export { isWasmBinary, loadModule, ModuleLoader } from './load-module.ts';
export type { LoadModuleOptions } from './load-module.ts';
export { resolveModuleLimits } from './module-limits.ts';
export type { ModuleLimits } from './module-limits.ts';
export type { ModuleKind, ModuleRuntime, RuntimeKind } from './runtime.ts';
export type { OutputEffect, OutputEvent, PureRunResult, StepFailure, StepLimit, WorkflowOutput, WorkflowStepResult } from './step-result.ts';
export { WasmRuntime } from './wasm/wasm-runtime.ts';
