// A world: one single-threaded stepper over a manifest, its cells, its open work and its
// journal head (DESIGN §6). Pure: inputs arrive stamped, records leave as canonical bytes.
import { assert, encodeCanonical, hashBytes } from '../cbor/index.ts';
import type { Hash } from '../cbor/index.ts';
import { AirError } from '../air/index.ts';
import { CborError } from '../cbor/index.ts';
import { checkApproval, pendingApprovalOf } from './approvals.ts';
import type { ApprovalDecision, ApprovalInput, ApprovalSigningFields } from './approvals.ts';
import { BudgetLedger } from './budgets.ts';
import { CellTable } from './cells.ts';
import type { Cell } from './cells.ts';
import { KernelError } from './errors.ts';
import { eventHashOf } from './event-hash.ts';
import { carriedReceipt } from './receipt-carriers.ts';
import { ENTROPY_BYTES, EVENT_VALUE_BYTES_MAX, RECEIPT_FENCE_RECENT_MAX } from './limits.ts';
import type { ManifestView } from './manifest-view.ts';
import type { ModuleProvider } from './module-provider.ts';
import type { OpenIntent } from './open-work.ts';
import { sealRecord } from './records.ts';
import type { IngressStamp, RecordBody, SealedRecord } from './records.ts';
import type { ContentStore } from './content-store.ts';
import { isOwnSnapshotFormat, readSnapshot, writeSnapshot } from './snapshot.ts';
import { admitReceipt, rejectionRecord, trustedKeysOf, trustedKeysRecord } from './receipt-admission.ts';
import type { ReceiptUsage, TrustedReceiptKeys } from './receipt-signature.ts';
import { InputRun } from './step-input.ts';
import { canonicalTyped } from './typed-bytes.ts';
import type { TypedBytes } from './typed-bytes.ts';

/** A domain event from outside: its schema and canonical CBOR value. */
export interface EventInput {
  readonly schema: string;
  readonly value: Uint8Array;
  readonly key?: Uint8Array;
}

/**
 * An adapter's receipt for an open intent: `signature` is the adapter key's ed25519 signature over
 * receiptSigningBytes({intent_hash, adapter_id, status, payload_hash: sha256(payload), cost_cents, usage}).
 */
export interface ReceiptInput {
  readonly intent_hash: Hash;
  readonly adapter_id: string;
  readonly status: 'ok' | 'error' | 'timeout';
  readonly payload: Uint8Array;
  readonly cost_cents?: number;
  readonly usage?: ReceiptUsage;
  readonly signature: Uint8Array;
}

/** The outside facts ingress stamps: wall time, logical time, entropy. Height and manifest are the world's. */
export interface Stamp {
  readonly now_ns: bigint;
  readonly logical_now_ns: bigint;
  readonly entropy: Uint8Array;
}

/** Options of one input: deliveries the watchdog aborted (by index in the input's delivery order). */
export interface InputOptions {
  readonly aborts?: readonly number[];
}

/** The next height to write and the hash of the last record (the audit root). */
export interface JournalHead {
  readonly height: number;
  readonly hash: Hash | null;
}

/** The adapter_id of the envelope a denied approval delivers: no adapter ran, the kernel settled it. */
const APPROVAL_ADAPTER_ID = 'kernel.approval';

/** What a settled intent's envelope reports: a receipt's fields, or a denial's. */
interface DeliveredOutcome {
  readonly status: string;
  readonly adapter_id: string;
  readonly payload: Uint8Array;
  readonly cost_cents: number | null;
  readonly signature: Uint8Array;
}

export class World {
  private readonly cellTable: CellTable;
  private readonly openWork = new Map<Hash, OpenIntent>();
  private readonly budgets = new BudgetLedger();
  private headHeight = 0;
  private headHash: Hash | null = null;
  private logicalNowNs = 0n;
  private pending: SealedRecord[] = [];
  private poisoned: string | null = null;
  /** The keys receipts must be signed with: from the world's trusted_keys record (live admission only; replay re-checks nothing). */
  private trusted: TrustedReceiptKeys = new Map();
  /** Recently settled intents, oldest first: only tells a duplicate receipt from an unknown one. */
  private readonly settledRecent = new Set<Hash>();

  private constructor(readonly view: ManifestView, private readonly modules: ModuleProvider, private readonly store: ContentStore) {
    this.cellTable = new CellTable(store);
  }

  /**
   * A new world: its genesis record names the manifest. With `trusted`, a trusted_keys record
   * follows it: the adapter keys whose signed receipts this world admits (without one, every
   * receipt is refused as UNKNOWN_KEY).
   */
  static create(view: ManifestView, modules: ModuleProvider, store: ContentStore, trusted?: TrustedReceiptKeys): { world: World; records: SealedRecord[] } {
    const world = new World(view, modules, store);
    world.begin();
    world.append({ kind: 'manifest', manifest_hash: view.hash });
    if (trusted !== undefined) {
      const record = trustedKeysRecord(trusted);
      world.trusted = trustedKeysOf(record);
      world.append(record);
    }
    return { world, records: world.commit() };
  }

  /**
   * Rebuilds a world from its journal, re-executing every input and checking that each record
   * comes out byte for byte as it was journaled (replay or die). With `fromSnapshot`, state is
   * restored from that snapshot record and only the records after it are replayed; `trusted` is
   * then the key map of the world's trusted_keys record (which precedes every snapshot), since a
   * replayed trusted_keys record sets the keys itself.
   */
  static replay(view: ManifestView, modules: ModuleProvider, store: ContentStore, records: Iterable<SealedRecord>, fromSnapshot?: SealedRecord, trusted?: TrustedReceiptKeys): World {
    const world = new World(view, modules, store);
    if (trusted !== undefined) world.trusted = trusted;
    if (fromSnapshot !== undefined) world.restore(fromSnapshot);
    const iterator = records[Symbol.iterator]();
    for (let next = iterator.next(); !next.done; next = iterator.next()) {
      const record = next.value;
      if (record.height < world.headHeight) continue;
      world.replayOne(record, iterator);
    }
    return world;
  }

  get head(): JournalHead {
    return { height: this.headHeight, hash: this.headHash };
  }

  /** Admits a domain event from outside; returns the records to make durable, in order. */
  submitEvent(event: EventInput, stamp: Stamp, options: InputOptions = {}): SealedRecord[] {
    this.checkUsable();
    const schemas = this.view.index;
    if (schemas.resolve(event.schema) === undefined) {
      throw new KernelError('UNKNOWN_SCHEMA', `schema ${event.schema} is not defined in this world; send one of the schemas its manifest routes (${this.view.routes.map((route) => route.event).join(', ') || 'none'})`);
    }
    if (event.value.length > EVENT_VALUE_BYTES_MAX) throw new KernelError('INVALID_EVENT', `event value of ${event.value.length} bytes exceeds ${EVENT_VALUE_BYTES_MAX}`);
    let typed: TypedBytes;
    try {
      typed = canonicalTyped(event.value, event.schema, schemas, 'value');
    } catch (error) {
      if (!(error instanceof AirError || error instanceof CborError)) throw error;
      throw new KernelError('INVALID_EVENT', `the value is not a ${event.schema}: ${error.message}`, { cause: error });
    }
    const carried = carriedReceipt(event.schema, typed.bytes, schemas);
    if (carried !== undefined) {
      throw new KernelError('INVALID_EVENT', `a ${event.schema} event carrying a ${carried} is a receipt, and receipts reach workflows only from the kernel after their signature is checked; have an adapter settle the intent instead`);
    }
    const ingress = this.stampFor(stamp);
    return this.service(() => {
      const eventHash = eventHashOf(event.schema, typed.bytes, event.key);
      const height = this.append({
        kind: 'domain_event', schema: event.schema, value: typed.bytes, ...(event.key !== undefined ? { key: event.key } : {}),
        event_hash: eventHash, origin: { kind: 'ingress' }, stamp: ingress, ...abortsField(options),
      });
      const run = this.run(ingress, options);
      run.routeEvent(event.schema, typed, eventHash, height);
      run.drain();
    });
  }

  /**
   * Admits a receipt for open work; it goes back to the instance that emitted the intent. A
   * receipt for an intent that is not open (a duplicate, a late one, an unknown one) is fenced by
   * intent hash: refused with DUPLICATE_RECEIPT or UNKNOWN_INTENT and not journaled, since an
   * at-least-once executor sends these routinely and they change nothing. A receipt for an open
   * intent that fails admission (receipt-admission.ts) is journaled as a `receipt_rejected`
   * record, which is all this returns then; the intent stays open.
   */
  submitReceipt(receipt: ReceiptInput, stamp: Stamp, options: InputOptions = {}): SealedRecord[] {
    return this.receiveReceipt(receipt, stamp, options, true);
  }

  /** The public keys this world admits receipts from, by adapter_id. */
  trustedKeys(): TrustedReceiptKeys {
    return this.trusted;
  }

  private receiveReceipt(receipt: ReceiptInput, stamp: Stamp, options: InputOptions, check: boolean): SealedRecord[] {
    this.checkUsable();
    const intent = this.openWork.get(receipt.intent_hash);
    if (intent === undefined) {
      if (this.settledRecent.has(receipt.intent_hash)) {
        throw new KernelError('DUPLICATE_RECEIPT', `intent ${receipt.intent_hash} is already settled; this receipt (from ${receipt.adapter_id}) is a duplicate or late, and is fenced by intent hash`);
      }
      throw new KernelError('UNKNOWN_INTENT', `no open intent ${receipt.intent_hash}: it was never emitted here, or it is already settled (receipts are fenced by intent hash)`);
    }
    const ingress = this.stampFor(stamp);
    const admission = check ? admitReceipt(this.view, this.trusted, intent, receipt) : { ok: true as const };
    if (!admission.ok) return this.service(() => { this.append(rejectionRecord(receipt, admission, ingress)); });
    return this.service(() => {
      const height = this.append({
        kind: 'effect_receipt', intent_hash: receipt.intent_hash, adapter_id: receipt.adapter_id, status: receipt.status,
        payload: receipt.payload, ...(receipt.cost_cents !== undefined ? { cost_cents: receipt.cost_cents } : {}),
        ...(receipt.usage !== undefined ? { usage: { prompt_tokens: receipt.usage.prompt_tokens, completion_tokens: receipt.usage.completion_tokens } } : {}),
        signature: receipt.signature, stamp: ingress, ...abortsField(options),
      });
      this.settle(intent);
      this.charge(intent, receipt, ingress.logical_now_ns, height);
      this.deliver(intent, { status: receipt.status, adapter_id: receipt.adapter_id, payload: receipt.payload, cost_cents: receipt.cost_cents ?? null, signature: receipt.signature }, height, ingress, options);
    });
  }

  /**
   * Admits a principal's signed decision on an intent waiting for approval (approvals.ts says what
   * is signed and checked; records.ts ApprovalRecordBody what follows). A refused approval throws
   * APPROVAL_REFUSED and journals nothing.
   */
  submitApproval(approval: ApprovalInput, stamp: Stamp): SealedRecord[] {
    this.checkUsable();
    checkApproval(this.view.authority.approval, this.openWork.get(approval.intent_hash), approval);
    return this.decideApproval(approval, this.stampFor(stamp));
  }

  /** What an approval of this intent must sign (APPROVAL_REFUSED when it is not waiting for approval). */
  approvalSubject(intentHash: Hash, decision: ApprovalDecision): ApprovalSigningFields {
    return { intent_hash: intentHash, decision, intent_record: pendingApprovalOf(this.openWork.get(intentHash), intentHash).record };
  }

  /** The intents waiting for approval, oldest first. */
  pendingApprovals(): OpenIntent[] {
    return [...this.openWork.values()].filter((intent) => intent.approval !== null).sort((a, b) => a.emittedAt - b.emittedAt);
  }

  private decideApproval(approval: ApprovalInput, ingress: IngressStamp): SealedRecord[] {
    const intent = this.openWork.get(approval.intent_hash);
    const pending = intent?.approval ?? null;
    if (intent === undefined || pending === null) throw new KernelError('REPLAY_DIVERGED', `an approval of ${approval.intent_hash} is journaled, but that intent is not waiting for approval here`);
    return this.service(() => {
      const height = this.append({ kind: 'approval', intent_hash: approval.intent_hash, decision: approval.decision, principal: approval.principal, signature: approval.signature, stamp: ingress });
      if (approval.decision === 'approve') {
        const approvers = [...pending.approvers, approval.principal];
        const quorum = this.view.authority.approval?.quorum ?? Number.POSITIVE_INFINITY;
        this.openWork.set(intent.hash, { ...intent, approval: approvers.length >= quorum ? null : { record: pending.record, approvers } });
        return;
      }
      this.settle(intent);
      const name = this.view.authority.approval?.principals.get(approval.principal) ?? 'an unlisted principal';
      const message = `denied by principal ${name} (${approval.principal}): the approval policy did not let this ${intent.kind} effect run`;
      this.deliver(intent, { status: 'denied', adapter_id: APPROVAL_ADAPTER_ID, payload: encodeCanonical(message, { selfDescribe: false }), cost_cents: null, signature: approval.signature }, height, ingress, {});
    });
  }

  /** Charges a receipt to the budget of the intent's grant, if it has one, and journals the charge. */
  private charge(intent: OpenIntent, receipt: ReceiptInput, nowNs: bigint, cause: number): void {
    const budget = this.view.authority.grants.get(intent.grant)?.budget ?? null;
    if (budget === null) return;
    const tokens = receipt.usage === undefined ? 0n : BigInt(receipt.usage.prompt_tokens) + BigInt(receipt.usage.completion_tokens);
    const costCents = BigInt(receipt.cost_cents ?? 0);
    this.budgets.charge(intent.grant, budget, { atNs: nowNs, costCents, tokens, count: 1n });
    this.append({ kind: 'budget_charge', grant: intent.grant, intent_hash: intent.hash, cost_cents: costCents, tokens, count: 1n, cause });
  }

  /** Delivers a settled intent's outcome to the instance that emitted it, as a sys/EffectReceiptEnvelope@1. */
  private deliver(intent: OpenIntent, outcome: DeliveredOutcome, height: number, ingress: IngressStamp, options: InputOptions): void {
    const envelope = {
      origin_module_id: intent.module, origin_instance_key: intent.key, intent_id: intent.hash, effect_kind: intent.kind,
      params_hash: hashBytes(intent.params), issuer_ref: intent.issuerRef ?? null, receipt_payload: outcome.payload,
      status: outcome.status, emitted_at_seq: intent.emittedAt, adapter_id: outcome.adapter_id,
      cost_cents: outcome.cost_cents, signature: outcome.signature,
    };
    const run = this.run(ingress, options);
    run.deliverReceipt(intent, envelope, height, hashBytes(encodeCanonical(envelope)));
    run.drain();
  }

  /** Writes a snapshot of the current state and journals it; contexts are recycled here (a deterministic point). */
  snapshot(): SealedRecord[] {
    this.checkUsable();
    return this.service(() => this.snapshotNow());
  }

  /** The canonical state bytes of an instance, or null when it has none. */
  state(module: string, key: Uint8Array | null = null): Uint8Array | null {
    return this.cellTable.get(module, key)?.state ?? null;
  }

  /** The instances of a module, sorted by key. */
  cells(module: string): readonly Cell[] {
    return this.cellTable.of(module);
  }

  /** Every open intent, by hash. */
  openIntents(): ReadonlyMap<Hash, OpenIntent> {
    return this.openWork;
  }

  private snapshotNow(): void {
    const hash = writeSnapshot(this.store, {
      height: this.headHeight, manifestHash: this.view.hash, chainHead: this.headHash, logicalNowNs: this.logicalNowNs,
      cellRoots: this.cellTable.writeDelta(), open: [...this.openWork.values()], budgets: this.budgets.entries(),
    });
    this.append({ kind: 'snapshot', snapshot_hash: hash, manifest_hash: this.view.hash });
    this.modules.recycleAll();
  }

  private keepSnapshotRecord(record: SealedRecord): void {
    this.pending.push(record);
    this.headHeight += 1;
    this.headHash = record.hash;
    this.modules.recycleAll();
  }

  private run(stamp: IngressStamp, options: InputOptions): InputRun {
    const world = {
      view: this.view, cells: this.cellTable, open: this.openWork, modules: this.modules, budgets: this.budgets,
      append: (body: RecordBody) => this.append(body),
      headHash: (): Hash => {
        assert(this.headHash !== null, 'a step runs after its input record');
        return this.headHash;
      },
    };
    return new InputRun(world, stamp, new Set(options.aborts ?? []));
  }

  private settle(intent: OpenIntent): void {
    this.openWork.delete(intent.hash);
    this.settledRecent.add(intent.hash);
    if (this.settledRecent.size > RECEIPT_FENCE_RECENT_MAX) {
      const oldest = this.settledRecent.values().next();
      if (oldest.done !== true) this.settledRecent.delete(oldest.value);
    }
    const cell = this.cellTable.modify(intent.module, intent.key);
    if (cell === undefined) return;
    cell.open.delete(intent.hash);
    if (cell.status === 'waiting' && cell.open.size === 0) cell.status = 'running';
  }

  private stampFor(stamp: Stamp): IngressStamp {
    if (stamp.entropy.length !== ENTROPY_BYTES) throw new KernelError('BAD_STAMP', `entropy must be ${ENTROPY_BYTES} bytes, got ${stamp.entropy.length}`);
    if (stamp.logical_now_ns < this.logicalNowNs) {
      throw new KernelError('BAD_STAMP', `logical time must not go backwards: ${stamp.logical_now_ns} < ${this.logicalNowNs}`);
    }
    // Fields in canonical CBOR key order, so the record encoder writes the stamp without sorting.
    return { now_ns: stamp.now_ns, entropy: stamp.entropy, manifest_hash: this.view.hash, journal_height: this.headHeight, logical_now_ns: stamp.logical_now_ns };
  }

  /** Runs one input; on an unexpected error the world refuses further input until it is reopened from durable state. */
  private service(work: () => void): SealedRecord[] {
    this.begin();
    try {
      work();
    } catch (error) {
      this.poisoned = error instanceof Error ? error.message : String(error);
      this.pending = [];
      throw error;
    }
    // Between inputs no step holds a cell, so the delta may be written out here.
    this.cellTable.writeDeltaIfFull();
    return this.commit();
  }

  private begin(): void {
    this.pending = [];
  }

  private commit(): SealedRecord[] {
    const records = this.pending;
    this.pending = [];
    return records;
  }

  private append(body: RecordBody): number {
    const record = sealRecord(this.headHeight, this.headHash, body);
    this.pending.push(record);
    this.headHeight += 1;
    this.headHash = record.hash;
    if ('stamp' in body && body.stamp !== undefined) this.logicalNowNs = body.stamp.logical_now_ns;
    return record.height;
  }

  private checkUsable(): void {
    if (this.poisoned !== null) {
      throw new KernelError('RUNAWAY', `this world stopped after an input failed mid-way (${this.poisoned}); reopen it from its journal`);
    }
  }

  private replayOne(record: SealedRecord, rest: Iterator<SealedRecord>): void {
    const produced = this.reproduce(record);
    for (let index = 0; index < produced.length; index += 1) {
      const expected = index === 0 ? record : nextOrDie(rest, produced[index]?.height ?? -1);
      const got = produced[index];
      if (got === undefined || !sameBytes(got.bytes, expected.bytes)) {
        throw new KernelError('REPLAY_DIVERGED', `replay diverged at height ${expected.height}: the journal has a ${expected.body.kind} record there, replay produced ${got === undefined ? 'nothing' : `a ${got.body.kind} record`} with different bytes`);
      }
    }
  }

  /** Re-executes the input a journaled record starts, as it was stamped; derived records cannot start an input. */
  private reproduce(record: SealedRecord): SealedRecord[] {
    const body = record.body;
    if (record.height !== this.headHeight || record.prev !== this.headHash) {
      throw new KernelError('JOURNAL_CORRUPT', record.height !== this.headHeight
        ? `the journal skips from height ${this.headHeight - 1} to ${record.height}`
        : `the hash chain breaks at height ${record.height}: its prev is ${record.prev ?? 'none'}, but the record at height ${record.height - 1} hashes to ${this.headHash ?? 'none'}; one of the two was altered`);
    }
    const options = 'aborts' in body && body.aborts !== undefined ? { aborts: body.aborts.map(Number) } : {};
    switch (body.kind) {
      case 'manifest':
        if (body.manifest_hash !== this.view.hash) throw new KernelError('REPLAY_DIVERGED', `height ${record.height} installs manifest ${body.manifest_hash}, but this world was opened with ${this.view.hash}`);
        return this.service(() => { this.append(body); });
      case 'snapshot':
        if (body.manifest_hash !== this.view.hash) throw new KernelError('REPLAY_DIVERGED', `height ${record.height} is a snapshot under manifest ${body.manifest_hash}, but this world runs ${this.view.hash}`);
        // A snapshot an older kernel wrote in another format cannot be re-produced byte for
        // byte: it is kept as journaled (the chain goes on from its hash), and contexts are
        // recycled at its height as at any snapshot. State is still checked by what follows.
        if (!isOwnSnapshotFormat(this.store, body.snapshot_hash)) return this.service(() => this.keepSnapshotRecord(record));
        return this.service(() => this.snapshotNow());
      case 'domain_event':
        if (body.origin.kind !== 'ingress' || body.stamp === undefined) break;
        return this.submitEvent({ schema: body.schema, value: body.value, ...(body.key !== undefined ? { key: body.key } : {}) }, body.stamp, options);
      case 'effect_receipt':
        // Admitted when it was journaled: replay re-checks no signature (aos audit verify does).
        return this.receiveReceipt({
          intent_hash: body.intent_hash, adapter_id: body.adapter_id, status: body.status, payload: body.payload,
          ...(body.cost_cents !== undefined ? { cost_cents: Number(body.cost_cents) } : {}), ...(body.usage !== undefined ? { usage: body.usage } : {}), signature: body.signature,
        }, body.stamp, options, false);
      case 'approval':
        // Admitted when it was journaled: replay re-checks neither the principal nor the signature.
        return this.decideApproval({ intent_hash: body.intent_hash, decision: body.decision, principal: body.principal, signature: body.signature }, body.stamp);
      case 'receipt_rejected':
        // A refusal changes nothing but the journal: it is kept as journaled, without re-checking.
        return this.service(() => { this.append(body); });
      case 'trusted_keys':
        return this.service(() => {
          this.trusted = trustedKeysOf(body);
          this.append(body);
        });
      default:
        break;
    }
    throw new KernelError('REPLAY_DIVERGED', `replay diverged at height ${record.height}: a ${body.kind} record is journaled where an input should start`);
  }

  /** Restores cells, open work and the head from a snapshot record, failing closed on any disagreement. */
  private restore(record: SealedRecord): void {
    const body = record.body;
    if (body.kind !== 'snapshot') throw new KernelError('SNAPSHOT_INVALID', `height ${record.height} is a ${body.kind} record, not a snapshot`);
    const state = readSnapshot(this.store, body.snapshot_hash);
    if (state.height !== record.height || state.chainHead !== record.prev) {
      throw new KernelError('SNAPSHOT_INVALID', `snapshot ${body.snapshot_hash} describes height ${state.height} after ${state.chainHead ?? 'genesis'}, but its record is at height ${record.height} after ${record.prev ?? 'genesis'}`);
    }
    if (state.manifestHash !== body.manifest_hash || body.manifest_hash !== this.view.hash) {
      throw new KernelError('SNAPSHOT_INVALID', `snapshot at height ${record.height} was taken under manifest ${state.manifestHash} (record says ${body.manifest_hash}), but the journal's manifest is ${this.view.hash}: refusing to restore`);
    }
    const unknown = [...state.cellRoots.keys()].filter((module) => !this.view.modules.has(module));
    if (unknown.length > 0) {
      throw new KernelError('SNAPSHOT_INVALID', `snapshot at height ${record.height} holds cells of ${unknown.join(', ')}, which manifest ${this.view.hash} does not define: refusing to restore`);
    }
    this.cellTable.restore(state.cellRoots);
    for (const intent of state.open) this.openWork.set(intent.hash, intent);
    this.budgets.restore(state.budgets);
    this.headHeight = record.height + 1;
    this.headHash = record.hash;
    this.logicalNowNs = state.logicalNowNs;
    this.modules.recycleAll();
  }
}

function abortsField(options: InputOptions): { aborts?: readonly number[] } {
  return options.aborts !== undefined && options.aborts.length > 0 ? { aborts: [...options.aborts].sort((a, b) => a - b) } : {};
}

function nextOrDie(rest: Iterator<SealedRecord>, height: number): SealedRecord {
  const next = rest.next();
  if (next.done === true) throw new KernelError('REPLAY_DIVERGED', `replay diverged at height ${height}: replay produced a record the journal does not have (the journal ends early)`);
  return next.value;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let index = 0; index < a.length; index += 1) if (a[index] !== b[index]) return false;
  return true;
}


