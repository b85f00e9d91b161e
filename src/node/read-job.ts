// The node's long read-only jobs (an audit with its replay, an export: read-jobs.ts) each run on
// a short-lived thread of their own, which opens the world read-only, answers, and ends. The
// main thread only waits for the answer, so the API, every other world and the journal tails
// (server-sent events) are served meanwhile. A pool per kind of job bounds how many run at once.
import { Worker } from 'node:worker_threads';
import { assert } from '../cbor/index.ts';
import { WorldOpError } from './node-host.ts';
import type { ReadJob, ReadJobValues } from './read-jobs.ts';
import { threadEntry } from './thread-entry.ts';

const ENTRY = threadEntry(import.meta.url, 'read-job-thread');

/** What a read-job thread posts once: the job's value, or how it failed. */
export type ReadJobReply =
  | { readonly ok: true; readonly value: unknown }
  /** `coded`: a layer's error the API answers by its code (and hint); otherwise an unexpected failure. */
  | { readonly ok: false; readonly error: { readonly coded: boolean; readonly code: string; readonly message: string; readonly hint?: string } };

/**
 * A job that failed unexpectedly: its thread crashed, or it threw an error the API has no status
 * for. The API answers it with a 500, as it did when these jobs ran on the main thread.
 */
export class ReadJobError extends Error {
  override readonly name = 'ReadJobError';
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

/** Runs `job` on a thread of its own; resolves once that thread has ended. */
export function runReadJob<Kind extends ReadJob['kind']>(job: Extract<ReadJob, { kind: Kind }>): Promise<ReadJobValues[Kind]> {
  return new Promise((resolve, reject) => {
    const worker = ENTRY.kind === 'bundle' ? new Worker(ENTRY.url, { workerData: job }) : new Worker(ENTRY.boot, { eval: true, workerData: job });
    let reply: ReadJobReply | null = null;
    let crash: unknown = null;
    worker.once('message', (message: ReadJobReply) => {
      reply = message;
      // The job closed the world before it answered: end the thread now rather than wait for
      // whatever its modules left scheduled.
      void worker.terminate();
    });
    worker.once('error', (error) => { crash = error; });
    worker.once('exit', (exitCode) => {
      if (reply === null) {
        const why = crash instanceof Error ? crash.message : `its thread exited with code ${exitCode} before answering`;
        reject(new ReadJobError('INTERNAL', `the ${job.kind} job of the world in ${job.dir} crashed: ${why}`));
      } else if (reply.ok) {
        resolve(reply.value as ReadJobValues[Kind]);
      } else {
        const { coded, code, message, hint } = reply.error;
        reject(coded ? new WorldOpError(code, message, hint) : new ReadJobError(code, message));
      }
    });
  });
}

/** Runs jobs of one kind, at most `atOnceMax` at a time; the caller refuses more while it is `full`. */
export class ReadJobPool {
  private running = 0;

  constructor(private readonly atOnceMax: number) {
    assert(Number.isInteger(atOnceMax) && atOnceMax >= 1, 'a read-job pool runs at least one job');
  }

  get full(): boolean {
    return this.running >= this.atOnceMax;
  }

  async run<Kind extends ReadJob['kind']>(job: Extract<ReadJob, { kind: Kind }>): Promise<ReadJobValues[Kind]> {
    assert(!this.full, 'a read job starts only when its pool has room (the caller checks `full`)');
    this.running += 1;
    try {
      return await runReadJob(job);
    } finally {
      this.running -= 1;
    }
  }
}
