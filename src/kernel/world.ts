// A world: one single-threaded stepper over a manifest, its cells, its open work and its
// journal head (DESIGN §6). Pure: inputs arrive stamped, records leave as canonical bytes.
import { assert, encodeCanonical, hashBytes } from '../cbor/index.ts';
import type { CborValue, Hash } from '../cbor/index.ts';
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
import { applyKeyRotation, keyRotationRecord } from './trusted-keys.ts';
import { checkStreamFrame, streamFrameEnvelope, streamFrameRecord } from './stream-frames.ts';
import type { StreamFrameInput } from './stream-frames.ts';
import type { KeyRotationInput, KeyRotationRecordBody } from './trusted-keys.ts';
import { apply as applyProposal, checkApply, checkDecision, checkPropose, checkShadowable, decide, GOVERNANCE_ADAPTER_ID, propose, recordShadowReport, replayGovernance } from './governance/governance-inputs.ts';
import type { ApplyInput, GovernanceHost } from './governance/governance-inputs.ts';
import type { ProposalInput } from './governance/compile-proposal.ts';
import { signingFieldsOf } from './governance/governance-decision.ts';
import type { GovernanceDecision, GovernanceDecisionInput, GovernanceSigningFields } from './governance/governance-decision.ts';
import { loadManifestView } from './governance/manifest-loader.ts';
import { ProposalLedger } from './governance/proposal-ledger.ts';
import type { Proposal } from './governance/proposal-ledger.ts';
import { applyBlockers } from './governance/quiescence.ts';
import type { ApplyBlockers } from './governance/quiescence.ts';
import { RecentSet } from './recent-set.ts';
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
  /**
   * Receipts only: the public key of the signer that signed this receipt in this process (the
   * node's own executor). A key the world trusts for the adapter stands in for re-verifying the
   * signature (receipt-signature.ts, checkVouchedReceiptSignature); never set it for a receipt
   * that came from outside the process.
   */
  readonly signedWith?: Uint8Array;
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
  /** Keys retired by key_rotation records, by adapter_id: a receipt they sign is refused as KEY_RETIRED. */
  private retired: TrustedReceiptKeys = new Map();
  /** True once a key_rotation took effect: snapshots then carry the key sets (trusted-keys.ts). */
  private keysRotated = false;
  /** Recently settled intents, oldest first: only tells a duplicate receipt from an unknown one. */
  private readonly settledRecent = new RecentSet<Hash>(RECEIPT_FENCE_RECENT_MAX);
  /** Proposals, rebuilt from governance records (governance/). */
  private proposalLedger = new ProposalLedger();
  /** The manifest in force: the genesis one until an applied proposal swaps it. */
  private currentView: ManifestView;
  /** True for a shadow fork: its receipts are taken unchecked and it journals nowhere. */
  private shadow = false;

  private constructor(view: ManifestView, private readonly modules: ModuleProvider, private readonly store: ContentStore) {
    this.currentView = view;
    this.cellTable = new CellTable(store);
  }

  /** The manifest in force now. */
  get view(): ManifestView {
    return this.currentView;
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

  /**
   * Admits a stream frame for an open intent (stream-frames.ts): journaled, then delivered to the
   * emitting instance if its event has an arm for sys/EffectStreamFrame@1. A frame out of
   * sequence, for an intent not open, or badly signed is refused (STREAM_FRAME_FENCED,
   * STREAM_FRAME_REFUSED) and not journaled.
   */
  submitStreamFrame(frame: StreamFrameInput, stamp: Stamp): SealedRecord[] {
    this.checkUsable();
    const intent = checkStreamFrame(this.openWork.get(frame.intent_hash), this.trusted, frame);
    return this.admitFrame(intent, streamFrameRecord(frame, this.stampFor(stamp)));
  }

  private admitFrame(intent: OpenIntent, body: Extract<RecordBody, { kind: 'stream_frame' }>): SealedRecord[] {
    return this.service(() => {
      const height = this.append(body);
      this.openWork.set(intent.hash, intent);
      const envelope = streamFrameEnvelope(intent, body) as unknown as CborValue;
      const run = this.run(body.stamp, {});
      run.deliverStreamFrame(intent, envelope, height, hashBytes(encodeCanonical(envelope)));
      run.drain();
    });
  }

  /** The public keys this world has retired, by adapter_id. */
  retiredKeys(): TrustedReceiptKeys {
    return this.retired;
  }

  /**
   * Trusts and retires keys of one adapter from this input's height on (trusted-keys.ts); refused
   * with KEY_ROTATION_REFUSED, unjournaled, when it names an unknown or retired key or changes nothing.
   */
  rotateKeys(rotation: KeyRotationInput, stamp: Stamp): SealedRecord[] {
    this.checkUsable();
    return this.applyRotation(keyRotationRecord({ trusted: this.trusted, retired: this.retired }, rotation, this.stampFor(stamp)));
  }

  private applyRotation(body: KeyRotationRecordBody): SealedRecord[] {
    return this.service(() => {
      this.append(body);
      const next = applyKeyRotation({ trusted: this.trusted, retired: this.retired }, body);
      this.trusted = next.trusted;
      this.retired = next.retired;
      this.keysRotated = true;
    });
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
    const admission = check ? admitReceipt(this.view, this.trusted, intent, receipt, this.retired, options.signedWith) : { ok: true as const };
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

  /**
   * Proposes a patch document (governance/): compiled against the manifest in force and journaled
   * as a `governance` record `proposed`, or `rejected` with the reasons it does not compile (which
   * is all this returns then). GOVERNANCE_REFUSED (nothing journaled) when too many proposals are open.
   */
  submitProposal(input: ProposalInput, stamp: Stamp): SealedRecord[] {
    this.checkUsable();
    checkPropose(this.proposalLedger);
    const ingress = this.stampFor(stamp);
    return this.service(() => { propose(this.governanceHost(ingress), input, ingress); });
  }

  /** Journals the hash of a proposal's shadow report (the report itself is in CAS). */
  submitShadowReport(proposalId: number, reportHash: Hash, stamp: Stamp): SealedRecord[] {
    this.checkUsable();
    checkShadowable(this.proposalLedger, proposalId);
    const ingress = this.stampFor(stamp);
    return this.service(() => recordShadowReport(this.governanceHost(ingress), proposalId, reportHash, ingress));
  }

  /** Admits a principal's signed approval or rejection of a proposal; GOVERNANCE_REFUSED (nothing journaled) says why not. */
  submitGovernanceDecision(input: GovernanceDecisionInput, stamp: Stamp): SealedRecord[] {
    this.checkUsable();
    const ingress = this.stampFor(stamp);
    const host = this.governanceHost(ingress);
    checkDecision(host, input);
    return this.service(() => decide(host, input, ingress));
  }

  /** What a decision on a proposal must sign (GOVERNANCE_REFUSED when there is no such compiled proposal). */
  governanceSubject(proposalId: number, decision: GovernanceDecision, reason: string | null): GovernanceSigningFields {
    const proposal = this.proposalLedger.get(proposalId);
    if (proposal === undefined) throw new KernelError('GOVERNANCE_REFUSED', `governance refused: there is no proposal ${proposalId}; list the proposals with \`aos gov ls\``);
    return signingFieldsOf(proposal, decision, reason);
  }

  /**
   * Applies an approved proposal at strict quiescence: journals `applied` and `manifest`, and the
   * world runs the candidate from then on. With `intent_hash` (a workflow's governance.apply),
   * that intent is exempt from quiescence and settles in the same input. Refused unjournaled
   * with GOVERNANCE_REFUSED (state, quorum, stale base) or APPLY_BLOCKED (what is in flight).
   */
  applyProposal(input: ApplyInput, stamp: Stamp): SealedRecord[] {
    this.checkUsable();
    const ingress = this.stampFor(stamp);
    const host = this.governanceHost(ingress);
    checkApply(host, input);
    return this.service(() => applyProposal(host, input, ingress));
  }

  /** Every proposal, by id. */
  proposals(): readonly Proposal[] {
    return this.proposalLedger.all();
  }

  /** What would block an apply now (the open work but `exempt`): empty lists mean quiescent. */
  applyBlockers(exempt: Hash | null = null): ApplyBlockers {
    return applyBlockers(this.openWork, exempt);
  }

  /**
   * An isolated copy of this world's state for a shadow run (DESIGN §8): cells (read through
   * `store`, which must fall back to this world's store), open work, budgets, proposals, head
   * and time, running `view` (a candidate's, or this world's manifest). Call it between inputs.
   * The fork journals nowhere (its records are only returned); its effects stay open unless
   * shadowReceipt settles them.
   */
  fork(store: ContentStore, modules: ModuleProvider, view: ManifestView = this.currentView): World {
    this.checkUsable();
    const fork = new World(view, modules, store);
    fork.shadow = true;
    fork.cellTable.restore(this.cellTable.writeDelta());
    fork.budgets.restore(this.budgets.entries(), this.budgets.peakEntries());
    for (const intent of this.openWork.values()) {
      fork.openWork.set(intent.hash, intent);
      if (intent.reserved !== null) fork.budgets.reserve(intent.grant, intent.reserved);
    }
    fork.proposalLedger = this.proposalLedger.clone();
    fork.headHeight = this.headHeight;
    fork.headHash = this.headHash;
    fork.logicalNowNs = this.logicalNowNs;
    fork.trusted = this.trusted;
    return fork;
  }

  /** Settles open work of a shadow fork with a receipt taken as given (a journaled one replayed): no signature is checked. */
  shadowReceipt(receipt: ReceiptInput, stamp: Stamp): SealedRecord[] {
    assert(this.shadow, 'only a shadow fork takes receipts unchecked');
    return this.receiveReceipt(receipt, stamp, {}, false);
  }

  /** The world as governance inputs see it; `ingress` stamps what they deliver. */
  private governanceHost(ingress: IngressStamp): GovernanceHost {
    const current = (): ManifestView => this.currentView;
    return {
      get view() { return current(); },
      store: this.store,
      ledger: this.proposalLedger,
      open: this.openWork,
      append: (body) => {
        const height = this.append(body);
        assert(this.headHash !== null, 'a record was just appended');
        return { height, hash: this.headHash };
      },
      swap: (view) => { this.currentView = view; },
      settleInternal: (intent, payload, cause) => {
        this.settle(intent);
        // An instance whose module the new manifest retired keeps its state but gets no more steps.
        if (!this.currentView.modules.has(intent.module)) return;
        this.deliver(intent, { status: 'ok', adapter_id: GOVERNANCE_ADAPTER_ID, payload, cost_cents: null, signature: new Uint8Array(0) }, cause, ingress, {});
      },
    };
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
      cellRoots: this.cellTable.writeDelta(), open: [...this.openWork.values()], budgets: this.budgets.entries(), budgetPeaks: this.budgets.peakEntries(),
      proposals: this.proposalLedger.toSnapshot(),
      ...(this.keysRotated ? { keys: { trusted: this.trusted, retired: this.retired } } : {}),
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
    if (intent.reserved !== null) this.budgets.release(intent.grant, intent.reserved);
    this.settledRecent.add(intent.hash);
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
      case 'stream_frame': {
        // Admitted when it was journaled: replay re-checks no signature, only the sequence.
        const open = this.openWork.get(body.intent_hash);
        if (open === undefined || body.seq !== open.frames + 1) throw new KernelError('REPLAY_DIVERGED', `height ${record.height} journals frame ${body.seq} of intent ${body.intent_hash}, which is not that intent's next frame here`);
        return this.admitFrame({ ...open, frames: body.seq }, body);
      }
      case 'key_rotation':
        // Admitted when it was journaled: replay re-checks nothing (a replay from a snapshot may
        // not know the keys the rotation was checked against), it only applies the change.
        return this.applyRotation(body);
      case 'governance':
        // Admitted when it was journaled: replay re-checks no signature and recompiles no patch; an apply swaps again.
        return this.service(() => replayGovernance(this.governanceHost(body.stamp), body));
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
    if (state.manifestHash !== body.manifest_hash) {
      throw new KernelError('SNAPSHOT_INVALID', `snapshot at height ${record.height} was taken under manifest ${state.manifestHash}, but its record says ${body.manifest_hash}: refusing to restore`);
    }
    // A snapshot after an applied proposal runs the manifest that proposal installed; before any,
    // the world's genesis manifest (the view this world was opened with). Anything else is a
    // snapshot from another lineage: fail closed. Cells of modules the manifest no longer lists
    // are kept only when an earlier manifest of the lineage defined them (an upgrade retires
    // modules, it deletes nothing); a cell of a module no manifest of the lineage defined is refused.
    this.proposalLedger.restore(state.proposals, body.snapshot_hash);
    const genesis = this.currentView;
    const applied = this.proposalLedger.all().filter((proposal) => proposal.status === 'applied' && proposal.manifest_hash !== null)
      .sort((a, b) => (a.applied_at ?? 0) - (b.applied_at ?? 0));
    const expected = applied.at(-1)?.manifest_hash ?? genesis.hash;
    if (body.manifest_hash !== expected) {
      throw new KernelError('SNAPSHOT_INVALID', `snapshot at height ${record.height} was taken under manifest ${body.manifest_hash}, but the journal's lineage has ${expected} in force there${applied.length === 0 ? ' (its genesis manifest; no proposal was applied)' : ` (installed by proposal ${applied.at(-1)?.id ?? '?'})`}: refusing to restore`);
    }
    if (body.manifest_hash !== genesis.hash) this.currentView = loadManifestView(this.store, body.manifest_hash);
    const lineage = new Set([...genesis.modules.keys(), ...this.currentView.modules.keys()]);
    for (const proposal of applied.slice(0, -1)) for (const module of loadManifestView(this.store, proposal.manifest_hash as Hash).modules.keys()) lineage.add(module);
    const unknown = [...state.cellRoots.keys()].filter((module) => !lineage.has(module));
    if (unknown.length > 0) {
      throw new KernelError('SNAPSHOT_INVALID', `snapshot at height ${record.height} holds cells of ${unknown.join(', ')}, which no manifest of this world's lineage defines: refusing to restore`);
    }
    this.cellTable.restore(state.cellRoots);
    this.budgets.restore(state.budgets, state.budgetPeaks);
    if (state.keys !== undefined) {
      this.trusted = state.keys.trusted;
      this.retired = state.keys.retired;
      this.keysRotated = true;
    }
    for (const intent of state.open) {
      this.openWork.set(intent.hash, intent);
      if (intent.reserved !== null) this.budgets.reserve(intent.grant, intent.reserved);
    }
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


