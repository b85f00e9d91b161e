// What every ladder driver gets: a fresh copy of its world, built and created on the embedded
// default with a deterministic clock, adapter keys the world trusts, an effect executor on
// request, helpers to send typed events and read state and journal, and replay-or-die at the end.
import { cpSync, existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import { join } from 'node:path';
import { decodeCanonical, encodeCanonical, hashBytes } from '../src/cbor/index.ts';
import type { CborValue } from '../src/cbor/index.ts';
import { valueFromJson, valueToSugarJson } from '../src/air/index.ts';
import type { Adapter } from '../src/adapters/index.ts';
import { buildWorld, writeModuleHashes } from '../src/cli/build/index.ts';
import { EffectExecutor, EmbeddedWorld, generateKey, loadSigner } from '../src/node/index.ts';
import type { EffectExecutorOptions } from '../src/node/index.ts';
import { checkReceiptSignature } from '../src/kernel/index.ts';
import { JOURNAL_READ_ENTRIES_MAX } from '../src/store/index.ts';
import type { RecordBody, SealedRecord } from '../src/kernel/index.ts';
import { LadderClock } from './ladder-clock.ts';

/** Records a ladder driver reads back at most: far more than any ladder world writes. */
const LADDER_RECORDS_MAX = 100_000;
/** Records read per page: the journal refuses larger reads. */
const LADDER_PAGE_RECORDS = JOURNAL_READ_ENTRIES_MAX;
/** Event-loop turns a driver waits for a condition before it fails (never a timed wait). */
const LADDER_TURNS_MAX = 10_000;

/** An adapter for a ladder world's executor; `deadlineMs: null` for adapters that wait on the clock (timers). */
export interface LadderRoute {
  readonly adapter: Adapter;
  readonly deadlineMs?: number | null;
}

/** A ladder world under test. */
export class LadderWorld {
  /** Stamps inputs and fires timers; time moves only when the driver advances it. */
  readonly clock: LadderClock;
  private running: EffectExecutor | undefined;

  private constructor(readonly dir: string, public world: EmbeddedWorld, clock: LadderClock) {
    this.clock = clock;
  }

  /**
   * Copies and builds the world; generates `adapterKeys` (adapter ids) first, so the world trusts them.
   * `airFolder` names a sibling of the world's air/ (say "air.cap_deny") to use as its AIR instead:
   * a fixture with variant AIR runs each variant in a fresh world.
   */
  static async start(source: string, adapterKeys: readonly string[] = [], airFolder = 'air'): Promise<LadderWorld> {
    const dir = mkdtempSync(join(tmpdir(), 'aos-ladder-'));
    cpSync(source, dir, { recursive: true, filter: (path) => !path.includes(`${join(source, '.aos')}`) });
    if (airFolder !== 'air') {
      if (!existsSync(join(dir, airFolder))) throw new Error(`${source} has no AIR folder ${airFolder}`);
      rmSync(join(dir, 'air'), { recursive: true, force: true });
      renameSync(join(dir, airFolder), join(dir, 'air'));
    }
    const built = await buildWorld(dir);
    writeModuleHashes(dir, built.modules);
    for (const name of adapterKeys) generateKey(dir, { name, role: 'adapter' });
    const clock = new LadderClock();
    return new LadderWorld(dir, await EmbeddedWorld.create(dir, clock), clock);
  }

  /** Starts the world's effect executor (with `options`, such as its secrets); each adapter signs with the node key named after its id. */
  executor(routes: readonly LadderRoute[], options: EffectExecutorOptions = {}): EffectExecutor {
    if (this.running !== undefined) throw new Error('this ladder world already runs an executor');
    this.running = new EffectExecutor(this.world, routes.map((route) => ({ ...route, signer: loadSigner(this.dir, route.adapter.id) })), options);
    return this.running;
  }

  /** Dispatches open work and lets the event loop turn (at least once) until `done` holds; fails on executor problems. */
  async until(what: string, done: () => boolean): Promise<void> {
    for (let turn = 0; turn < LADDER_TURNS_MAX && (turn === 0 || !done()); turn += 1) {
      this.running?.dispatch();
      await new Promise((resolve) => setImmediate(resolve));
    }
    const problems = this.running?.problems ?? [];
    if (problems.length > 0) throw new Error(`the executor could not settle: ${problems.map((problem) => problem.message).join('; ')}`);
    if (!done()) throw new Error(`${what} did not happen within ${LADDER_TURNS_MAX} event-loop turns`);
  }

  /** Every journal record from `from` on (of one kind, when given). */
  records(from = 0, kind?: RecordBody['kind']): SealedRecord[] {
    const records: SealedRecord[] = [];
    for (let height = from; height < from + LADDER_RECORDS_MAX; height += LADDER_PAGE_RECORDS) {
      const page = this.world.tail(height, LADDER_PAGE_RECORDS);
      records.push(...page.filter((record) => kind === undefined || record.body.kind === kind));
      if (page.length < LADDER_PAGE_RECORDS) return records;
    }
    throw new Error(`the journal holds more than ${LADDER_RECORDS_MAX} records from height ${from}; ladder worlds stay far smaller`);
  }

  /** Checks every journaled receipt's ed25519 signature against the world's trusted keys; returns how many. */
  verifyReceiptSignatures(): number {
    const receipts = this.records(0, 'effect_receipt');
    for (const { body, height } of receipts) {
      if (body.kind !== 'effect_receipt') throw new Error(`record ${height} is not a receipt`);
      const check = checkReceiptSignature(this.world.trustedKeys(), { ...body, payload_hash: hashBytes(body.payload), cost_cents: body.cost_cents ?? null, usage: body.usage ?? null }, body.signature);
      if (!check.ok) throw new Error(`receipt at height ${height} does not verify: ${check.message}`);
    }
    return receipts.length;
  }

  /** Sends an event written in the sugar (or canonical) lens; returns its records. */
  send(schema: string, json: unknown): SealedRecord[] {
    const value = valueFromJson(json, { ref: schema }, this.world.view.index, { path: 'event' });
    return this.world.send({ schema, value: encodeCanonical(value, { selfDescribe: false }) });
  }

  /** A workflow's state in the sugar lens (null when it has none). */
  state(workflow: string, keyJson?: unknown): unknown {
    const module = this.world.view.modules.get(workflow);
    if (module?.abi.workflow === undefined) throw new Error(`no workflow ${workflow}`);
    const key = keyJson === undefined || module.key_schema === undefined ? null
      : encodeCanonical(valueFromJson(keyJson, { ref: module.key_schema }, this.world.view.index, { path: 'key' }), { selfDescribe: false });
    const bytes = this.world.state(workflow, key);
    return bytes === null ? null : valueToSugarJson(decodeCanonical(bytes), { ref: module.abi.workflow.state }, this.world.view.index);
  }

  /** Every cell of a keyed workflow: its key and state, in the sugar lens. */
  cells(workflow: string): Array<{ key: CborValue; state: unknown }> {
    const module = this.world.view.modules.get(workflow);
    const stateSchema = module?.abi.workflow?.state ?? '';
    return this.world.cells(workflow).map((cell) => ({
      key: cell.key === null ? null : decodeCanonical(cell.key),
      state: cell.state === null ? null : valueToSugarJson(decodeCanonical(cell.state), { ref: stateSchema }, this.world.view.index),
    }));
  }

  snapshot(): void {
    this.world.snapshot();
  }

  /**
   * A crash and restart: stops the executor (its running adapters are aborted, their outcomes
   * dropped), closes the world and opens it again from its folder (latest snapshot + journal
   * tail) on the same clock; fails unless it comes back at the same head. Start a fresh
   * executor afterwards: it re-attaches the open work from the journal.
   */
  async reopen(): Promise<void> {
    this.running?.close();
    this.running = undefined;
    const before = this.world.head;
    this.world.close();
    this.world = await EmbeddedWorld.open(this.dir, { clock: this.clock });
    if (this.world.head.hash !== before.hash) throw new Error(`reopening gives head ${this.world.head.hash ?? '-'}, the world had ${before.hash ?? '-'}`);
  }

  /** Replay or die: reopen from durable state (latest snapshot + tail), then replay from genesis and every snapshot. */
  async replayOrDie(): Promise<{ heights: number; snapshots: number }> {
    this.running?.close();
    this.running = undefined;
    const before = this.world.head;
    this.world.close();
    this.world = await EmbeddedWorld.open(this.dir);
    if (this.world.head.hash !== before.hash) throw new Error(`reopening gives head ${this.world.head.hash ?? '-'}, the live world had ${before.hash ?? '-'}`);
    return this.world.verifyReplay();
  }

  close(): void {
    this.running?.close();
    this.world.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A ladder driver: drives its world, asserting as it goes; throws to fail. */
export interface LadderDriver {
  readonly slug: string;
  readonly world: string;
  /** Adapter ids whose keys the world is created trusting (their adapters sign its receipts). */
  readonly adapterKeys?: readonly string[];
  run(world: LadderWorld): Promise<void> | void;
}

/** Deep equality as the journal sees it: bigints and numbers alike, record fields in any order, bytes as hex. */
export function expectEqual(actual: unknown, expected: unknown, what: string): void {
  const a = JSON.stringify(actual, comparable);
  const e = JSON.stringify(expected, comparable);
  if (a !== e) throw new Error(`${what}: expected ${e}, got ${a}`);
}

function comparable(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Uint8Array) return `0x${Buffer.from(value).toString('hex')}`;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)));
}

/** The kinds of records in order, for asserting a journal's shape. */
export function kindsOf(records: readonly SealedRecord[]): string[] {
  return records.map((record) => record.body.kind);
}

/** Bytes of a request body the loopback server reads at most: ladder requests are tiny. */
const LOOPBACK_REQUEST_BYTES_MAX = 1024 * 1024;

/** A request the loopback server received. */
export interface LoopbackRequest {
  readonly method: string;
  /** The request target as sent (path and query). */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Uint8Array;
}

/** What the loopback server answers. */
export interface LoopbackReply {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body: string | Uint8Array;
}

/**
 * An HTTP server on 127.0.0.1 (a port the OS picks) for ladder worlds whose effects go out over
 * real HTTP: it records every request and answers with `reply`, which may hold an answer back
 * (a pending promise) so a driver can order responses.
 */
export class LoopbackServer {
  readonly requests: LoopbackRequest[] = [];
  private answeredCount = 0;
  private waiters: Array<() => void> = [];

  private constructor(private readonly server: Server, readonly origin: string) {}

  static async start(reply: (request: LoopbackRequest) => LoopbackReply | Promise<LoopbackReply>): Promise<LoopbackServer> {
    let self: LoopbackServer | undefined;
    const server = createServer((incoming, outgoing) => {
      const chunks: Buffer[] = [];
      let size = 0;
      incoming.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > LOOPBACK_REQUEST_BYTES_MAX) incoming.destroy(new Error(`a request body over ${LOOPBACK_REQUEST_BYTES_MAX} bytes`));
        else chunks.push(chunk);
      });
      incoming.on('end', () => {
        const request: LoopbackRequest = { method: incoming.method ?? '', path: incoming.url ?? '', headers: incoming.headers, body: new Uint8Array(Buffer.concat(chunks)) };
        self?.record(request);
        // A reply that throws answers 500 with its message: the driver's checks then fail on the receipt.
        const failed = (error: unknown): LoopbackReply => ({ status: 500, headers: { 'content-type': 'text/plain' }, body: error instanceof Error ? error.message : String(error) });
        void Promise.resolve().then(() => reply(request)).catch(failed).then((answer) => {
          outgoing.on('finish', () => self?.countAnswer());
          outgoing.writeHead(answer.status, answer.headers ?? {});
          outgoing.end(typeof answer.body === 'string' ? Buffer.from(answer.body, 'utf8') : answer.body);
        });
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('the loopback server has no TCP address');
    self = new LoopbackServer(server, `http://127.0.0.1:${address.port}`);
    return self;
  }

  /** Resolves once `count` responses have been written in full. */
  answered(count: number): Promise<void> {
    return this.waitFor(() => this.answeredCount >= count);
  }

  /** Resolves once `count` requests have arrived. */
  received(count: number): Promise<void> {
    return this.waitFor(() => this.requests.length >= count);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private record(request: LoopbackRequest): void {
    this.requests.push(request);
    this.wake();
  }

  private countAnswer(): void {
    this.answeredCount += 1;
    this.wake();
  }

  private waitFor(done: () => boolean): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = (): void => {
        if (done()) resolve();
        else this.waiters.push(check);
      };
      this.waiters.push(check);
    });
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }
}

/**
 * Answers a LoopbackServer holds back until the driver releases them, by a key the driver
 * chooses (a path, an order id…): every request with that key gets the released answer, so a
 * driver can order responses and look at the world between them.
 */
export class HeldReplies {
  private readonly held = new Map<string, (reply: LoopbackReply) => void>();
  private readonly promises = new Map<string, Promise<LoopbackReply>>();

  /** The answer for `key`: pending until released. */
  answer(key: string): Promise<LoopbackReply> {
    const existing = this.promises.get(key);
    if (existing !== undefined) return existing;
    const promise = new Promise<LoopbackReply>((resolve) => this.held.set(key, resolve));
    this.promises.set(key, promise);
    return promise;
  }

  /** Answers every request with `key`, those to come included. */
  release(key: string, reply: LoopbackReply): void {
    void this.answer(key);
    const resolve = this.held.get(key);
    if (resolve === undefined) throw new Error(`no answer held for ${key}`);
    resolve(reply);
  }
}
