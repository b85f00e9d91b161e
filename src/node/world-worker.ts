// A world hosted in its own worker thread under a wall-clock watchdog (DESIGN §5). An input
// that overruns its deadline ends with the thread terminated; nothing of that input was
// durable, so the world reopens from its journal in a fresh thread and the same input is
// serviced again with the overrunning delivery marked aborted — journaled as a fault, and
// honoured by every replay instead of re-running the step. Other worlds are other threads.
// Sends that queue up while the thread is busy go to it as one group, admitted in one
// transaction (group commit); a group that overruns or fails is retried one event at a time,
// so the watchdog's aborts and the kernel's refusals land on exactly the input they concern.
import { Worker } from 'node:worker_threads';
import { KernelError } from '../kernel/index.ts';
import type { EventInput } from '../kernel/index.ts';
import { NodeError } from './errors.ts';
import { INPUT_ABORTS_MAX, WORLD_INPUT_DEADLINE_MS, WORLD_OPEN_DEADLINE_MS, WORLD_SEND_GROUP_MAX } from './limits.ts';
import { threadEntry } from './thread-entry.ts';
import { OUTSIDE_REQUEST_SLOT, PROGRESS_SLOTS } from './world-thread-messages.ts';
import type { OpResult, SentInput, SentOrRefused, ThreadNotice, ThreadReady, ThreadRequest, ThreadResponse } from './world-thread-messages.ts';

const ENTRY = threadEntry(import.meta.url, 'world-thread');

type WithoutId<Request> = Request extends unknown ? Omit<Request, 'id'> : never;

export interface WorldWorkerOptions {
  /** Wall-clock budget per input; tests lower it. */
  readonly inputDeadlineMs?: number;
  /** Hosted by a node: the thread runs the world's effects, answers `call`s, and reports journal growth to `onHead`. */
  readonly hosted?: boolean;
  readonly onHead?: (height: number) => void;
}

/** A send waiting for the next group, with its caller's promise. */
interface WaitingSend { readonly event: EventInput; readonly resolve: (sent: SentInput) => void; readonly reject: (error: unknown) => void }

/** The delivery index a DeadlineOverrun carries when the thread never began the request (it was stuck between requests). */
const STUCK_OUTSIDE_REQUEST = -2;

/** Thrown when an input overran its deadline: the thread is gone and must be restarted. */
class DeadlineOverrun extends Error {
  constructor(readonly deliveryIndex: number) {
    super(`the step of delivery ${deliveryIndex} overran the deadline`);
  }
}

export class WorldWorker {
  private worker: Worker | null = null;
  private readonly progress = new Int32Array(new SharedArrayBuffer(PROGRESS_SLOTS * Int32Array.BYTES_PER_ELEMENT));
  private nextId = 1;
  private queue: Promise<unknown> = Promise.resolve();
  /** Sends waiting for the next group, in arrival order. */
  private readonly waitingSends: WaitingSend[] = [];
  /** True while a group is queued and has not yet taken the waiting sends. */
  private groupQueued = false;
  /** How many times the watchdog terminated this world's thread. */
  restarts = 0;
  /** Groups of more than one event admitted in one transaction. */
  groupCommits = 0;

  private constructor(readonly dir: string, private readonly deadlineMs: number, private readonly options: WorldWorkerOptions = {}) {}

  static async open(dir: string, options: WorldWorkerOptions = {}): Promise<WorldWorker> {
    const host = new WorldWorker(dir, options.inputDeadlineMs ?? WORLD_INPUT_DEADLINE_MS, options);
    await host.start();
    return host;
  }

  /** Sends an event; resolves once its records are durable (after any aborts the watchdog needed). */
  send(event: EventInput): Promise<SentInput> {
    return new Promise((resolve, reject) => {
      this.waitingSends.push({ event, resolve, reject });
      if (this.groupQueued) return;
      this.groupQueued = true;
      void this.serial(() => this.sendGroup());
    });
  }

  /** Takes the waiting sends (up to WORLD_SEND_GROUP_MAX) and admits them: alone, or as one group. */
  private async sendGroup(): Promise<void> {
    this.groupQueued = false;
    const group = this.waitingSends.splice(0, WORLD_SEND_GROUP_MAX);
    if (this.waitingSends.length > 0) {
      this.groupQueued = true;
      void this.serial(() => this.sendGroup());
    }
    if (group.length > 1 && await this.sendTogether(group)) return;
    for (const item of group) {
      try {
        item.resolve(await this.sendOne(item.event));
      } catch (error) {
        item.reject(error);
      }
    }
  }

  /**
   * One transaction for the whole group; false when it overran or failed as a whole, after
   * which the thread is fresh (reopened from the journal, where nothing of the group is) and
   * the caller sends each event alone.
   */
  private async sendTogether(group: readonly WaitingSend[]): Promise<boolean> {
    let outcomes: SentOrRefused[];
    try {
      outcomes = (await this.request({ type: 'sendBatch', events: group.map((item) => item.event) })) as SentOrRefused[];
    } catch (error) {
      // Overrun (the watchdog killed the thread) or failed as a whole (the thread's world may
      // hold the group's uncommitted steps): either way the group starts over in a fresh thread.
      if (error instanceof DeadlineOverrun) this.restarts += 1;
      await this.start();
      return false;
    }
    this.groupCommits += 1;
    for (const [index, item] of group.entries()) {
      const outcome = outcomes[index];
      if (outcome === undefined) item.reject(new NodeError('BAD_INPUT', 'the world thread answered a group without this event'));
      else if (outcome.ok) item.resolve(outcome.sent);
      else item.reject(outcome.error.name === 'KernelError' ? new KernelError(outcome.error.code as never, outcome.error.message) : new NodeError('BAD_INPUT', outcome.error.message));
    }
    return true;
  }

  /** One event, with the watchdog's aborts: serviced again with each overrunning delivery marked aborted. */
  private async sendOne(event: EventInput): Promise<SentInput> {
    const aborts: number[] = [];
    for (;;) {
      try {
        return (await this.request({ type: 'send', event, aborts })) as SentInput;
      } catch (error) {
        if (!(error instanceof DeadlineOverrun)) throw error;
        if (error.deliveryIndex === STUCK_OUTSIDE_REQUEST) {
          this.restarts += 1;
          await this.start();
          throw new NodeError('BAD_INPUT', `the world's thread was stuck for ${this.deadlineMs} ms in a step outside this input (an effect's receipt); it was restarted and the input was not taken`, 'send it again; if this repeats, look for a workflow that loops when it handles a receipt');
        }
        if (error.deliveryIndex < 0) {
          await this.start();
          throw new NodeError('BAD_INPUT', `the input overran its ${this.deadlineMs} ms deadline before any module step began`, 'the world may be too large to service within the deadline; raise it');
        }
        if (aborts.length >= INPUT_ABORTS_MAX) throw new NodeError('BAD_INPUT', `the input needed more than ${INPUT_ABORTS_MAX} aborted steps; it is refused`, 'look for a module that loops inside a native built-in');
        aborts.push(error.deliveryIndex);
        this.restarts += 1;
        await this.start();
      }
    }
  }

  state(module: string, key: Uint8Array | null = null): Promise<Uint8Array | null> {
    return this.serial(async () => (await this.request({ type: 'state', module, key })) as Uint8Array | null);
  }

  /**
   * A named read or write of a hosted world (node-world-ops.ts), under the same watchdog as
   * inputs: a call that overruns its deadline restarts the thread and is refused.
   */
  call(op: string, args: unknown = null): Promise<OpResult> {
    return this.serial(async () => {
      try {
        return (await this.request({ type: 'call', op, args })) as OpResult;
      } catch (error) {
        if (!(error instanceof DeadlineOverrun)) throw error;
        this.restarts += 1;
        await this.start();
        throw new NodeError('BAD_INPUT', `${op} overran the ${this.deadlineMs} ms deadline; the world was reopened`, 'ask for less (a smaller page or limit)');
      }
    });
  }

  async close(): Promise<void> {
    await this.queue.catch(() => undefined);
    await this.worker?.terminate();
    this.worker = null;
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async start(): Promise<void> {
    await this.worker?.terminate();
    const workerData = { dir: this.dir, progress: this.progress.buffer, hosted: this.options.hosted === true };
    const worker = ENTRY.kind === 'bundle' ? new Worker(ENTRY.url, { workerData }) : new Worker(ENTRY.boot, { eval: true, workerData });
    this.worker = worker;
    const onHead = this.options.onHead;
    if (onHead !== undefined) worker.on('message', (message: ThreadNotice | ThreadResponse | ThreadReady) => { if ('notice' in message) onHead(message.height); });
    const ready = await withDeadline(new Promise<ThreadReady>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    }), WORLD_OPEN_DEADLINE_MS, () => new NodeError('REPLAY_FAILED', `the world in ${this.dir} did not open within ${WORLD_OPEN_DEADLINE_MS} ms`));
    if (!ready.ready) throw new NodeError('REPLAY_FAILED', `the world in ${this.dir} could not open: ${ready.error.message}`);
  }

  private request(body: WithoutId<ThreadRequest>): Promise<unknown> {
    const worker = this.worker;
    if (worker === null) return Promise.reject(new NodeError('NO_WORLD', 'the world worker is closed'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        worker.off('message', onMessage);
        const index = Atomics.load(this.progress, OUTSIDE_REQUEST_SLOT) === 1 ? STUCK_OUTSIDE_REQUEST : Atomics.load(this.progress, 0);
        void worker.terminate();
        reject(new DeadlineOverrun(index));
      }, this.deadlineMs);
      const onMessage = (response: ThreadResponse) => {
        if (response.id !== id) return;
        clearTimeout(timer);
        worker.off('message', onMessage);
        if (response.ok) resolve(response.value);
        else reject(response.error.name === 'KernelError' ? new KernelError(response.error.code as never, response.error.message) : new NodeError('BAD_INPUT', response.error.message));
      };
      worker.on('message', onMessage);
      worker.postMessage({ ...body, id });
    });
  }
}

function withDeadline<T>(work: Promise<T>, ms: number, overrun: () => Error): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(overrun()), ms);
    work.then((value) => { clearTimeout(timer); resolve(value); }, (error: unknown) => { clearTimeout(timer); reject(error); });
  });
}
