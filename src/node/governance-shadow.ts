// `aos gov shadow` (DESIGN §8): a proposal tried on the world's *current* state, not an empty
// world. Two forks of the live state are taken at the head, one running the current manifest
// (the baseline) and one the candidate; both get the same last N journaled inputs (and any sample
// events), restamped after the head, with effects stubbed: intents stay open unless a journaled
// receipt for the same intent hash is among the inputs. The report compares the candidate's run
// with the state at the fork and with the baseline's run. Forks write into memory layered over the
// world's CAS and use fresh module runtimes, so the live world is untouched.
import { decodeCanonical, encodeCanonical, hashBytes, toJsonValue } from '../cbor/index.ts';
import type { CborValue, Hash } from '../cbor/index.ts';
import { KernelError, loadManifestView } from '../kernel/index.ts';
import type { ContentStore, EventInput, SealedRecord, Stamp, World } from '../kernel/index.ts';
import type { CasModules } from './module-runtimes.ts';
import type { EmbeddedWorld } from './embedded-world.ts';
import { NodeError } from './errors.ts';
import { ledgerChanges } from './governance-ledger-diff.ts';
import type { LedgerChange } from './governance-ledger-diff.ts';
import { cellDiffs } from './governance-state-diff.ts';
import type { CellDiff } from './governance-state-diff.ts';
import { SHADOW_INPUTS_DEFAULT, SHADOW_INPUTS_MAX, SHADOW_JOURNAL_PAGE_RECORDS, SHADOW_JOURNAL_SCAN_MAX, SHADOW_PARAMS_CHARS_MAX } from './limits.ts';

/** What to replay in a shadow run. */
export interface ShadowOptions {
  /** How many of the last journaled inputs (events from outside, receipts) to replay; SHADOW_INPUTS_DEFAULT when absent. */
  readonly inputs?: number;
  /** Events to send after them (e.g. from `--sample events.json`). */
  readonly samples?: readonly EventInput[];
  /**
   * The run's deadline (a governance.shadow effect's): once it has aborted, the shadow stops
   * before forking and journals nothing, since its intent has already settled as a timeout.
   */
  readonly signal?: AbortSignal;
}

/** An effect the candidate emitted. */
export interface PredictedEffect {
  readonly kind: string;
  readonly grant: string;
  readonly decision: string;
  readonly module: string;
  readonly intent_hash: Hash;
  readonly params: string;
}

/** An effect the candidate's grants or policy refused. */
export interface ShadowDenial {
  readonly kind: string;
  readonly grant: string | null;
  readonly stage: 'cap' | 'policy';
  readonly code: string;
  readonly message: string;
  readonly module: string;
}

/** One input on which the candidate did something else than the current manifest. */
export interface Divergence {
  readonly input: number;
  readonly what: string;
  readonly current: string;
  readonly candidate: string;
}

/** The stored report (canonical CBOR in CAS; its hash is journaled as a shadow_report). */
export interface ShadowReport {
  readonly proposal_id: number;
  readonly patch_hash: Hash;
  readonly base_manifest_hash: Hash;
  readonly manifest_hash: Hash;
  readonly forked_at: number;
  readonly inputs_replayed: number;
  readonly samples: number;
  readonly effects_predicted: readonly PredictedEffect[];
  readonly denials: readonly ShadowDenial[];
  readonly faults: ReadonlyArray<{ readonly module: string; readonly kind: string; readonly message: string }>;
  readonly refused_inputs: ReadonlyArray<{ readonly input: number; readonly message: string }>;
  readonly state_changes: readonly CellDiff[];
  readonly ledger_changes: readonly LedgerChange[];
  readonly divergences: readonly Divergence[];
  readonly state_divergences: readonly CellDiff[];
  /** Work in flight at the fork: it blocks the apply until it settles. */
  readonly open_at_fork: number;
}

/** Runs a shadow of a proposal, stores its report in CAS and journals its hash; returns both. */
export async function shadowProposal(world: EmbeddedWorld, proposalId: number, options: ShadowOptions = {}): Promise<{ report: ShadowReport; hash: Hash; records: SealedRecord[] }> {
  const proposal = world.proposals()[proposalId];
  if (proposal === undefined) throw new NodeError('BAD_INPUT', `there is no proposal ${proposalId}`, 'list the proposals with `aos gov ls`');
  if (proposal.manifest_hash === null || proposal.patch_hash === null || proposal.status === 'rejected' || proposal.status === 'applied') {
    throw new NodeError('SHADOW_FAILED', `proposal ${proposalId} is ${proposal.status}${proposal.patch_hash === null ? ' (its patch never compiled)' : ''}; only a proposal still to be decided can be shadowed`, 'propose the change again');
  }
  const count = options.inputs ?? SHADOW_INPUTS_DEFAULT;
  if (!Number.isSafeInteger(count) || count < 0 || count > SHADOW_INPUTS_MAX) throw new NodeError('BAD_INPUT', `--inputs ${count} is out of range`, `pass 0 to ${SHADOW_INPUTS_MAX}`);
  let report: ShadowReport;
  const candidateView = loadManifestView(world.cas, proposal.manifest_hash);
  const views = [world.view, world.view, candidateView] as const;
  const modules = await Promise.all(views.map((view) => world.shadowModules(view)));
  try {
    // Loading the modules is the shadow's only wait, so the deadline can pass only there; the
    // rest runs to the journal in one go.
    if (options.signal?.aborted === true) {
      throw new NodeError('SHADOW_FAILED', `the shadow of proposal ${proposalId} was stopped before it forked the world: ${abortReason(options.signal)}; nothing was journaled`, 'shadow it again, with a longer deadline if it keeps passing');
    }
    // The three forks are taken together, with no await between them: the same state, even if
    // the world takes inputs while this shadow runs (a governance.shadow effect runs beside it).
    const inputs = lastInputs(world, count);
    const forkedAt = world.head.height;
    const openAtFork = world.openIntents().size;
    const [start, baseline, candidate] = views.map((view, index) => world.shadowFork(new OverlayContent(world.cas), modules[index] as CasModules, view)) as [World, World, World];
    const samples = options.samples ?? [];
    const current = runInputs(baseline, inputs, samples);
    const tried = runInputs(candidate, inputs, samples);
    report = {
      proposal_id: proposalId, patch_hash: proposal.patch_hash, base_manifest_hash: world.view.hash, manifest_hash: proposal.manifest_hash,
      forked_at: forkedAt, inputs_replayed: inputs.records.length, samples: samples.length,
      ...outcomes(tried.records.flat()),
      refused_inputs: tried.refused,
      state_changes: cellDiffs(candidate, start, candidateView, world.view),
      ledger_changes: ledgerChanges(world.view, candidateView),
      divergences: divergences(current.records, tried.records, inputs.records.length),
      state_divergences: cellDiffs(candidate, baseline, candidateView, world.view),
      open_at_fork: openAtFork,
    };
  } finally {
    for (const set of modules) set.dispose();
  }
  const hash = world.cas.put(encodeReport(report));
  const records = world.recordShadowReport(proposalId, hash);
  return { report, hash, records };
}

function abortReason(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason.message : 'it was aborted';
}

/** Reads a stored shadow report back. */
export function readShadowReport(world: EmbeddedWorld, hash: Hash): ShadowReport {
  return decodeCanonical(world.cas.get(hash)) as unknown as ShadowReport;
}

function encodeReport(report: ShadowReport): Uint8Array {
  // Reports hold only text, numbers, lists and maps: canonical CBOR like everything stored.
  return encodeCanonical(report as unknown as CborValue);
}

interface JournaledInputs {
  readonly records: readonly SealedRecord[];
  /** The logical time of the last stamped record: the forks' inputs are stamped after it. */
  readonly logicalNowNs: bigint;
}

/** The last `count` inputs that came from outside (events from ingress, receipts), oldest first. */
function lastInputs(world: EmbeddedWorld, count: number): JournaledInputs {
  const head = world.head.height;
  const from = Math.max(0, head - SHADOW_JOURNAL_SCAN_MAX);
  const found: SealedRecord[] = [];
  let logicalNowNs = 0n;
  for (let end = head; end > from && (found.length < count || logicalNowNs === 0n);) {
    const start = Math.max(from, end - SHADOW_JOURNAL_PAGE_RECORDS);
    const page = world.tail(start, end - start);
    for (let index = page.length - 1; index >= 0; index -= 1) {
      const record = page[index];
      if (record === undefined) continue;
      const body = record.body;
      if (logicalNowNs === 0n && 'stamp' in body && body.stamp !== undefined) logicalNowNs = body.stamp.logical_now_ns;
      const isInput = (body.kind === 'domain_event' && body.origin.kind === 'ingress') || body.kind === 'effect_receipt';
      if (isInput && found.length < count) found.push(record);
    }
    end = start;
  }
  return { records: found.reverse(), logicalNowNs };
}

interface InputsRun {
  readonly records: SealedRecord[][];
  readonly refused: Array<{ input: number; message: string }>;
}

/** Feeds the inputs, then the samples, to a fork, each stamped after the head; an input the fork refuses is noted. */
function runInputs(fork: World, inputs: JournaledInputs, samples: readonly EventInput[]): InputsRun {
  const records: SealedRecord[][] = [];
  const refused: Array<{ input: number; message: string }> = [];
  const all: Array<{ record?: SealedRecord; sample?: EventInput }> = [...inputs.records.map((record) => ({ record })), ...samples.map((sample) => ({ sample }))];
  all.forEach((input, position) => {
    const stamp = stampAfter(inputs.logicalNowNs, position, input.record);
    try {
      records.push(replayInput(fork, input, stamp));
    } catch (error) {
      if (!(error instanceof KernelError) || error.code === 'RUNAWAY') throw error;
      records.push([]);
      refused.push({ input: position, message: error.message });
    }
  });
  return { records, refused };
}

function replayInput(fork: World, input: { record?: SealedRecord; sample?: EventInput }, stamp: Stamp): SealedRecord[] {
  if (input.sample !== undefined) return fork.submitEvent(input.sample, stamp);
  const body = input.record?.body;
  if (body?.kind === 'domain_event') return fork.submitEvent({ schema: body.schema, value: body.value, ...(body.key !== undefined ? { key: body.key } : {}) }, stamp);
  if (body?.kind === 'effect_receipt') {
    // A receipt applies only if this fork emitted the same intent (and it is still open).
    if (!fork.openIntents().has(body.intent_hash)) return [];
    return fork.shadowReceipt({
      intent_hash: body.intent_hash, adapter_id: body.adapter_id, status: body.status, payload: body.payload,
      ...(body.cost_cents !== undefined ? { cost_cents: Number(body.cost_cents) } : {}), ...(body.usage !== undefined ? { usage: body.usage } : {}), signature: body.signature,
    }, stamp);
  }
  return [];
}

/** A stamp after the head: the input's own wall time and entropy, logical time moved past the fork's. */
function stampAfter(logicalNowNs: bigint, position: number, record: SealedRecord | undefined): Stamp {
  const stamp = record !== undefined && 'stamp' in record.body ? record.body.stamp : undefined;
  const entropy = stamp?.entropy ?? hashEntropy(position);
  return { now_ns: stamp?.now_ns ?? logicalNowNs, logical_now_ns: logicalNowNs + BigInt(position + 1), entropy };
}

/** Deterministic entropy for sample events: 64 bytes from the sample's position. */
function hashEntropy(position: number): Uint8Array {
  const first = hashBytes(new TextEncoder().encode(`aos shadow sample ${position} a`)).slice('sha256:'.length);
  const second = hashBytes(new TextEncoder().encode(`aos shadow sample ${position} b`)).slice('sha256:'.length);
  return Uint8Array.from(Buffer.from(first + second, 'hex'));
}

function outcomes(records: readonly SealedRecord[]): Pick<ShadowReport, 'effects_predicted' | 'denials' | 'faults'> {
  const decisions = new Map<string, string>();
  const effects: PredictedEffect[] = [];
  const denials: ShadowDenial[] = [];
  const faults: Array<{ module: string; kind: string; message: string }> = [];
  for (const { body } of records) {
    if (body.kind === 'policy_decision') {
      decisions.set(body.intent_hash, body.decision);
      if (body.decision === 'deny') denials.push({ kind: effectKindOf(records, body.intent_hash), grant: null, stage: 'policy', code: 'policy_denied', message: `denied by ${body.policy ?? 'no policy'}${body.rule_index === null ? ' (no rule matched)' : ` rule ${body.rule_index}`}`, module: body.origin.module });
    } else if (body.kind === 'cap_decision' && body.decision === 'deny') {
      denials.push({ kind: body.effect_kind, grant: body.grant, stage: 'cap', code: body.code ?? 'denied', message: body.message ?? '', module: body.origin.module });
    } else if (body.kind === 'effect_intent') {
      effects.push({ kind: body.effect_kind, grant: body.grant, decision: decisions.get(body.intent_hash) ?? 'allow', module: body.origin.module, intent_hash: body.intent_hash, params: paramsText(body.params) });
    } else if (body.kind === 'workflow_fault') {
      faults.push({ module: body.module, kind: body.failure.kind, message: body.failure.message });
    }
  }
  return { effects_predicted: effects, denials, faults };
}

function effectKindOf(records: readonly SealedRecord[], intentHash: Hash): string {
  for (const { body } of records) if (body.kind === 'cap_decision' && body.intent_hash === intentHash) return body.effect_kind;
  return 'unknown';
}

/** Per input: what each run emitted, refused and faulted, in words; where they differ, a divergence. */
function divergences(current: readonly SealedRecord[][], candidate: readonly SealedRecord[][], journaled: number): Divergence[] {
  const found: Divergence[] = [];
  const length = Math.max(current.length, candidate.length);
  for (let input = 0; input < length; input += 1) {
    const before = describeRun(current[input] ?? []);
    const after = describeRun(candidate[input] ?? []);
    if (before !== after) found.push({ input, what: input < journaled ? 'journaled input' : 'sample event', current: before, candidate: after });
  }
  return found;
}

function describeRun(records: readonly SealedRecord[]): string {
  const parts: string[] = [];
  const decisions = new Map<string, string>();
  for (const { body } of records) {
    if (body.kind === 'policy_decision') decisions.set(body.intent_hash, body.decision);
    if (body.kind === 'effect_intent') parts.push(`emits ${body.effect_kind} ${paramsText(body.params)} (${decisions.get(body.intent_hash) ?? 'allow'})`);
    else if (body.kind === 'cap_decision' && body.decision === 'deny') parts.push(`cap denies ${body.effect_kind} (${body.code ?? ''})`);
    else if (body.kind === 'policy_decision' && body.decision === 'deny') parts.push('policy denies an effect');
    else if (body.kind === 'workflow_fault') parts.push(`${body.module} faults (${body.failure.kind})`);
    else if (body.kind === 'domain_event' && body.origin.kind === 'workflow') parts.push(`${body.origin.module} emits ${body.schema}`);
  }
  return parts.length === 0 ? 'no effects, events or faults' : parts.join('; ');
}

function paramsText(params: Uint8Array): string {
  const text = JSON.stringify(toJsonValue(decodeCanonical(params)));
  return text.length > SHADOW_PARAMS_CHARS_MAX ? `${text.slice(0, SHADOW_PARAMS_CHARS_MAX - 3)}...` : text;
}

/** Writes go to memory; reads fall back to the world's CAS (where the live cells are). */
class OverlayContent implements ContentStore {
  private readonly written = new Map<Hash, Uint8Array>();
  constructor(private readonly base: ContentStore) {}
  put(bytes: Uint8Array): Hash {
    const hash = hashBytes(bytes);
    this.written.set(hash, bytes.slice());
    return hash;
  }
  get(hash: Hash): Uint8Array {
    return this.written.get(hash) ?? this.base.get(hash);
  }
}
