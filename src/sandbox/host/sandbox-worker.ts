// Entry of a sandbox worker thread: holds the module runtimes of one SandboxHost and
// answers its requests one at a time. The host may terminate this thread at any moment.
import { parentPort } from 'node:worker_threads';
import { SandboxError } from '../errors.ts';
import { loadModule } from '../load-module.ts';
import type { ModuleRuntime } from '../runtime.ts';
import type { WorkerMessage, WorkerRequest, WorkerResponse } from './messages.ts';

const port = parentPort;
if (port === null) throw new SandboxError('WORKER_FAILED', 'sandbox-worker.ts must run as a worker thread (new SandboxHost())');
const modules = new Map<string, ModuleRuntime>();

function loaded(moduleId: string): ModuleRuntime {
  const runtime = modules.get(moduleId);
  if (runtime === undefined) throw new SandboxError('DISPOSED', `module ${moduleId} is not loaded in this sandbox`);
  return runtime;
}

async function answer(request: WorkerRequest): Promise<WorkerResponse> {
  try {
    switch (request.type) {
      case 'load': {
        modules.get(request.moduleId)?.dispose();
        const runtime = await loadModule(request.artifact, { ...request.options, name: request.options.name ?? request.moduleId });
        modules.set(request.moduleId, runtime);
        return { id: request.id, ok: true, value: { runtime: runtime.runtime, moduleKind: runtime.moduleKind } };
      }
      case 'step': return { id: request.id, ok: true, value: loaded(request.moduleId).step(request.input) };
      case 'run': return { id: request.id, ok: true, value: loaded(request.moduleId).run(request.input) };
      case 'recycle':
        loaded(request.moduleId).recycle();
        return { id: request.id, ok: true, value: null };
      case 'unload':
        modules.get(request.moduleId)?.dispose();
        modules.delete(request.moduleId);
        return { id: request.id, ok: true, value: null };
    }
  } catch (error) {
    if (error instanceof SandboxError) return { id: request.id, ok: false, code: error.code, message: error.message };
    throw error;
  }
}

port.on('message', (request: WorkerRequest) => {
  void answer(request).then((response) => port.postMessage(response));
});
port.postMessage({ ready: true } satisfies WorkerMessage);
