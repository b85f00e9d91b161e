// The wall-clock backstop (DESIGN §5). Modules run in a worker thread; every request has a
// hard deadline, and a request that overruns it ends with the worker terminated, an
// `aborted: deadline` result for the kernel to journal, and a fresh worker. Modules are
// loaded into the fresh worker again on their next use, so their contexts are recycled.
import { Worker } from 'node:worker_threads';
import { assert } from '../../cbor/index.ts';
import { SandboxError } from '../errors.ts';
import { STEP_DEADLINE_MS, WORKER_STACK_MB } from '../limits.ts';
import type { LoadModuleOptions } from '../load-module.ts';
import type { PureRunResult, StepFailure, WorkflowStepResult } from '../step-result.ts';
import type { LoadedModule, WorkerMessage, WorkerRequest, WorkerResponse } from './messages.ts';
import { workerEntry } from './worker-entry.ts';

/** Options of a SandboxHost. */
export interface SandboxHostOptions {
  /** Hard wall-clock deadline per request; tests may lower it. */
  readonly deadlineMs?: number;
}

type WithoutId<Request> = Request extends unknown ? Omit<Request, 'id'> : never;
type RequestBody = WithoutId<WorkerRequest>;

interface Pending {
  readonly resolve: (response: WorkerResponse) => void;
  readonly reject: (error: unknown) => void;
}

interface KnownModule {
  readonly artifact: Uint8Array;
  readonly options: LoadModuleOptions;
  /** The worker generation the module is loaded in, and what its load answered. */
  loaded?: { readonly generation: number; readonly module: LoadedModule };
}

type ResponseValue = Extract<WorkerResponse, { ok: true }>['value'];

const WORKER_ENTRY = workerEntry(import.meta.url);

/** Runs modules in a worker thread under a watchdog; requests are served one at a time, in order. */
export class SandboxHost {
  private readonly deadlineMs: number;
  private worker: Worker;
  /** Settles when the current worker has imported its code; deadlines start after that. */
  private booted: Promise<void> = Promise.resolve();
  private generation = 0;
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private queue: Promise<unknown> = Promise.resolve();
  private readonly modules = new Map<string, KnownModule>();
  private closed = false;

  constructor(options: SandboxHostOptions = {}) {
    this.deadlineMs = options.deadlineMs ?? STEP_DEADLINE_MS;
    this.worker = this.startWorker();
  }

  /** Loads (or replaces) a module; its init runs in the worker. */
  load(moduleId: string, artifact: Uint8Array, options: LoadModuleOptions = {}): Promise<LoadedModule> {
    return this.serial(async () => {
      this.modules.set(moduleId, { artifact, options });
      return this.ensureLoaded(moduleId);
    });
  }

  /** Runs one workflow step; a deadline overrun yields `{kind: 'aborted', reason: 'deadline'}`. */
  step(moduleId: string, input: Uint8Array): Promise<WorkflowStepResult> {
    return this.serial(() => this.call(moduleId, 'step', input) as Promise<WorkflowStepResult>);
  }

  /** Runs a pure module; a deadline overrun yields `{kind: 'aborted', reason: 'deadline'}`. */
  run(moduleId: string, input: Uint8Array): Promise<PureRunResult> {
    return this.serial(() => this.call(moduleId, 'run', input) as Promise<PureRunResult>);
  }

  /** Recycles a module's context (a deterministic point chosen by the kernel). */
  recycle(moduleId: string): Promise<void> {
    return this.serial(async () => {
      await this.ensureLoaded(moduleId);
      await this.request({ type: 'recycle', moduleId });
    });
  }

  /** Stops the worker; the host cannot be used afterwards. */
  async close(): Promise<void> {
    this.closed = true;
    await this.worker.terminate();
  }

  private serial<Result>(task: () => Promise<Result>): Promise<Result> {
    if (this.closed) return Promise.reject(new SandboxError('DISPOSED', 'this SandboxHost was closed'));
    const next = this.queue.then(task, task);
    this.queue = next.catch(() => undefined); // the caller sees the failure; the queue only orders requests
    return next;
  }

  private async call(moduleId: string, type: 'step' | 'run', input: Uint8Array): Promise<WorkflowStepResult | PureRunResult> {
    await this.ensureLoaded(moduleId);
    const response = await this.request({ type, moduleId, input });
    if (response === 'deadline') return this.aborted(moduleId);
    return response as WorkflowStepResult | PureRunResult;
  }

  private async ensureLoaded(moduleId: string): Promise<LoadedModule> {
    const known = this.modules.get(moduleId);
    if (known === undefined) throw new SandboxError('DISPOSED', `module ${moduleId} was never loaded into this sandbox`);
    if (known.loaded?.generation === this.generation) return known.loaded.module;
    const response = await this.request({ type: 'load', moduleId, artifact: known.artifact, options: known.options });
    if (response === 'deadline') throw new SandboxError('MODULE_INIT_FAILED', `module ${moduleId} did not finish its init within ${this.deadlineMs} ms`);
    known.loaded = { generation: this.generation, module: response as LoadedModule };
    return known.loaded.module;
  }

  private aborted(moduleId: string): StepFailure {
    return { kind: 'aborted', reason: 'deadline', message: `module ${moduleId} ran past the ${this.deadlineMs} ms deadline; its worker was terminated and every module context in it recycled` };
  }

  /** Sends a request and waits for its answer or the deadline, after which the worker is replaced. */
  private async request(body: RequestBody): Promise<ResponseValue | 'deadline'> {
    const id = this.nextId++;
    await this.booted;
    const worker = this.worker;
    const answer = new Promise<WorkerResponse>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'deadline'>((resolve) => { timer = setTimeout(() => resolve('deadline'), this.deadlineMs); });
    try {
      worker.postMessage({ ...body, id } as WorkerRequest);
      const outcome = await Promise.race([answer, deadline]);
      if (outcome === 'deadline') {
        await this.restart(worker);
        return 'deadline';
      }
      if (!outcome.ok) throw new SandboxError(outcome.code, outcome.message);
      return outcome.value;
    } finally {
      clearTimeout(timer);
      this.pending.delete(id);
    }
  }

  private startWorker(): Worker {
    const resourceLimits = { stackSizeMb: WORKER_STACK_MB };
    const worker = WORKER_ENTRY.kind === 'bundle'
      ? new Worker(WORKER_ENTRY.url, { resourceLimits })
      : new Worker(WORKER_ENTRY.boot, { eval: true, resourceLimits });
    // Booting (from sources: compiling them under tsx) can take a second on a busy machine;
    // it is not the module's time, so requests wait for the worker's `ready` first.
    let settle: (error?: SandboxError) => void = () => undefined;
    this.booted = new Promise<void>((resolve, reject) => {
      settle = (error) => (error === undefined ? resolve() : reject(error));
    });
    this.booted.catch(() => undefined); // a boot failure reaches callers through request()
    worker.on('message', (message: WorkerMessage) => {
      if ('ready' in message) settle();
      else this.pending.get(message.id)?.resolve(message);
    });
    worker.on('error', (error) => {
      const failure = new SandboxError('WORKER_FAILED', `the sandbox worker crashed: ${error.message}`, { cause: error });
      settle(failure);
      this.failAll(failure);
    });
    worker.on('exit', () => {
      const failure = new SandboxError('WORKER_FAILED', 'the sandbox worker exited unexpectedly');
      settle(failure);
      this.failAll(failure);
      if (this.worker === worker && !this.closed) this.worker = this.startWorker();
    });
    this.generation += 1;
    return worker;
  }

  private failAll(error: SandboxError): void {
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }

  private async restart(stuck: Worker): Promise<void> {
    assert(stuck === this.worker, 'only the current worker is restarted');
    stuck.removeAllListeners();
    this.failAll(new SandboxError('WORKER_FAILED', 'the sandbox worker was terminated after a deadline overrun'));
    await stuck.terminate();
    if (!this.closed) this.worker = this.startWorker();
  }
}
