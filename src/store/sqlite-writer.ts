// The database's side of its writer thread (sqlite-writer-thread.ts): starts it, posts deferred
// writes to it, waits (blocking this thread) until they are committed when this thread must read
// or write the file itself, and passes on what the thread reports: how far the writes are
// durable, or that it failed. The thread's code is found as the sandbox's worker is: shipped, the
// bundle beside this code (dist/sqlite-writer-thread.js, package.json's build); from sources, the
// TypeScript file beside this one, with tsx registered in the thread. A program that bundles our
// code another way and leaves the thread out gets no writer: its deferred writes run inline.
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { StoreError } from './errors.ts';
import { SQLITE_BUSY_TIMEOUT_MS, SQLITE_WRITER_QUEUE_MAX, SQLITE_WRITER_WAIT_MS_MAX } from './limits.ts';
import {
  CONTROL_BYTES, CONTROL_COMMITTED, CONTROL_MESSAGE_BYTES, CONTROL_STATE, CONTROL_WORDS, recordFailure, WRITER_CLOSED, WRITER_RUNNING,
} from './sqlite-writer-protocol.ts';
import type { FromWriter, SqliteWrite, ToWriter, WriterStart } from './sqlite-writer-protocol.ts';

/** File name of the bundled thread, beside the bundle that holds this code. */
export const BUNDLED_WRITER_FILE = 'sqlite-writer-thread.js';

/** What the writer tells its database, on the database's event loop. */
export interface WriterEvents {
  /** Every write up to `seq` is committed and durable. */
  durable(seq: number): void;
  /** The writer stopped: nothing more will be committed. */
  failed(error: StoreError): void;
}

/** A running writer thread. */
export class SqliteWriter {
  private posted = 0;
  private ended = false;

  private constructor(
    private readonly worker: Worker,
    private readonly words: Int32Array,
    private readonly message: Uint8Array,
    private readonly file: string,
  ) {}

  /** Starts a writer for `file`, or returns null when its code is not available (see the file comment). */
  static start(file: string, events: WriterEvents): SqliteWriter | null {
    const entry = writerEntry(import.meta.url);
    if (entry === null) return null;
    const control = new SharedArrayBuffer(CONTROL_BYTES);
    const workerData: WriterStart = { file, control, busyTimeoutMs: SQLITE_BUSY_TIMEOUT_MS };
    const worker = entry.kind === 'bundle' ? new Worker(entry.url, { workerData }) : new Worker(entry.boot, { eval: true, workerData });
    // The thread keeps the process alive only while a write it was given is not durable yet
    // (as an fdatasync in flight does), so an idle database never holds a process open.
    worker.unref();
    const writer = new SqliteWriter(worker, new Int32Array(control, 0, CONTROL_WORDS), new Uint8Array(control, CONTROL_WORDS * Int32Array.BYTES_PER_ELEMENT), file);
    worker.on('message', (message: FromWriter) => {
      if (message.kind === 'failed') return writer.failedWith(writer.failure(), events);
      if (message.seq >= writer.posted) writer.worker.unref();
      events.durable(message.seq);
    });
    worker.on('error', (error) => writer.failedWith(writer.stop(`its thread failed: ${error.message}`), events));
    worker.on('exit', (code) => {
      if (Atomics.load(writer.words, CONTROL_STATE) === WRITER_RUNNING) writer.failedWith(writer.stop(`its thread exited (code ${code})`), events);
    });
    return writer;
  }

  /**
   * Posts write number `seq` (numbers increase); committed after every write posted before it.
   * When SQLITE_WRITER_QUEUE_MAX writes wait uncommitted (a disk slower than the world), this
   * first waits for them: the queue, and so memory, stays bounded, as it was when this thread
   * wrote itself.
   */
  post(seq: number, writes: readonly SqliteWrite[]): void {
    if (this.posted - Atomics.load(this.words, CONTROL_COMMITTED) >= SQLITE_WRITER_QUEUE_MAX) this.waitCommitted();
    this.posted = seq;
    this.worker.ref();
    this.worker.postMessage({ kind: 'write', seq, writes } satisfies ToWriter);
  }

  /** True while some posted write is not committed yet. */
  get behind(): boolean {
    return Atomics.load(this.words, CONTROL_COMMITTED) < this.posted;
  }

  /** Blocks until every posted write is committed; throws the writer's failure. */
  waitCommitted(): void {
    const deadline = performance.now() + SQLITE_WRITER_WAIT_MS_MAX;
    for (;;) {
      const committed = Atomics.load(this.words, CONTROL_COMMITTED);
      if (committed >= this.posted) return;
      if (Atomics.load(this.words, CONTROL_STATE) !== WRITER_RUNNING) throw this.failure();
      const left = deadline - performance.now();
      if (left <= 0) {
        throw new StoreError('IO', `${this.file}: the writer thread committed nothing for ${SQLITE_WRITER_WAIT_MS_MAX} ms (write ${committed} of ${this.posted}); stop the node, check the disk, and reopen the world`);
      }
      Atomics.wait(this.words, CONTROL_COMMITTED, committed, left);
    }
  }

  /** Closes the thread's connection (after what it has queued) and waits until it has. */
  close(): void {
    if (this.ended) return;
    this.ended = true;
    if (Atomics.load(this.words, CONTROL_STATE) === WRITER_RUNNING) {
      this.worker.postMessage({ kind: 'close' } satisfies ToWriter);
      const deadline = performance.now() + SQLITE_WRITER_WAIT_MS_MAX;
      while (Atomics.load(this.words, CONTROL_STATE) === WRITER_RUNNING && performance.now() < deadline) {
        Atomics.wait(this.words, CONTROL_STATE, WRITER_RUNNING, deadline - performance.now());
      }
    }
    void this.worker.terminate();
  }

  /** The failure the thread reported, as the database reports it. */
  failure(): StoreError {
    const state = Atomics.load(this.words, CONTROL_STATE);
    if (state === WRITER_CLOSED) return new StoreError('CLOSED', `${this.file} was closed; open the node store again`);
    const length = Atomics.load(this.words, CONTROL_MESSAGE_BYTES);
    const text = new TextDecoder().decode(this.message.slice(0, length));
    return writerFailure(this.file, text);
  }

  private failedWith(error: StoreError, events: WriterEvents): void {
    this.worker.unref();
    events.failed(error);
  }

  // The thread died without saying why: it is told so, and so is the database.
  private stop(reason: string): StoreError {
    if (Atomics.load(this.words, CONTROL_STATE) === WRITER_RUNNING) recordFailure(this.words.buffer as SharedArrayBuffer, reason);
    return this.failure();
  }
}

function writerFailure(file: string, what: string): StoreError {
  return new StoreError('IO', `${file}: the writer thread stopped: ${what}; what reached the disk is unknown, so this database refuses further use: stop the node, check the disk, and reopen the world`);
}

type WriterEntry = { readonly kind: 'bundle'; readonly url: URL } | { readonly kind: 'source'; readonly boot: string };

function writerEntry(hostUrl: string): WriterEntry | null {
  if (!new URL(hostUrl).pathname.endsWith('.ts')) {
    const url = new URL(`./${BUNDLED_WRITER_FILE}`, hostUrl);
    return existsSync(url) ? { kind: 'bundle', url } : null;
  }
  const url = new URL('./sqlite-writer-thread.ts', hostUrl);
  return { kind: 'source', boot: `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(url.href)}); });` };
}
