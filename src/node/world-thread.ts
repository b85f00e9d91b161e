// A world's own thread: opens the world and services its inputs one at a time. Before each
// step it writes the delivery index into shared memory, so that if the main thread's watchdog
// terminates it, the abort can be journaled for exactly that delivery (DESIGN §5).
import { parentPort, workerData } from 'node:worker_threads';
import { EmbeddedWorld } from './embedded-world.ts';
import { NodeError } from './errors.ts';
import { HostedWorld } from './node-world-ops.ts';
import { OUTSIDE_REQUEST_SLOT } from './world-thread-messages.ts';
import type { SentInput, SentOrRefused, ThreadNotice, ThreadReady, ThreadRequest, ThreadResponse } from './world-thread-messages.ts';

interface ThreadData {
  readonly dir: string;
  readonly progress: SharedArrayBuffer;
  /** Hosted by a node: run effects continuously and tell the host when the journal grows. */
  readonly hosted?: boolean;
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
  const hosted = data.hosted === true ? new HostedWorld(world) : null;
  if (hosted !== null) watchHead(world, hosted);
  // A hosted world also steps between requests (its executor's receipts): the flag tells the
  // watchdog whether a stuck step belongs to the request it timed or to something outside it.
  if (hosted !== null) Atomics.store(progress, OUTSIDE_REQUEST_SLOT, 1);
  port.on('message', async (request: ThreadRequest) => {
    Atomics.store(progress, OUTSIDE_REQUEST_SLOT, 0);
    let response: ThreadResponse;
    try {
      // Awaited: a hosted call may answer asynchronously (a governance shadow); the host sends one request at a time.
      response = { id: request.id, ok: true, value: await handle(world, request, hosted) };
    } catch (error) {
      response = { id: request.id, ok: false, error: errorOf(error) };
    }
    if (hosted !== null) Atomics.store(progress, OUTSIDE_REQUEST_SLOT, 1);
    port.postMessage(response);
  });
}

/**
 * Starts the hosted world's effects and tells the host whenever the journal grows (a request's
 * input or a receipt the executor admitted), once per burst of commits: the notice goes out after
 * the microtasks already queued, with the height then.
 */
function watchHead(world: EmbeddedWorld, hosted: HostedWorld): void {
  // Only durable records are told of (a receipt group's fsync is deferred: embedded-world.ts).
  let told = world.durableHeight;
  let queued = false;
  world.onCommitted(() => {
    if (queued) return;
    queued = true;
    queueMicrotask(() => {
      queued = false;
      if (world.durableHeight === told) return;
      told = world.durableHeight;
      port?.postMessage({ notice: 'head', height: told } satisfies ThreadNotice);
    });
  });
  hosted.start();
}

function handle(world: EmbeddedWorld, request: ThreadRequest, hosted: HostedWorld | null): unknown {
  switch (request.type) {
    case 'send': {
      Atomics.store(progress, 0, -1);
      const records = world.send(request.event, { aborts: request.aborts });
      hosted?.dispatch();
      return { heights: records.map((record) => record.height), kinds: records.map((record) => record.body.kind), head: world.head.hash, aborted: request.aborts } satisfies SentInput;
    }
    case 'sendBatch': {
      Atomics.store(progress, 0, -1);
      const results = world.sendBatch(request.events);
      hosted?.dispatch();
      const head = world.head.hash;
      return results.map((result): SentOrRefused => ('records' in result
        ? { ok: true, sent: { heights: result.records.map((record) => record.height), kinds: result.records.map((record) => record.body.kind), head, aborted: [] } }
        : { ok: false, error: errorOf(result.error) }));
    }
    case 'state':
      world.syncDurable();
      return world.state(request.module, request.key);
    case 'snapshot':
      return world.snapshot().map((record) => record.height);
    case 'call':
      if (hosted === null) throw new NodeError('BAD_INPUT', 'only a world hosted by a node answers calls', 'open the WorldWorker with hosted: true');
      return hosted.call(request.op, request.args);
  }
}

await serve();
