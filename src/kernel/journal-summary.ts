// What a journal adds up to: records by kind, effects intended and settled (receipts by status),
// cap and policy decisions, workflow faults, and the intents still open, read off the records
// alone. Pure. Upstream's trace-summary (upstream-kernel §7) reports the same totals; its
// queued_effects was counted from pending receipts, so callers that want the outbox ask the
// live kernel (World.openIntents) and can compare it with `open_intents` here.
import { toHex } from '../cbor/index.ts';
import type { Hash } from '../cbor/index.ts';
import type { JournalRecord } from './records.ts';

/** An intent the journal shows opened and not settled. */
export interface OpenIntentSummary {
  readonly intent_hash: Hash;
  readonly effect_kind: string;
  readonly module: string;
  /** Height of its effect_intent record. */
  readonly height: number;
  /** Journaled as held for approval (approvals since may have released it to run). */
  readonly awaiting_approval: boolean;
}

/** Totals of a journal; every count is of records, in the order they were journaled. */
export interface JournalSummary {
  /** Records read. */
  readonly records: number;
  /** Records per kind, kinds in code-unit order; kinds this kernel does not know are counted too. */
  readonly kinds: Readonly<Record<string, number>>;
  readonly effects: {
    readonly intents: number;
    readonly receipts: { readonly ok: number; readonly error: number; readonly timeout: number };
    /** Receipts refused at admission (their intents stayed open). */
    readonly rejected_receipts: number;
  };
  readonly cap_decisions: { readonly allow: number; readonly deny: number };
  readonly policy_decisions: { readonly allow: number; readonly deny: number; readonly require_approval: number };
  readonly approvals: { readonly approve: number; readonly deny: number };
  readonly workflows: {
    /** workflow_fault records: steps that produced no output. */
    readonly faults: number;
    /** Distinct instances (module and key) with at least one fault. */
    readonly faulted_instances: number;
  };
  /** Intents opened and not settled by a receipt or an approver's denial, oldest first. */
  readonly open_intents: readonly OpenIntentSummary[];
}

/** Sums up a journal read from genesis; the same records always give the same summary. */
export function summarizeJournal(records: Iterable<JournalRecord>): JournalSummary {
  const kinds = new Map<string, number>();
  const receipts = { ok: 0, error: 0, timeout: 0 };
  const caps = { allow: 0, deny: 0 };
  const policies = { allow: 0, deny: 0, require_approval: 0 };
  const approvals = { approve: 0, deny: 0 };
  const faulted = new Set<string>();
  const open = new Map<Hash, OpenIntentSummary>();
  let count = 0;
  let intents = 0;
  let rejected = 0;
  let faults = 0;
  // Only the kinds that carry a total are looked at: every other kind (and any kind a later
  // kernel adds) is still counted in `kinds`.
  for (const { body, height } of records) {
    count += 1;
    kinds.set(body.kind, (kinds.get(body.kind) ?? 0) + 1);
    if (body.kind === 'effect_intent') {
      intents += 1;
      open.set(body.intent_hash, { intent_hash: body.intent_hash, effect_kind: body.effect_kind, module: body.origin.module, height, awaiting_approval: body.awaiting_approval === true });
    } else if (body.kind === 'effect_receipt') {
      receipts[body.status] += 1;
      open.delete(body.intent_hash);
    } else if (body.kind === 'receipt_rejected') {
      rejected += 1;
    } else if (body.kind === 'cap_decision') {
      caps[body.decision] += 1;
    } else if (body.kind === 'policy_decision') {
      policies[body.decision] += 1;
    } else if (body.kind === 'approval') {
      approvals[body.decision] += 1;
      if (body.decision === 'deny') open.delete(body.intent_hash);
    } else if (body.kind === 'workflow_fault') {
      faults += 1;
      faulted.add(`${body.module} ${body.key === undefined ? '' : toHex(body.key)}`);
    }
  }
  return {
    records: count,
    kinds: Object.fromEntries([...kinds.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    effects: { intents, receipts, rejected_receipts: rejected },
    cap_decisions: caps,
    policy_decisions: policies,
    approvals,
    workflows: { faults, faulted_instances: faulted.size },
    open_intents: [...open.values()].sort((a, b) => a.height - b.height),
  };
}
