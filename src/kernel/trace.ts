// The why-graph of one domain event (DESIGN §11; upstream-kernel §7, which only shows a window
// of everything after the root): the records the event caused, each linked by what the journal
// itself says caused it. Pure: records in, graph out.
//
// How each link is recovered (step-input.ts and world.ts write these fields):
// - cap_decision, workflow_fault, and a domain_event a workflow emitted carry `cause`: the height
//   of the record whose delivery stepped the instance (an ingress event, a receipt, or an event a
//   workflow emitted, since routing an emitted event delivers it with its own height as cause).
// - policy_decision follows the cap_decision with the same intent hash and cause (a step
//   journals, per effect, cap_decision then policy_decision); effect_intent follows that
//   policy_decision. Both are exact: the intent hash binds the emitting module, key, cause and
//   effect position through the idempotency key.
// - effect_receipt names its intent by hash; receipts are fenced by intent hash while the intent
//   is open, so the receipt settles the latest intent of that hash journaled before it.
// - A record of a kind this kernel does not know (newer kernels add kinds) is linked by a numeric
//   `cause` field when it has one, else by an `intent_hash` field to that intent; else it is not
//   part of any graph.
// What the journal does not record cannot be linked: a delivery whose step journaled nothing
// (a state change only) leaves no node, so the instances it touched are not visible here.
import type { Hash } from '../cbor/index.ts';
export { diagnose, OUTCOMES } from './diagnose.ts';
export type { Diagnosis, DiagnoseOptions, Outcome } from './diagnose.ts';
export { firstEventWithHash, latestEventWhere } from './trace-select.ts';
import type { SealedRecord } from './records.ts';

/** How a record is linked to the one that caused it. */
export type TraceEdgeKind = 'caused' | 'decided' | 'opened' | 'settled' | 'concerns';

/** `to` exists because of `from` (heights). */
export interface TraceEdge {
  readonly from: number;
  readonly to: number;
  readonly kind: TraceEdgeKind;
}

/** A domain event and every record it caused: a tree (each node but the root has one incoming edge). */
export interface TraceGraph {
  readonly root: SealedRecord;
  /** The root first, then the records it caused, by height. */
  readonly nodes: readonly SealedRecord[];
  readonly edges: readonly TraceEdge[];
}

/** A record body read by field name: unknown kinds have fields this kernel has no type for. */
type Fields = Readonly<Record<string, unknown>>;

/**
 * The causal graph of the domain event at `rootHeight`, from records in ascending height order
 * (records before the root are ignored; ones it did not cause are left out).
 */
export function traceFrom(records: readonly SealedRecord[], rootHeight: number): TraceGraph | null {
  const root = records.find((record) => record.height === rootHeight);
  if (root === undefined || root.body.kind !== 'domain_event') return null;
  const members = new Set<number>([rootHeight]);
  const nodes: SealedRecord[] = [root];
  const edges: TraceEdge[] = [];
  const links = new Links();
  for (const record of records) {
    if (record.height <= rootHeight) continue;
    const parent = links.parentOf(record);
    if (parent !== undefined && members.has(parent.from)) {
      members.add(record.height);
      nodes.push(record);
      edges.push({ from: parent.from, to: record.height, kind: parent.kind });
    }
    links.remember(record);
  }
  return { root, nodes, edges };
}

/** What earlier records a later one can link to: decisions per step and intent, intents per hash. */
class Links {
  private readonly capDecisions = new Map<string, number>();
  private readonly policyDecisions = new Map<string, number>();
  private readonly intents = new Map<Hash, number>();

  parentOf(record: SealedRecord): { from: number; kind: TraceEdgeKind } | undefined {
    const fields = record.body as unknown as Fields;
    const cause = causeOf(fields);
    const kind: string = record.body.kind;
    switch (kind) {
      case 'cap_decision':
      case 'workflow_fault':
        return cause === undefined ? undefined : { from: cause, kind: 'caused' };
      case 'domain_event':
        // An ingress event starts its own input; only an event a workflow emitted has a cause.
        return cause === undefined ? undefined : { from: cause, kind: 'caused' };
      case 'policy_decision': {
        const decided = this.capDecisions.get(stepKey(cause, fields.intent_hash));
        return decided !== undefined ? { from: decided, kind: 'decided' } : cause === undefined ? undefined : { from: cause, kind: 'caused' };
      }
      case 'effect_intent': {
        const opened = this.policyDecisions.get(stepKey(cause, fields.intent_hash));
        return opened !== undefined ? { from: opened, kind: 'opened' } : cause === undefined ? undefined : { from: cause, kind: 'caused' };
      }
      case 'effect_receipt': {
        const intent = typeof fields.intent_hash === 'string' ? this.intents.get(fields.intent_hash as Hash) : undefined;
        return intent === undefined ? undefined : { from: intent, kind: 'settled' };
      }
      case 'manifest':
      case 'snapshot':
        return undefined;
      default: {
        if (cause !== undefined) return { from: cause, kind: 'caused' };
        const intent = typeof fields.intent_hash === 'string' ? this.intents.get(fields.intent_hash as Hash) : undefined;
        return intent === undefined ? undefined : { from: intent, kind: 'concerns' };
      }
    }
  }

  remember(record: SealedRecord): void {
    const body = record.body;
    const cause = causeOf(body as unknown as Fields);
    if (body.kind === 'cap_decision') this.capDecisions.set(stepKey(cause, body.intent_hash), record.height);
    else if (body.kind === 'policy_decision') this.policyDecisions.set(stepKey(cause, body.intent_hash), record.height);
    else if (body.kind === 'effect_intent') this.intents.set(body.intent_hash, record.height);
  }
}

function stepKey(cause: unknown, intentHash: unknown): string {
  return `${String(cause)}/${String(intentHash)}`;
}

/** A record's `cause` height: decoded integers are numbers when small, bigints when large. */
function causeOf(fields: Fields): number | undefined {
  const cause = fields.cause;
  if (typeof cause === 'number' && Number.isSafeInteger(cause) && cause >= 0) return cause;
  if (typeof cause === 'bigint' && cause >= 0n && cause <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(cause);
  return undefined;
}
