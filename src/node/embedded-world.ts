// The embedded default (DESIGN §9): a world is a folder; its journal, snapshots and CAS live
// in <dir>/.aos. This host drives the pure kernel: it stamps inputs with the clock and
// entropy, makes each input's records durable before acknowledging it, and reopens a world
// from its latest snapshot plus the journal tail.
import { randomBytes } from 'node:crypto';
import { hashBytes, InvariantError } from '../cbor/index.ts';
import type { Hash } from '../cbor/index.ts';
import { loadWorldPath } from '../air/index.ts';
import { compileManifest, ENTROPY_BYTES, isOwnSnapshotFormat, KernelError, openRecord, parsePublicKeyId, SNAPSHOT_INTERVAL_HEIGHTS, trustedKeysOf, World } from '../kernel/index.ts';
import type { ApprovalDecision, ApprovalInput, ApprovalSigningFields, EventInput, InputOptions, KernelErrorCode, KeyRotationInput, StreamFrameInput, ManifestView, OpenIntent, ReceiptInput, SealedRecord, Stamp, TrustedReceiptKeys } from '../kernel/index.ts';
import { JOURNAL_APPEND_ENTRIES_MAX, openSqliteNodeStore, StoreError } from '../store/index.ts';
import type { CasStore, Durability, NodeStore, StoreErrorCode, WorldStore } from '../store/index.ts';
import type { ApprovalSigner } from './approval-signer.ts';
import type { ApplyBlockers, ApplyInput, ContentStore, GovernanceDecision, GovernanceDecisionInput, Proposal, ProposalInput } from '../kernel/index.ts';
import { listKeys } from './keys.ts';
import { loadAir, readAir, storeAir } from './air-in-cas.ts';
import { NodeError } from './errors.ts';
import type { NodeErrorCode } from './errors.ts';
import { JOURNAL_WALK_PAGE_RECORDS, VERIFY_THREAD_MIN_RECORDS, WORLD_UNWRITTEN_RECORDS_MAX } from './limits.ts';
import { CasModules } from './module-runtimes.ts';
import { threadAvailable } from './thread-entry.ts';
import { loadSysModules, storeSysModules, sysModulesForCreate } from './sys-modules.ts';

/** The one world of an embedded folder. */
export const EMBEDDED_WORLD_ID = 'main';
const META_MANIFEST = 'manifest_hash';
/** Journal entries read per page while replaying. */
const REPLAY_PAGE_ENTRIES = 4_096;

/** Inputs whose entropy one read of the system's random source covers (a read costs ~15 µs). */
const ENTROPY_POOL_INPUTS = 256;

/** Reads the wall clock and entropy: the only place time and randomness enter a world. */
export class SystemClock {
  private lastNs = 0n;
  private pool = new Uint8Array(0);
  private poolOffset = 0;

  next(): Stamp {
    const wallNs = process.hrtime.bigint() + EPOCH_OFFSET_NS;
    // Logical time never goes backwards, even if the wall clock does.
    this.lastNs = wallNs > this.lastNs ? wallNs : this.lastNs + 1n;
    return { now_ns: wallNs, logical_now_ns: this.lastNs, entropy: this.entropy() };
  }

  private entropy(): Uint8Array {
    if (this.poolOffset + ENTROPY_BYTES > this.pool.length) {
      this.pool = randomBytes(ENTROPY_BYTES * ENTROPY_POOL_INPUTS);
      this.poolOffset = 0;
    }
    const slice = this.pool.slice(this.poolOffset, this.poolOffset + ENTROPY_BYTES);
    this.poolOffset += ENTROPY_BYTES;
    return slice;
  }
}
const EPOCH_OFFSET_NS = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();

/** How to open a world. */
export interface OpenOptions {
  readonly clock?: { next(): Stamp };
  readonly onStep?: (deliveryIndex: number) => void;
  /** Replay the whole journal instead of starting from the latest snapshot. */
  readonly fromGenesis?: boolean;
  /** Only read: inputs are refused, and the module engine is loaded only if a journal tail must be replayed. */
  readonly readOnly?: boolean;
  /** Deferred writes the store commits on this thread before its writer thread takes over (default SQLITE_WRITER_MIN_WRITES). */
  readonly writerAfter?: number;
}

export class EmbeddedWorld {
  private sinceSnapshot = 0;
  private committed: (() => void) | null = null;
  /** Every record below this height is on disk; at most the kernel's head (see receipts()). */
  private durable: number;
  /** Records of deferred receipt groups not yet written (see receipts()). */
  private unwritten: SealedRecord[] = [];
  private writeScheduled = false;
  /** Why a deferred write failed: the world is then ahead of its journal, and refuses all further use. */
  private writeFailure: Error | null = null;

  private constructor(
    readonly dir: string,
    private readonly store: NodeStore,
    private readonly worldStore: WorldStore,
    private readonly modules: CasModules,
    private readonly world: World,
    private readonly clock: { next(): Stamp },
    private readonly readOnly = false,
  ) {
    // A process that died before syncing its deferred receipts, or a node running beside this
    // reader, may have written records that are readable but not yet on disk: they are made
    // durable before anything is started from them or shown.
    store.sync();
    this.durable = world.head.height;
  }

  /**
   * Creates the world of a folder whose modules are built (`aos build`): AIR into CAS, genesis
   * into the journal, then the trusted_keys record: `trusted`, or by default every adapter key
   * of the node (<dir>/.aos/keys, adapter_id = key name) as it is at creation.
   */
  static async create(dir: string, clock: { next(): Stamp } = new SystemClock(), trusted?: TrustedReceiptKeys): Promise<EmbeddedWorld> {
    const loaded = loadWorldPath(dir);
    if (loaded.world === null) {
      throw new NodeError('AIR_INVALID', `${dir} is not a valid world: ${loaded.errors[0]?.message ?? ''}`, `run \`aos air check ${dir}\` to see every error`);
    }
    const store = openSqliteNodeStore(dir);
    try {
      if (store.worlds().includes(EMBEDDED_WORLD_ID)) {
        throw new NodeError('WORLD_EXISTS', `${dir} already holds a world (in ${dir}/.aos)`, 'send events to it, or delete its .aos folder to start over');
      }
      const worldStore = store.create(EMBEDDED_WORLD_ID);
      const manifestHash = storeAir(worldStore.cas, loaded.world);
      worldStore.meta.put(META_MANIFEST, new TextEncoder().encode(manifestHash));
      const view = compileManifest(loaded.world.manifest!.node, manifestHash, loaded.world.index);
      const sysModules = sysModulesForCreate(dir, view, worldStore.cas);
      storeSysModules(worldStore.meta, sysModules);
      const modules = await CasModules.load(view, worldStore.cas, undefined, true, sysModules);
      const created = World.create(view, modules, worldStore.cas, trusted ?? nodeAdapterKeys(dir));
      worldStore.journal.append(created.records.map(toEntry));
      return new EmbeddedWorld(dir, store, worldStore, modules, created.world, clock);
    } catch (error) {
      store.close();
      throw error;
    }
  }

  /**
   * Opens the world of a folder: latest snapshot, then the journal tail replayed and checked
   * (or the whole journal, with `fromGenesis`). `onStep` hears which delivery of an input is
   * about to step (for a watchdog).
   */
  static async open(dir: string, options: OpenOptions = {}): Promise<EmbeddedWorld> {
    const clock = options.clock ?? new SystemClock();
    const onStep = options.onStep;
    const store = openSqliteNodeStore(dir, options.writerAfter === undefined ? {} : { writerAfter: options.writerAfter });
    try {
      if (!store.worlds().includes(EMBEDDED_WORLD_ID)) {
        throw new NodeError('NO_WORLD', `${dir} holds no world yet`, `create it with \`aos world create --root ${dir}\``);
      }
      const worldStore = store.open(EMBEDDED_WORLD_ID);
      const view = viewOf(worldStore);
      const snapshot = options.fromGenesis === true ? null : worldStore.snapshots.latest();
      const from = snapshot === null ? undefined : recordAt(worldStore, snapshot.height);
      const tailFrom = from === undefined ? 0 : from.height + 1;
      const readOnly = options.readOnly === true;
      const hasTail = (worldStore.journal.head()?.next_height ?? 0) > tailFrom;
      const sysModules = loadSysModules(worldStore.meta);
      let modules = await CasModules.load(view, worldStore.cas, onStep, !readOnly || hasTail, sysModules);
      let world: World;
      try {
        world = World.replay(view, modules, worldStore.cas, journalFrom(worldStore, tailFrom), from, from === undefined ? undefined : journaledTrustedKeys(worldStore));
      } catch (error) {
        // A snapshot in a format this kernel does not read (an older cell index) is not damage:
        // the journal is whole, so the world is rebuilt from genesis, and the next snapshot is
        // written in this kernel's format.
        if (!(error instanceof KernelError && error.code === 'SNAPSHOT_FORMAT')) throw error;
        modules.dispose();
        modules = await CasModules.load(view, worldStore.cas, onStep, true, sysModules);
        world = World.replay(view, modules, worldStore.cas, journalFrom(worldStore, 0));
      }
      return new EmbeddedWorld(dir, store, worldStore, modules, world, clock, readOnly);
    } catch (error) {
      store.close();
      throw error;
    }
  }

  /**
   * Replays the whole journal from genesis, and from every snapshot, checking each against the
   * world as it is: the same records, state and chain head (replay or die). Returns what was checked.
   *
   * From a snapshot, the replay runs only up to the next snapshot it can re-produce (the last one
   * runs to the head): its record there commits to the whole state by hash, and replay checks
   * every record it re-produces byte for byte, so arriving at that record's bytes is arriving at
   * that snapshot's state. Chained, these segments show what replaying each snapshot to the head
   * would (restore and replay agree with the journal everywhere), in one pass over the journal
   * instead of one per snapshot: a world of 100 snapshots replays twice its length, not ~50 times.
   */
  async verifyReplay(options: VerifyReplayOptions = {}): Promise<{ heights: number; snapshots: number; head: Hash | null }> {
    this.writeQueued();
    // A snapshot an older kernel wrote in another format cannot be restored here, nor re-produced
    // byte for byte (its record is kept as journaled): segments pass through it, and replay from
    // genesis still checks everything after it.
    const readable = this.worldStore.snapshots.list().filter((ref) => isOwnSnapshotFormat(this.worldStore.cas, ref.hash));
    const fromSnapshots: ReplayStretch[] = readable.map((ref, index) => ({ from: ref.height, through: readable[index + 1]?.height ?? null }));
    const head = this.world.head;
    for (const stretch of [{ from: null, through: null }, ...fromSnapshots]) options.onReplay?.(stretch);
    // The stretches from snapshots share nothing with the replay from genesis but the journal: a
    // thread of their own runs them meanwhile, once they are worth a thread's start-up.
    const stretchRecords = readable.length === 0 ? 0 : head.height - (readable[0]?.height ?? 0);
    const threaded = stretchRecords > 0 && stretchRecords >= (options.threadMinRecords ?? VERIFY_THREAD_MIN_RECORDS) && threadAvailable(import.meta.url, 'read-job-thread');
    // Started (the Worker made) before the replay below holds this thread for its whole length.
    const elsewhere = threaded ? (await startReplayStretchesThread(this.dir, fromSnapshots, head.height)).digest : null;
    try {
      const genesis = await replayStretches(this.worldStore, [{ from: null, through: null }], head.height);
      if (genesis === null) throw new InvariantError('a replay from genesis runs to the head');
      const live = digestOf(this.world);
      compareDigests(genesis, live, 'genesis');
      const last = elsewhere !== null ? await elsewhere : await replayStretches(this.worldStore, fromSnapshots, head.height);
      if (last !== null) compareDigests(last, live, `the snapshot at height ${readable.at(-1)?.height ?? '?'}`);
    } finally {
      await elsewhere?.catch(() => undefined);
    }
    return { heights: head.height, snapshots: readable.length, head: head.hash };
  }

  /**
   * Replays `stretches` of the world in `dir` (verifyReplay's, on another thread) up to height
   * `headHeight`: each one that ends at a snapshot is checked there; the digest of the last one,
   * if it runs to the head, is returned for the caller to compare with the world it has.
   */
  static async replayStretches(dir: string, stretches: readonly ReplayStretch[], headHeight: number): Promise<ReplayDigest | null> {
    const store = openSqliteNodeStore(dir);
    try {
      return await replayStretches(store.open(EMBEDDED_WORLD_ID), stretches, headHeight);
    } finally {
      store.close();
    }
  }

  get head() {
    return this.world.head;
  }

  /** The manifest in force: the world's genesis manifest until an applied proposal swaps it. */
  get view(): ManifestView {
    return this.world.view;
  }

  /**
   * Proposes a patch document (governance); returns once its record is durable. A patch that does
   * not compile is journaled as rejected with its reasons, then refused with PROPOSAL_REJECTED.
   */
  propose(input: ProposalInput): SealedRecord[] {
    this.checkWritable();
    const base = this.view.hash;
    const records = this.commit(this.world.submitProposal(input, this.clock.next()));
    const body = records[0]?.body;
    if (body?.kind === 'governance' && body.op === 'rejected') {
      throw new NodeError('PROPOSAL_REJECTED', `proposal ${body.proposal_id} is rejected: its patch does not compile against manifest ${base}:\n  ${(body.reasons ?? []).join('\n  ')}`, `the rejection is journaled at height ${records[0]?.height ?? '?'}; fix the patch and propose again`);
    }
    return records;
  }

  /** Journals a proposal's shadow report, already in CAS under `reportHash`. */
  recordShadowReport(proposalId: number, reportHash: Hash): SealedRecord[] {
    this.checkWritable();
    return this.commit(this.world.submitShadowReport(proposalId, reportHash, this.clock.next()));
  }

  /** Signs a decision on a proposal with a principal's key and admits it; GOVERNANCE_REFUSED (unjournaled) says why not. */
  decideProposal(proposalId: number, decision: GovernanceDecision, signer: ApprovalSigner, reason: string | null = null): SealedRecord[] {
    return this.submitGovernanceDecision(signer.signGovernance(this.world.governanceSubject(proposalId, decision, reason)));
  }

  /** Admits a decision on a proposal signed elsewhere (the kernel checks it). */
  submitGovernanceDecision(input: GovernanceDecisionInput): SealedRecord[] {
    this.checkWritable();
    return this.commit(this.world.submitGovernanceDecision(input, this.clock.next()));
  }

  /** Applies an approved proposal at strict quiescence (APPLY_BLOCKED names what is in flight); returns once durable. */
  applyProposal(input: ApplyInput): SealedRecord[] {
    this.checkWritable();
    return this.commit(this.world.applyProposal(input, this.clock.next()));
  }

  /** Every proposal of the world, by id. */
  proposals(): readonly Proposal[] {
    return this.world.proposals();
  }

  /** What would block an apply now (open work other than `exempt`). */
  applyBlockers(exempt: Hash | null = null): ApplyBlockers {
    return this.world.applyBlockers(exempt);
  }

  /** Fresh module runtimes for a shadow fork running `view` (the world's warm contexts are never shared); dispose of them when done. */
  shadowModules(view: ManifestView): Promise<CasModules> {
    return CasModules.load(view, this.worldStore.cas, undefined, true, loadSysModules(this.worldStore.meta));
  }

  /** An isolated fork of the world's state now, running `view`: its cells are read through `content`, which must fall back to this world's CAS. */
  shadowFork(content: ContentStore, modules: CasModules, view: ManifestView): World {
    return this.world.fork(content, modules, view);
  }

  /** Admits an event; returns once its records are durable. `aborts` names deliveries a watchdog aborted. */
  send(event: EventInput, options: InputOptions = {}): SealedRecord[] {
    this.checkWritable();
    return this.commit(this.world.submitEvent(event, this.clock.next(), options));
  }

  /**
   * Admits many events and makes all their records durable in one transaction (group commit):
   * each is acknowledged when the batch returns. An event the kernel refuses is reported in
   * its slot and takes nothing with it; the others still commit.
   */
  sendBatch(events: readonly EventInput[]): Array<{ records: SealedRecord[] } | { error: Error }> {
    return this.admitGroup(events, (event) => this.world.submitEvent(event, this.clock.next()));
  }

  /**
   * Admits a receipt for open work; returns once its records are durable. A receipt that fails
   * admission is journaled as `receipt_rejected` (durably) and then refused with RECEIPT_REJECTED;
   * one for an intent that is not open is refused (DUPLICATE_RECEIPT, UNKNOWN_INTENT) unjournaled.
   */
  receipt(receipt: ReceiptInput, options: { readonly signedWith?: Uint8Array } = {}): SealedRecord[] {
    const result = this.receipts([{ receipt, ...options }])[0];
    if (result === undefined) throw new InvariantError('receipts() answers each receipt');
    if ('error' in result) throw result.error;
    return result.records;
  }

  /**
   * Admits receipts in one transaction (group commit: the executor hands over those that settled
   * together), each as receipt() would. A refused or rejected receipt is reported in its slot (as
   * receipt() would throw it) and takes nothing with it; the others still commit.
   *
   * With durability 'now' each is acknowledged durable when the batch returns. With 'deferred'
   * (the executor's choice: nobody outside waits on these) the world steps on at once. The
   * records are written when the event loop next turns (with every deferred group admitted
   * until then, in one transaction), or once WORLD_UNWRITTEN_RECORDS_MAX wait, or before
   * anything else touches the journal; and the disk syncs them off the thread. `durableHeight`
   * stays below them until it has, and `whenDurable()` resolves then. Anything that answers
   * outside the process calls syncDurable() first.
   */
  receipts(items: ReadonlyArray<{ readonly receipt: ReceiptInput; readonly signedWith?: Uint8Array }>, durability: Durability = 'now'): Array<{ records: SealedRecord[] } | { error: KernelError | NodeError }> {
    const results = this.admitGroup(items, ({ receipt, signedWith }) => this.world.submitReceipt(receipt, this.clock.next(), signedWith === undefined ? {} : { signedWith }), durability);
    return results.map((result) => {
      const rejected = 'records' in result ? result.records[0] : undefined;
      if (rejected?.body.kind !== 'receipt_rejected') return result;
      return { error: new NodeError('RECEIPT_REJECTED', `receipt refused (${rejected.body.reason}): ${rejected.body.message}`, `the refusal is journaled at height ${rejected.height}; intent ${rejected.body.intent_hash} stays open`) };
    });
  }

  /**
   * Admits each input of a group as `admit` does, then makes all their records durable in one
   * transaction (group commit). An input the kernel refuses is reported in its slot and takes
   * nothing with it; a runaway (the world stopped mid-input) ends the group.
   */
  private admitGroup<T>(inputs: readonly T[], admit: (input: T) => SealedRecord[], durability: Durability = 'now'): Array<{ records: SealedRecord[] } | { error: KernelError }> {
    this.checkWritable();
    const results: Array<{ records: SealedRecord[] } | { error: KernelError }> = [];
    const all: SealedRecord[] = [];
    for (const input of inputs) {
      try {
        const records = admit(input);
        all.push(...records);
        results.push({ records });
      } catch (error) {
        if (!(error instanceof KernelError) || error.code === 'RUNAWAY') throw error;
        results.push({ error });
      }
    }
    if (all.length > 0) this.commit(all, durability);
    return results;
  }

  /**
   * Signs `decision` on an intent waiting for approval with a principal's key and admits it;
   * returns once its records are durable. Refused (APPROVAL_REFUSED, nothing journaled) when the
   * intent is not waiting, the key is not in the manifest's approval_policy, or it already approved.
   */
  approve(intentHash: Hash, decision: ApprovalDecision, signer: ApprovalSigner): SealedRecord[] {
    return this.submitApproval(signer.sign(this.world.approvalSubject(intentHash, decision)));
  }

  /** What a principal signs to decide on an intent waiting for approval (APPROVAL_REFUSED when it is not waiting). */
  approvalSubject(intentHash: Hash, decision: ApprovalDecision): ApprovalSigningFields {
    return this.world.approvalSubject(intentHash, decision);
  }

  /** Admits an approval signed elsewhere (its signature is checked by the kernel); returns once its records are durable. */
  submitApproval(approval: ApprovalInput): SealedRecord[] {
    this.checkWritable();
    return this.commit(this.world.submitApproval(approval, this.clock.next()));
  }

  /** The intents waiting for approval, oldest first. */
  pendingApprovals(): OpenIntent[] {
    return this.world.pendingApprovals();
  }

  /**
   * Every open intent (journaled, not settled), by hash. One opened by a deferred receipt group
   * is admitted but may not be durable yet: its `emittedAt` is at or above `durableHeight`.
   */
  openIntents(): ReadonlyMap<Hash, OpenIntent> {
    return this.world.openIntents();
  }

  /** Every record below this height is durable. */
  get durableHeight(): number {
    return this.durable;
  }

  /** Writes and syncs every admitted record before returning; a no-op when all are durable. */
  syncDurable(): void {
    const admitted = this.world.head.height;
    if (this.durable >= admitted) return;
    this.writeQueued();
    this.store.sync();
    this.markDurable(admitted);
  }

  /** Resolves once every record admitted before the call is durable (written now, synced off the thread). */
  async whenDurable(): Promise<void> {
    const admitted = this.world.head.height;
    if (this.durable >= admitted) return;
    this.writeQueued();
    await this.store.synced();
    this.markDurable(admitted);
  }

  /** Writes the deferred receipt groups admitted so far, their fsync deferred; throws, for good, if a write failed. */
  private writeQueued(): void {
    if (this.writeFailure !== null) throw this.writeFailure;
    if (this.unwritten.length === 0) return;
    const records = this.unwritten;
    this.unwritten = [];
    try {
      this.write(records, 'deferred');
    } catch (error) {
      this.writeFailure = new NodeError('WORLD_STOPPED', `the world in ${this.dir} could not write its receipts (${(error as Error).message}); it stops here: reopen it, and its open work runs again from the journal`, 'check the disk, then restart the node or reopen the world', { cause: error });
      throw this.writeFailure;
    }
  }

  /** The node's CAS, where adapters keep blobs. */
  get cas(): CasStore {
    return this.worldStore.cas;
  }

  /** The public keys this world admits receipts from, by adapter_id. */
  trustedKeys(): TrustedReceiptKeys {
    return this.world.trustedKeys();
  }

  /** Admits a stream frame for open work (kernel/stream-frames.ts); returns once its record is durable. Refusals journal nothing. */
  streamFrame(frame: StreamFrameInput): SealedRecord[] {
    this.checkWritable();
    return this.commit(this.world.submitStreamFrame(frame, this.clock.next()));
  }

  /** Trusts and retires an adapter's keys from the next height on (kernel/trusted-keys.ts); returns once the key_rotation record is durable. */
  rotateKeys(rotation: KeyRotationInput): SealedRecord[] {
    this.checkWritable();
    return this.commit(this.world.rotateKeys(rotation, this.clock.next()));
  }

  /** The hash of the latest snapshot taken, or null before the first. */
  latestSnapshotHash(): Hash | null {
    return this.worldStore.snapshots.latest()?.hash ?? null;
  }

  /** Takes a snapshot now. */
  snapshot(): SealedRecord[] {
    this.checkWritable();
    this.writeQueued();
    const records = this.world.snapshot();
    this.worldStore.journal.append(records.map(toEntry));
    this.indexSnapshots(records);
    this.sinceSnapshot = 0;
    this.markDurable(this.world.head.height);
    return records;
  }

  /**
   * Calls `listener` when the journal's durable height grows (after each durable append: a
   * send, a receipt, a snapshot; for a deferred receipt group, once the disk has synced), so a
   * host can tell its tails at once. One listener; a second call replaces the first.
   */
  onCommitted(listener: () => void): void {
    this.committed = listener;
  }

  state(module: string, key: Uint8Array | null = null): Uint8Array | null {
    return this.world.state(module, key);
  }

  cells(module: string) {
    if (!this.view.modules.has(module)) {
      throw new NodeError('BAD_INPUT', `no workflow ${module} in this world`, `its workflows are ${[...this.view.modules.keys()].filter((name) => !name.startsWith('sys/')).join(', ')}`);
    }
    return this.world.cells(module);
  }

  /** Journal records from a height, decoded; `kind` filters. */
  tail(from: number, limit: number, kind?: string): SealedRecord[] {
    this.writeQueued();
    return this.worldStore.journal.read(from, limit).map((entry) => openRecord(entry.bytes, entry.height)).filter((record) => kind === undefined || record.body.kind === kind);
  }

  /** Every record from `from` (default genesis) to the head, read a page at a time (audits, traces: walks over the journal). */
  *records(from = 0): Generator<SealedRecord> {
    for (let height = from; ;) {
      const page = this.tail(height, JOURNAL_WALK_PAGE_RECORDS);
      if (page.length === 0) return;
      yield* page;
      height = (page.at(-1)?.height ?? height) + 1;
    }
  }

  /** Closes the world; what is admitted but not yet durable is written and synced first. */
  close(): void {
    try {
      if (this.writeFailure === null) this.writeQueued();
    } finally {
      this.modules.dispose();
      this.store.close();
    }
  }

  private checkWritable(): void {
    if (this.readOnly) throw new NodeError('READ_ONLY', `the world in ${this.dir} was opened read-only`, 'open it without readOnly to send inputs or take snapshots');
  }

  private commit(records: SealedRecord[], durability: Durability = 'now'): SealedRecord[] {
    if (durability === 'deferred') {
      if (this.writeFailure !== null) throw this.writeFailure;
      for (const record of records) this.unwritten.push(record);
      if (this.unwritten.length >= WORLD_UNWRITTEN_RECORDS_MAX) this.writeQueued();
      else if (!this.writeScheduled) {
        this.writeScheduled = true;
        setImmediate(() => {
          this.writeScheduled = false;
          try {
            this.writeQueued();
          } catch {
            // Kept in writeFailure: the next call on the world throws it.
          }
        });
      }
      return records;
    }
    this.writeQueued();
    return this.write(records, durability);
  }

  private write(records: SealedRecord[], durability: Durability): SealedRecord[] {
    // One transaction per input; a group of inputs larger than one append allows is split, and
    // nothing is acknowledged until every part is durable.
    for (let start = 0; start < records.length; start += JOURNAL_APPEND_ENTRIES_MAX) {
      this.worldStore.journal.append(records.slice(start, start + JOURNAL_APPEND_ENTRIES_MAX).map(toEntry), durability);
    }
    this.sinceSnapshot += records.length;
    if (this.sinceSnapshot >= SNAPSHOT_INTERVAL_HEIGHTS) this.snapshot();
    else if (durability === 'now') this.markDurable(this.world.head.height);
    // A failed sync is not lost: the store refuses every later use with it.
    else this.whenDurable().catch(() => undefined);
    return records;
  }

  private markDurable(height: number): void {
    if (height <= this.durable) return;
    this.durable = height;
    this.committed?.();
  }

  private indexSnapshots(records: readonly SealedRecord[]): void {
    for (const record of records) {
      if (record.body.kind === 'snapshot') this.worldStore.snapshots.record(record.height, record.body.snapshot_hash, record.body.manifest_hash);
    }
  }
}

function toEntry(record: SealedRecord) {
  return { height: record.height, kind: record.body.kind, bytes: record.bytes, hash: record.hash };
}

/** The node's adapter keys as a trusted key map (adapter_id = key name); keys the store warns about are left out. */
function nodeAdapterKeys(dir: string): TrustedReceiptKeys {
  const trusted = new Map<string, Uint8Array[]>();
  for (const key of listKeys(dir).keys) {
    if (key.role === 'adapter') trusted.set(key.name, [...(trusted.get(key.name) ?? []), parsePublicKeyId(key.public_key)]);
  }
  return trusted;
}

/** Where World.create puts the trusted_keys record: right after the genesis manifest record. */
const TRUSTED_KEYS_HEIGHT = 1;

/** The key map of the world's trusted_keys record, or an empty one for a world created without it. */
function journaledTrustedKeys(worldStore: WorldStore): TrustedReceiptKeys {
  const entry = worldStore.journal.entryAt(TRUSTED_KEYS_HEIGHT);
  if (entry === null) return new Map();
  const record = openRecord(entry.bytes, TRUSTED_KEYS_HEIGHT);
  return record.body.kind === 'trusted_keys' ? trustedKeysOf(record.body) : new Map();
}

function manifestHashOf(worldStore: WorldStore): Hash {
  const stored = worldStore.meta.get(META_MANIFEST);
  if (stored === null) throw new NodeError('NO_WORLD', 'the world has no manifest recorded', 'its creation did not finish; delete .aos and create it again');
  return new TextDecoder().decode(stored) as Hash;
}

/** The world's manifest, read back from CAS on the fast path (validated when it was stored). */
function viewOf(worldStore: WorldStore): ManifestView {
  const manifestHash = manifestHashOf(worldStore);
  const air = readAir(worldStore.cas, manifestHash);
  return compileManifest(air.manifest, manifestHash, air.index);
}

/** The world's manifest, re-validated from CAS: what a verification must trust least. */
function validatedViewOf(worldStore: WorldStore): ManifestView {
  const manifestHash = manifestHashOf(worldStore);
  const air = loadAir(worldStore.cas, manifestHash);
  return compileManifest(air.manifest!.node, manifestHash, air.index);
}

function recordAt(worldStore: WorldStore, height: number): SealedRecord {
  const entry = worldStore.journal.entryAt(height);
  if (entry === null) throw new NodeError('REPLAY_FAILED', `the snapshot index points at height ${height}, which the journal does not have`, 'the store is damaged; restore it from a backup or an export');
  return openRecord(entry.bytes, height);
}

/** How verifyReplay runs. */
export interface VerifyReplayOptions {
  /** Hears each stretch it will replay. */
  readonly onReplay?: (stretch: ReplayStretch) => void;
  /** Records the stretches from snapshots must cover to get a thread of their own; VERIFY_THREAD_MIN_RECORDS by default. */
  readonly threadMinRecords?: number;
}

/** One replay of verifyReplay: from genesis (null) or the snapshot record at `from`, through the snapshot record at `through` or (null) to the head. */
export interface ReplayStretch {
  readonly from: number | null;
  readonly through: number | null;
}

/** The journal's records from height `from`, through height `through` when given (else to the end). */
function* journalFrom(worldStore: WorldStore, from: number, through = Number.MAX_SAFE_INTEGER): Generator<SealedRecord> {
  for (let height = from; height <= through;) {
    const page = worldStore.journal.read(height, Math.min(REPLAY_PAGE_ENTRIES, through - height + 1));
    if (page.length === 0) return;
    for (const entry of page) yield openRecord(entry.bytes, entry.height, entry.hash);
    height = (page.at(-1)?.height ?? height) + 1;
  }
}

/** Where a replay ended: the head and, per module, each cell's state hash and status (in cell order). */
export interface ReplayDigest {
  readonly height: number;
  readonly hash: Hash | null;
  readonly cells: ReadonlyArray<{ readonly module: string; readonly states: ReadonlyArray<{ readonly state: Hash | null; readonly status: string }> }>;
}

/** The digest of `world` over the modules of its manifest in force (an applied upgrade adds some). */
function digestOf(world: World): ReplayDigest {
  return {
    height: world.head.height, hash: world.head.hash,
    cells: [...world.view.modules.keys()].map((module) => ({ module, states: world.cells(module).map((cell) => ({ state: cell.state === null ? null : hashBytes(cell.state), status: cell.status })) })),
  };
}

function compareDigests(replayed: ReplayDigest, live: ReplayDigest, from: string): void {
  if (replayed.hash !== live.hash || replayed.height !== live.height) {
    throw new KernelError('REPLAY_DIVERGED', `replay from ${from} ends at height ${replayed.height} (${replayed.hash ?? 'none'}), the world at ${live.height} (${live.hash ?? 'none'})`);
  }
  for (const { module, states } of live.cells) {
    const other = replayed.cells.find((entry) => entry.module === module)?.states ?? [];
    if (other.length !== states.length) throw new KernelError('REPLAY_DIVERGED', `replay from ${from} has ${other.length} cells of ${module}, the world ${states.length}`);
    states.forEach((cell, index) => {
      if (other[index]?.state !== cell.state || other[index]?.status !== cell.status) {
        throw new KernelError('REPLAY_DIVERGED', `replay from ${from} disagrees with the world on the state of a ${module} cell`);
      }
    });
  }
}

/**
 * Replays each stretch in turn, up to height `headHeight` at most; a stretch that ends at a
 * snapshot must end right after it; the digest of the last stretch, if it runs to the head.
 */
async function replayStretches(worldStore: WorldStore, stretches: readonly ReplayStretch[], headHeight: number): Promise<ReplayDigest | null> {
  if (stretches.length === 0) return null;
  const view = validatedViewOf(worldStore);
  let digest: ReplayDigest | null = null;
  for (const { from, through } of stretches) {
    const start = from === null ? undefined : recordAt(worldStore, from);
    const modules = await CasModules.load(view, worldStore.cas, undefined, true, loadSysModules(worldStore.meta));
    try {
      const replayed = World.replay(view, modules, worldStore.cas, journalFrom(worldStore, start === undefined ? 0 : start.height + 1, through ?? headHeight - 1), start);
      const origin = start === undefined ? 'genesis' : `the snapshot at height ${start.height}`;
      if (through !== null) compareAt(replayed, recordAt(worldStore, through), origin);
      digest = through === null ? digestOf(replayed) : null;
    } finally {
      modules.dispose();
    }
  }
  return digest;
}

/** How a replay on another thread failed, as data: the error is rebuilt as the class it was. */
export type ReplayFailure = { readonly kind: 'kernel' | 'node' | 'store'; readonly code: string; readonly message: string; readonly hint?: string };

/** The failure a replay's error is, or null for an error that is not a replay's outcome (a bug: it propagates). */
export function replayFailureOf(error: unknown): ReplayFailure | null {
  if (error instanceof KernelError) return { kind: 'kernel', code: error.code, message: error.message };
  if (error instanceof NodeError) return { kind: 'node', code: error.code, message: error.message, ...(error.hint !== undefined ? { hint: error.hint } : {}) };
  if (error instanceof StoreError) return { kind: 'store', code: error.code, message: error.message };
  return null;
}

function replayError(failure: ReplayFailure): Error {
  switch (failure.kind) {
    case 'kernel': return new KernelError(failure.code as KernelErrorCode, failure.message);
    case 'node': return new NodeError(failure.code as NodeErrorCode, failure.message, failure.hint);
    case 'store': return new StoreError(failure.code as StoreErrorCode, failure.message);
  }
}

/**
 * Starts replayStretches on a read-job thread; `digest` settles with the last stretch's digest,
 * or with what the replay found there, rebuilt as the error it was.
 */
async function startReplayStretchesThread(dir: string, stretches: readonly ReplayStretch[], headHeight: number): Promise<{ readonly digest: Promise<ReplayDigest | null> }> {
  // Imported here: the read-job thread runs jobs that open worlds with this module.
  const { runReadJob } = await import('./read-job.ts');
  const running = runReadJob({ kind: 'replay-stretches', dir, stretches, headHeight });
  const digest = running.then((outcome) => {
    if ('failure' in outcome) throw replayError(outcome.failure);
    return outcome.digest;
  });
  // The caller awaits it only after its own replay: until then a failure here must not count
  // as an unhandled rejection (which ends the process).
  digest.catch(() => undefined);
  // Wrapped: an async function's result promise would be awaited, not handed over.
  return { digest };
}

/** A replay that stopped at a snapshot record: it re-produced that record, so it ends right after it. */
function compareAt(replayed: World, snapshot: SealedRecord, from: string): void {
  if (replayed.head.height !== snapshot.height + 1 || replayed.head.hash !== snapshot.hash) {
    throw new KernelError('REPLAY_DIVERGED', `replay from ${from} ends at height ${replayed.head.height} (${replayed.head.hash ?? 'none'}), not after the snapshot at height ${snapshot.height} (${snapshot.hash})`);
  }
}



