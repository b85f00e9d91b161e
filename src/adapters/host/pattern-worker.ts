// Where grep and glob run their regular expressions: a worker thread, under a deadline. The
// pattern comes from the model (grep) or is built from its glob, and a JavaScript RegExp can
// backtrack for minutes on a line of a few dozen characters; on the node's main thread that
// would stall every world it hosts. A match that passes its deadline terminates the worker
// (the next match starts a fresh one) and is refused with HOST_PATTERN_TIMEOUT.
// The worker's code is a self-contained script (no imports), so it runs the same from sources
// and from the bundle.
import { Worker } from 'node:worker_threads';
import { AdapterError } from '../errors.ts';
import { HOST_PATTERN_WORKER_HEAP_MB } from '../limits.ts';

/** What to match: each text's lines (indices of matching lines), or each text whole (indices of matching texts). */
export type PatternMode = 'lines' | 'whole';

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', ({ id, source, flags, texts, mode }) => {
  try {
    const regex = new RegExp(source, flags);
    const found = [];
    for (const text of texts) {
      if (mode === 'whole') { found.push(regex.test(text)); continue; }
      const lines = text.split('\\n');
      const hits = [];
      for (let index = 0; index < lines.length; index += 1) if (regex.test(lines[index])) hits.push(index);
      found.push(hits);
    }
    parentPort.postMessage({ id, found });
  } catch (error) {
    parentPort.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});`;

interface Answer { readonly id: number; readonly found?: unknown[]; readonly error?: string }

/** One worker, matching one request at a time. */
export class PatternWorker {
  private worker: Worker | null = null;
  private nextId = 1;
  private queue: Promise<unknown> = Promise.resolve();

  /** `deadlineMs`: how long one grep or glob may spend matching, over all its calls. */
  constructor(readonly deadlineMs: number) {}

  /** The Date.now() time by which a grep or glob starting now must have matched. */
  deadlineFromNow(): number {
    return Date.now() + this.deadlineMs;
  }

  /** For each text, the indices of its matching lines ('lines') or whether it matches ('whole'); `deadlineAt` is a Date.now() time. */
  match(source: string, flags: string, texts: readonly string[], mode: 'lines', deadlineAt: number): Promise<number[][]>;
  match(source: string, flags: string, texts: readonly string[], mode: 'whole', deadlineAt: number): Promise<boolean[]>;
  match(source: string, flags: string, texts: readonly string[], mode: PatternMode, deadlineAt: number): Promise<unknown[]> {
    const turn = this.queue.then(() => this.send(source, flags, texts, mode, deadlineAt));
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  /** Stops the worker (a later match starts a new one). */
  close(): void {
    void this.worker?.terminate();
    this.worker = null;
  }

  private send(source: string, flags: string, texts: readonly string[], mode: PatternMode, deadlineAt: number): Promise<unknown[]> {
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        worker.off('message', answered);
        worker.off('error', failed);
      };
      const answered = (answer: Answer): void => {
        if (answer.id !== id) return;
        done();
        if (answer.error !== undefined) reject(new AdapterError('HOST_INVALID_PARAMS', `pattern ${JSON.stringify(source)}: ${answer.error}`));
        else resolve(answer.found ?? []);
      };
      const failed = (error: Error): void => {
        done();
        this.worker = null;
        reject(new AdapterError('HOST_PATTERN_TIMEOUT', `the pattern worker failed (${error.message}); try a simpler pattern`));
      };
      const timer = setTimeout(() => {
        done();
        this.close();
        reject(new AdapterError('HOST_PATTERN_TIMEOUT', `the pattern ${JSON.stringify(source.length > 200 ? `${source.slice(0, 200)}…` : source)} did not finish matching within ${this.deadlineMs} ms (catastrophic backtracking?); simplify it, e.g. avoid nested quantifiers like (a+)+`));
      }, Math.max(0, deadlineAt - Date.now()));
      worker.on('message', answered);
      worker.on('error', failed);
      worker.postMessage({ id, source, flags, texts, mode });
    });
  }

  private start(): Worker {
    const worker = new Worker(WORKER_SOURCE, { eval: true, resourceLimits: { maxOldGenerationSizeMb: HOST_PATTERN_WORKER_HEAP_MB } });
    worker.unref(); // an idle matcher never keeps the node alive
    this.worker = worker;
    return worker;
  }
}
