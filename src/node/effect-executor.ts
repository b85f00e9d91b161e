// The owner/executor seam (DESIGN §7): runs a world's open intents on adapters and hands their
// signed receipts back to the world.
// - An intent starts only when its effect_intent record is durable (below the journal's durable
//   height). The one exception is an adapter that works only inside the world's store
//   (`inStore`: blob.put and blob.get): it starts once the intent is admitted, as nothing it does
//   can outlive a crash that takes the intent (adapter.ts): what it stages is written with or
//   after the intent's record. A chain of blob puts steps on while the disk catches up.
// - An intent waiting for approval (a require_approval policy decision) is not started: it is
//   picked up by the first dispatch after the approvals that reach the quorum.
// - At-least-once: `dispatch()` starts every open intent of the world that is not running, so a
//   fresh executor on a reopened world re-attaches all open work from the journal; adapters get
//   the intent's stable idempotency key. Within one executor an intent runs once: one whose
//   receipt is signed but waits for its group commit still counts as running. A second receipt
//   for a settled intent is fenced by the world (DUPLICATE_RECEIPT) and dropped here.
// - Each intent has a deadline (its route's, else the executor's): when it passes, the adapter's
//   signal aborts and the intent settles as a `timeout` receipt. An adapter that throws settles as
//   an `error` receipt. Both carry a failure message (canonical CBOR text) as their payload.
// - At most `inFlightMax` intents run at once; the rest wait in emission order.
// - Receipts of intents that settle together (within one turn of the event loop's microtasks:
//   blob puts started by one step, say) are admitted in one transaction (group commit); each is
//   admitted as receipt() would, and a refusal touches only its own. Its write and fsync are
//   deferred (EmbeddedWorld.receipts): nobody outside waits on a receipt, so the world steps on,
//   and every intent that must wait for durability is dispatched once it has. After each group
//   the executor dispatches again: the steps it triggered may have opened new intents. Groups
//   follow each other in microtasks for at most EXECUTOR_TURN_MS_MAX; then the event loop turns
//   (API requests, timers, and the world writes the groups admitted meanwhile, together).
// - `idle()` resolves only once every receipt the executor admitted is durable.
import type { Adapter, AdapterBlobs, AdapterContext, AdapterIntent, AdapterOutcome, AdapterSecrets, ReceiptSigner } from '../adapters/index.ts';
import { AirError, typedBytesChecker, valueFromCbor } from '../air/index.ts';
import { assert, CborError, decodeVerified, encodeCanonical, hashBytes } from '../cbor/index.ts';
import type { Hash } from '../cbor/index.ts';
import { KernelError, RECEIPT_FAILURE_MESSAGE_BYTES_MAX } from '../kernel/index.ts';
import type { OpenIntent, ReceiptInput } from '../kernel/index.ts';
import type { EmbeddedWorld } from './embedded-world.ts';
import { Deadlines } from './deadlines.ts';
import { NodeError } from './errors.ts';
import { EFFECT_DEADLINE_MS_DEFAULT, EXECUTOR_INTENTS_IN_FLIGHT_MAX, EXECUTOR_RECEIPT_GROUP_MAX, EXECUTOR_TURN_MS_MAX } from './limits.ts';

const TURN_NS_MAX = BigInt(EXECUTOR_TURN_MS_MAX) * 1_000_000n;

/** An adapter, the key that signs its receipts, and its deadline (null: none, as for timers). */
export interface ExecutorRoute {
  readonly adapter: Adapter;
  readonly signer: ReceiptSigner;
  readonly deadlineMs?: number | null;
}

/** How an executor runs. */
export interface EffectExecutorOptions {
  /** Default per-intent deadline; EFFECT_DEADLINE_MS_DEFAULT when absent. */
  readonly deadlineMs?: number;
  /** Intents run at once; EXECUTOR_INTENTS_IN_FLIGHT_MAX when absent. */
  readonly inFlightMax?: number;
  /**
   * Secret values adapters may resolve, per grant: an execution gets `forGrant(intent's grant)`,
   * so a secret an adapter names itself (a provider's API key) resolves only for the grants its
   * defsecret allows. By default every secret is refused.
   */
  readonly secrets?: GrantSecrets;
  /** Wall-clock nanoseconds for adapters' timings. */
  readonly now?: () => bigint;
}

/**
 * Something the executor could not settle: an intent no adapter executes, or a receipt the world
 * refused. The intent stays open, and this executor does not start it again (it would be refused
 * again); a new executor (after a restart, or with the right key) does.
 */
export interface ExecutorProblem {
  readonly intent_hash: Hash;
  readonly message: string;
}

/** Secrets by the grant an execution runs under (NodeSecrets is one). */
export interface GrantSecrets {
  forGrant(grant: string): AdapterSecrets;
}

const NO_SECRETS: AdapterSecrets = {
  resolve(name) {
    throw new NodeError('BAD_INPUT', `no secret ${name} is available to adapters here`, 'give the executor a secrets source');
  },
};

/** Runs a world's open intents on adapters; see the file comment for its guarantees. */
export class EffectExecutor {
  /** Problems so far, oldest first (each intent at most once). */
  readonly problems: ExecutorProblem[] = [];
  private readonly routes = new Map<string, ExecutorRoute>();
  private readonly running = new Map<Hash, AbortController>();
  /** The world's CAS as adapters see it. */
  private readonly blobs: AdapterBlobs;
  /** The running intents' deadlines, on one timer. */
  private readonly deadlines = new Deadlines();
  private readonly waiting: OpenIntent[] = [];
  private readonly waitingSet = new Set<Hash>();
  private readonly reported = new Set<Hash>();
  private idleWaiters: Array<() => void> = [];
  /** Signed receipts waiting for the next group commit, in the order their intents settled. */
  private readonly settled: Array<{ readonly intent: OpenIntent; readonly route: ExecutorRoute; readonly receipt: ReceiptInput }> = [];
  /** The intents of `settled`: still open in the world until their group is admitted, and not to be started again. */
  private readonly settledSet = new Set<Hash>();
  private flushQueued = false;
  /** When the current run of back-to-back flushes began (hrtime ns), or null once the event loop has turned. */
  private turnStartedNs: bigint | null = null;
  private awaitingDisk = false;
  private closed = false;
  /** Why the executor stopped on its own (the disk failed a sync), or null. */
  private failure: Error | null = null;
  private readonly deadlineMs: number;
  private readonly inFlightMax: number;

  constructor(private readonly world: EmbeddedWorld, routes: readonly ExecutorRoute[], private readonly options: EffectExecutorOptions = {}) {
    const cas = world.cas;
    // Staged: durable with the receipt that names them, which the world journals next.
    this.blobs = { put: (bytes) => cas.stage(bytes), get: (hash) => cas.get(hash) };
    this.deadlineMs = options.deadlineMs ?? EFFECT_DEADLINE_MS_DEFAULT;
    this.inFlightMax = options.inFlightMax ?? EXECUTOR_INTENTS_IN_FLIGHT_MAX;
    if (!(this.deadlineMs > 0) || !Number.isInteger(this.inFlightMax) || this.inFlightMax < 1) {
      throw new NodeError('BAD_INPUT', `executor deadline ${this.deadlineMs} ms and concurrency ${this.inFlightMax} must be positive`, 'pass a positive deadlineMs and inFlightMax');
    }
    for (const route of routes) {
      if (route.signer.adapterId !== route.adapter.id) {
        throw new NodeError('BAD_INPUT', `adapter ${route.adapter.id} is given the signing key of ${route.signer.adapterId}`, 'sign each adapter\'s receipts with the key named after its adapter_id');
      }
      for (const def of world.view.effects.values()) if (route.adapter.kinds.includes(def.name)) this.routes.set(def.kind, route);
    }
  }

  /** Starts every open intent that may start (see the file comment) and is neither running nor waiting; call after open and after each send. */
  dispatch(): void {
    if (this.closed) return;
    const fresh = [...this.world.openIntents().values()]
      .filter((intent) => intent.approval === null && !this.running.has(intent.hash) && !this.waitingSet.has(intent.hash) && !this.settledSet.has(intent.hash) && !this.reported.has(intent.hash))
      .sort((a, b) => a.emittedAt - b.emittedAt);
    let awaitsDisk = false;
    for (const intent of fresh) {
      const route = this.routes.get(intent.kind);
      if (route === undefined) {
        this.report(intent.hash, `no adapter executes ${intent.kind}; intent ${intent.hash} stays open until one is configured`);
        continue;
      }
      if (!this.mayStart(intent, route)) {
        awaitsDisk = true;
        continue;
      }
      this.waiting.push(intent);
      this.waitingSet.add(intent.hash);
    }
    if (awaitsDisk) this.dispatchWhenDurable();
    this.pump();
    this.notifyIfIdle();
  }

  /**
   * Resolves when no intent is running or waiting (timers waiting for their time are running),
   * and every receipt admitted so far is durable; rejects if it could not be written or synced.
   */
  async idle(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.idleWaiters.push(resolve);
      this.notifyIfIdle();
    });
    if (this.failure !== null) throw this.failure;
  }

  /** Intents running now, by hash. */
  get inFlight(): ReadonlySet<Hash> {
    return new Set(this.running.keys());
  }

  /**
   * Stops: running adapters are aborted and their outcomes dropped; their intents stay open in
   * the journal and run again when the world is reopened (at-least-once).
   */
  close(): void {
    this.closed = true;
    this.deadlines.close();
    for (const controller of this.running.values()) controller.abort(new NodeError('BAD_INPUT', 'the executor closed'));
    this.running.clear();
    this.waiting.length = 0;
    this.waitingSet.clear();
    this.settled.length = 0;
    this.settledSet.clear();
    this.notifyIfIdle();
  }

  private pump(): void {
    while (!this.closed && this.running.size < this.inFlightMax && this.waiting.length > 0) {
      const intent = this.waiting.shift();
      assert(intent !== undefined, 'the queue is not empty');
      this.waitingSet.delete(intent.hash);
      if (!this.world.openIntents().has(intent.hash)) continue; // settled while it waited
      const route = this.routes.get(intent.kind);
      assert(route !== undefined, 'only routed intents are queued');
      const controller = new AbortController();
      this.running.set(intent.hash, controller);
      void this.run(intent, route, controller);
    }
  }

  private async run(intent: OpenIntent, route: ExecutorRoute, controller: AbortController): Promise<void> {
    assert(this.mayStart(intent, route), 'an intent starts only once its record is durable (admitted, for an in-store adapter)');
    const outcome = await this.execute(intent, route, controller);
    if (this.running.get(intent.hash) !== controller) return; // closed meanwhile: the outcome is dropped
    this.running.delete(intent.hash);
    this.settled.push({ intent, route, receipt: this.signed(intent, route, outcome) });
    this.settledSet.add(intent.hash);
    if (!this.flushQueued) this.scheduleFlush();
  }

  // After the microtasks already queued, so the continuations of other adapters that settled in
  // the same turn join the group; after the event loop turns, once this run of flushes has held
  // the thread for EXECUTOR_TURN_MS_MAX.
  private scheduleFlush(): void {
    this.flushQueued = true;
    const now = process.hrtime.bigint();
    if (this.turnStartedNs === null) {
      this.turnStartedNs = now;
      setImmediate(() => {
        this.turnStartedNs = null;
      });
    }
    if (now - this.turnStartedNs >= TURN_NS_MAX) setImmediate(() => this.flush());
    else queueMicrotask(() => this.flush());
  }

  /** Admits the settled receipts in one transaction, then dispatches what their steps opened. */
  private flush(): void {
    this.flushQueued = false;
    if (this.closed) return;
    const group = this.settled.splice(0, EXECUTOR_RECEIPT_GROUP_MAX);
    let results: ReturnType<EmbeddedWorld['receipts']>;
    try {
      // Signed here, by signers whose keys the world checks it trusts: no need to verify again.
      results = this.world.receipts(group.map(({ route, receipt }) => ({ receipt, signedWith: route.signer.publicKey })), 'deferred');
    } catch (error) {
      // The world refuses the whole group (opened read-only, say): each intent stays open.
      if (!(error instanceof NodeError || error instanceof KernelError)) throw error;
      results = group.map(() => ({ error }));
    } finally {
      // Admitted now, or refused and reported: either way not to be started again by this executor.
      for (const { intent } of group) this.settledSet.delete(intent.hash);
    }
    results.forEach((result, index) => {
      const intent = group[index]?.intent;
      if (!('error' in result) || intent === undefined) return;
      const error = result.error;
      if (error instanceof KernelError && (error.code === 'DUPLICATE_RECEIPT' || error.code === 'UNKNOWN_INTENT')) return;
      this.report(intent.hash, error.message);
    });
    if (this.settled.length > 0) this.scheduleFlush();
    this.dispatch();
  }

  /** The adapter's outcome, a timeout when the deadline passes first, or an error when it throws. */
  private execute(intent: OpenIntent, route: ExecutorRoute, controller: AbortController): Promise<AdapterOutcome> {
    const deadlineMs = route.deadlineMs === undefined ? this.deadlineMs : route.deadlineMs;
    return new Promise<AdapterOutcome>((resolve) => {
      const deadline = deadlineMs === null ? null : this.deadlines.add(deadlineMs, () => {
        resolve(failure('timeout', `${route.adapter.id} did not settle ${intent.kind} intent ${intent.hash} within its ${deadlineMs} ms deadline`));
        controller.abort(new NodeError('BAD_INPUT', `deadline of ${deadlineMs} ms passed`));
      });
      const settle = (outcome: AdapterOutcome) => {
        if (deadline !== null) this.deadlines.remove(deadline);
        resolve(outcome);
      };
      let started: Promise<AdapterOutcome>;
      try {
        started = route.adapter.execute(this.adapterIntent(intent), this.context(intent, controller));
      } catch (error) {
        started = Promise.reject(error);
      }
      started.then(settle, (error: unknown) => settle(failure('error', `${route.adapter.id} failed on ${intent.kind} intent ${intent.hash}: ${error instanceof Error ? error.message : String(error)}`)));
    });
  }

  private adapterIntent(intent: OpenIntent): AdapterIntent {
    const def = this.world.view.effects.get(intent.kind);
    assert(def !== undefined, 'an open intent\'s effect is in the manifest');
    const params = valueFromCbor(decodeVerified(intent.params), { ref: def.params_schema }, this.world.view.index, { path: 'params' });
    return { intent_hash: intent.hash, effect_kind: def.name, params, idempotency_key: intent.idempotencyKey };
  }

  private context(intent: OpenIntent, controller: AbortController): AdapterContext {
    return new IntentContext(this.blobs, this.options.secrets?.forGrant(intent.grant) ?? NO_SECRETS, controller, this.options.now ?? wallClockNs);
  }

  private signed(intent: OpenIntent, route: ExecutorRoute, outcome: AdapterOutcome): ReceiptInput {
    const payload = this.payloadBytes(intent, route, outcome);
    const status = payload.ok ? outcome.status : 'error';
    const signature = route.signer.sign({
      intent_hash: intent.hash, adapter_id: route.signer.adapterId, status, payload_hash: hashBytes(payload.bytes),
      cost_cents: outcome.cost_cents ?? null, usage: outcome.usage ?? null,
    });
    // Built field by field, not spread: this runs once per receipt, and spreads of conditional
    // objects cost several µs amid a round trip.
    const receipt: { -readonly [Field in keyof ReceiptInput]: ReceiptInput[Field] } = { intent_hash: intent.hash, adapter_id: route.signer.adapterId, status, payload: payload.bytes, signature };
    if (outcome.cost_cents !== undefined) receipt.cost_cents = outcome.cost_cents;
    if (outcome.usage !== undefined) receipt.usage = outcome.usage;
    return receipt;
  }

  /** The payload's canonical bytes; a payload that is not a value of the receipt schema becomes an error message. */
  private payloadBytes(intent: OpenIntent, route: ExecutorRoute, outcome: AdapterOutcome): { ok: boolean; bytes: Uint8Array } {
    const def = this.world.view.effects.get(intent.kind);
    assert(def !== undefined, 'an open intent\'s effect is in the manifest');
    if (outcome.status !== 'ok' && typeof outcome.payload === 'string') return { ok: true, bytes: messageBytes(outcome.payload) };
    // Most adapters answer with a value already in its schema's canonical form: its plain
    // encoding then passes the one-pass byte check, and the typed walk and re-encode are skipped.
    const plain = plainEncoding(outcome.payload);
    if (plain !== null && typedBytesChecker({ ref: def.receipt_schema }, this.world.view.index)(plain)) return { ok: true, bytes: plain };
    try {
      const value = valueFromCbor(outcome.payload, { ref: def.receipt_schema }, this.world.view.index, { path: 'receipt_payload' });
      return { ok: true, bytes: encodeCanonical(value, { selfDescribe: false }) };
    } catch (error) {
      if (!(error instanceof AirError || error instanceof CborError)) throw error;
      return { ok: false, bytes: messageBytes(`${route.adapter.id} answered ${intent.kind} intent ${intent.hash} with a payload that is not a ${def.receipt_schema}: ${error.message}`) };
    }
  }

  private report(hash: Hash, message: string): void {
    if (this.reported.has(hash)) return;
    this.reported.add(hash);
    this.problems.push({ intent_hash: hash, message });
  }

  private mayStart(intent: OpenIntent, route: ExecutorRoute): boolean {
    return intent.emittedAt < (route.adapter.inStore === true ? this.world.head.height : this.world.durableHeight);
  }

  // One wait at a time: it dispatches what became durable meanwhile, and waits again if need be.
  private dispatchWhenDurable(): void {
    if (this.awaitingDisk) return;
    this.awaitingDisk = true;
    this.world.whenDurable().then(() => {
      this.awaitingDisk = false;
      this.dispatch();
    }, (error: unknown) => {
      // The store refuses every later use with this failure; nothing more can start here.
      this.awaitingDisk = false;
      this.failure = error instanceof Error ? error : new Error(String(error));
      this.close();
    });
  }

  private notifyIfIdle(): void {
    if (this.idleWaiters.length === 0 || this.running.size !== 0 || this.waiting.length !== 0 || this.settled.length !== 0) return;
    if (!this.closed && this.world.durableHeight < this.world.head.height) {
      this.dispatchWhenDurable();
      return;
    }
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

/** What an adapter is given for one intent; a class, so the lazy `signal` getter lives on its prototype. */
class IntentContext implements AdapterContext {
  constructor(
    readonly blobs: AdapterBlobs,
    readonly secrets: AdapterSecrets,
    private readonly controller: AbortController,
    readonly now: () => bigint,
  ) {}

  // Read when used: Node makes an AbortSignal on first read (~8 µs), and most blob and fs work never looks.
  get signal(): AbortSignal {
    return this.controller.signal;
  }
}

/** The value's canonical encoding as it is, or null when it has none (the typed walk then decides). */
function plainEncoding(value: AdapterOutcome['payload']): Uint8Array | null {
  try {
    return encodeCanonical(value, { selfDescribe: false });
  } catch (error) {
    if (error instanceof CborError) return null;
    throw error;
  }
}

function wallClockNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

/** An outcome the executor writes itself: the message is the payload. */
function failure(status: 'error' | 'timeout', message: string): AdapterOutcome {
  return { status, payload: message };
}

/** A failure message as canonical CBOR text, cut to fit RECEIPT_FAILURE_MESSAGE_BYTES_MAX bytes of UTF-8. */
function messageBytes(message: string): Uint8Array {
  // A code point is at most 4 bytes of UTF-8, so this many UTF-16 units always fit.
  const charsMax = Math.floor(RECEIPT_FAILURE_MESSAGE_BYTES_MAX / 4);
  const points = [...message];
  const text = points.length > charsMax ? `${points.slice(0, charsMax - 3).join('')}...` : message;
  return encodeCanonical(text, { selfDescribe: false });
}
