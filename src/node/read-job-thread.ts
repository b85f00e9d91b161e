// A read-job thread: runs one job (read-jobs.ts) on the world folder it names, posts the answer
// or the error, and ends. Started by read-job.ts, one thread per job, so the node's main thread
// (the API, the journal tails) never waits for a long read.
import { parentPort, workerData } from 'node:worker_threads';
import { AirError } from '../air/index.ts';
import { CborError } from '../cbor/index.ts';
import { KernelError } from '../kernel/index.ts';
import { NodeError } from './errors.ts';
import type { ReadJobReply } from './read-job.ts';
import { runJob } from './read-jobs.ts';
import type { ReadJob } from './read-jobs.ts';

/** The errors the API answers by their code (api-errors.ts); any other is an unexpected failure there. */
function isCoded(error: unknown): error is NodeError | KernelError | AirError | CborError {
  return error instanceof NodeError || error instanceof KernelError || error instanceof AirError || error instanceof CborError;
}

async function replyTo(job: ReadJob): Promise<ReadJobReply> {
  try {
    return { ok: true, value: await runJob(job) };
  } catch (error) {
    if (isCoded(error)) return { ok: false, error: { coded: true, code: error.code, message: error.message, ...(error instanceof NodeError && error.hint !== undefined ? { hint: error.hint } : {}) } };
    return { ok: false, error: { coded: false, code: String((error as { code?: unknown }).code ?? 'INTERNAL'), message: error instanceof Error ? error.message : String(error) } };
  }
}

parentPort?.postMessage(await replyTo(workerData as ReadJob));
