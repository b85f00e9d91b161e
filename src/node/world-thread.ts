// A world's own thread: opens the world and services its inputs one at a time. Before each
// step it writes the delivery index into shared memory, so that if the main thread's watchdog
// terminates it, the abort can be journaled for exactly that delivery (DESIGN §5).
import { parentPort, workerData } from 'node:worker_threads';
import { EmbeddedWorld } from './embedded-world.ts';
import type { SentInput, ThreadReady, ThreadRequest, ThreadResponse } from './world-thread-messages.ts';

interface ThreadData {
  readonly dir: string;
  readonly progress: SharedArrayBuffer;
}

const data = workerData as ThreadData;
const port = parentPort;
const progress = new Int32Array(data.progress);

function errorOf(error: unknown): { name: string; code: string; message: string } {
  const known = error as { name?: unknown; code?: unknown; message?: unknown };
  return { name: String(known.name ?? 'Error'), code: String(known.code ?? 'INTERNAL'), message: String(known.message ?? error) };
}

async function serve(): Promise<void> {
  if (port === null) return;
  let world: EmbeddedWorld;
  try {
    world = await EmbeddedWorld.open(data.dir, { onStep: (deliveryIndex) => Atomics.store(progress, 0, deliveryIndex) });
  } catch (error) {
    port.postMessage({ ready: false, error: errorOf(error) } satisfies ThreadReady);
    return;
  }
  port.postMessage({ ready: true, height: world.head.height } satisfies ThreadReady);
  port.on('message', (request: ThreadRequest) => {
    let response: ThreadResponse;
    try {
      response = { id: request.id, ok: true, value: handle(world, request) };
    } catch (error) {
      response = { id: request.id, ok: false, error: errorOf(error) };
    }
    port.postMessage(response);
  });
}

function handle(world: EmbeddedWorld, request: ThreadRequest): unknown {
  switch (request.type) {
    case 'send': {
      Atomics.store(progress, 0, -1);
      const records = world.send(request.event, { aborts: request.aborts });
      return { heights: records.map((record) => record.height), kinds: records.map((record) => record.body.kind), head: world.head.hash, aborted: request.aborts } satisfies SentInput;
    }
    case 'state':
      return world.state(request.module, request.key);
    case 'snapshot':
      return world.snapshot().map((record) => record.height);
  }
}

await serve();
