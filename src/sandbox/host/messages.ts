// Messages between a SandboxHost and its worker (structured clone; bytes as Uint8Array).
import type { SandboxErrorCode } from '../errors.ts';
import type { LoadModuleOptions } from '../load-module.ts';
import type { ModuleKind, RuntimeKind } from '../runtime.ts';
import type { PureRunResult, WorkflowStepResult } from '../step-result.ts';

/** A request to the worker. */
export type WorkerRequest =
  | { readonly id: number; readonly type: 'load'; readonly moduleId: string; readonly artifact: Uint8Array; readonly options: LoadModuleOptions }
  | { readonly id: number; readonly type: 'step' | 'run'; readonly moduleId: string; readonly input: Uint8Array }
  | { readonly id: number; readonly type: 'recycle' | 'unload'; readonly moduleId: string };

/** What a load answers. */
export interface LoadedModule {
  readonly runtime: RuntimeKind;
  readonly moduleKind: ModuleKind;
}

/** The worker's answer to one request. */
export type WorkerResponse =
  | { readonly id: number; readonly ok: true; readonly value: LoadedModule | WorkflowStepResult | PureRunResult | null }
  | { readonly id: number; readonly ok: false; readonly code: SandboxErrorCode; readonly message: string };

/** What a worker posts: answers, and once, after its code is imported, `{ready: true}`. */
export type WorkerMessage = WorkerResponse | { readonly ready: true };
