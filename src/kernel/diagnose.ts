// What became of a domain event, read off its why-graph (trace.ts): the first outcome in
// OUTCOMES order that the graph shows, with a one-line summary and a hint naming the grant,
// policy and effect involved. Pure. Upstream-kernel §7 has the same idea with fewer outcomes.
import { CborError, decodeCanonical } from '../cbor/index.ts';
import type { Hash } from '../cbor/index.ts';
import type { CapDecisionRecordBody, FaultRecordBody, PolicyDecisionRecordBody, SealedRecord } from './records.ts';
import type { TraceGraph } from './trace.ts';

/** Outcomes, most pressing first: a graph showing several gets the first. */
export const OUTCOMES = [
  'policy_denied', 'capability_denied', 'budget_exhausted', 'receipt_rejected', 'adapter_timeout', 'adapter_error',
  'workflow_failed', 'approval_pending', 'waiting_receipt', 'waiting_event', 'completed',
] as const;

export type Outcome = (typeof OUTCOMES)[number];

/** The classification of a trace: what happened, what to do, and the record that shows it. */
export interface Diagnosis {
  readonly outcome: Outcome;
  readonly summary: string;
  readonly hint: string;
  /** The record the outcome was read from (the root for `completed`). */
  readonly height: number;
  readonly intent_hash?: Hash;
  readonly effect_kind?: string;
  readonly grant?: string | null;
  readonly policy?: string | null;
}

/** What the journal alone cannot say: whether an instance is alive, waiting for its next event. */
export interface DiagnoseOptions {
  /** True when the instance (module, canonical key bytes or null) still has state and no open work. */
  readonly isAwaitingEvent?: (module: string, key: Uint8Array | null) => boolean;
}

/**
 * Classifies a trace. Records of kinds this kernel does not know are shown by the trace but
 * classify nothing. Budgets have no record kind yet: a cap_decision denied with a `budget…` code
 * is read as budget exhaustion. A rejected receipt is read from a workflow_fault whose failure
 * kind or code is `receipt_rejected`, or from a receipt_rejected record. A require_approval
 * decision is pending until a receipt settles its intent; an approval record that denies it
 * reads as policy_denied.
 */
export function diagnose(graph: TraceGraph, options: DiagnoseOptions = {}): Diagnosis {
  const found = new Map<Outcome, Diagnosis>();
  const note = (diagnosis: Diagnosis) => { if (!found.has(diagnosis.outcome)) found.set(diagnosis.outcome, diagnosis); };
  const settled = new Set(graph.edges.filter((edge) => edge.kind === 'settled').map((edge) => edge.from));
  const capOf = capDecisionsByStep(graph.nodes);
  // An intent that waited for approval and then was settled (approved and executed, or denied) waits no more.
  const receipted = new Set(graph.nodes.flatMap((record) => (record.body.kind === 'effect_receipt' || (record.body.kind === 'approval' && record.body.decision === 'deny') ? [record.body.intent_hash] : [])));
  for (const record of graph.nodes) {
    const body = record.body;
    switch (body.kind) {
      case 'cap_decision':
        if (body.decision === 'deny') note(capDenied(record.height, body));
        break;
      case 'policy_decision':
        if (body.decision === 'deny' || (body.decision === 'require_approval' && !receipted.has(body.intent_hash))) note(policyDiagnosis(record.height, body, capOf.get(`${body.cause}/${body.intent_hash}`)));
        break;
      case 'effect_intent':
        if (!settled.has(record.height)) {
          note({ outcome: 'waiting_receipt', height: record.height, intent_hash: body.intent_hash, effect_kind: body.effect_kind, grant: body.grant,
            summary: `${body.effect_kind} by ${instanceName(body.origin.module, body.origin.key)} under grant "${body.grant}" is open work with no receipt yet (intent ${body.intent_hash})`,
            hint: 'the node executes open work and journals its receipt: keep it running (`aos node up`) and check that an adapter serves this effect kind' });
        }
        break;
      case 'effect_receipt':
        if (body.status !== 'ok') note(adapterFailure(record.height, body.status, body.adapter_id, body.intent_hash));
        break;
      case 'approval':
        if (body.decision === 'deny') note(approvalDenied(record.height, body.intent_hash, body.principal));
        break;
      case 'receipt_rejected':
        note({ outcome: 'receipt_rejected', height: record.height, intent_hash: body.intent_hash,
          summary: `a ${body.status} receipt from ${body.adapter_id} for intent ${body.intent_hash} was refused (${body.reason}): ${body.message}`,
          hint: `check that adapter ${body.adapter_id} signs with a key this world trusts (\`aos key ls\`, the trusted_keys record at height 1); the intent stays open for a valid receipt` });
        break;
      case 'workflow_fault':
        note(faultDiagnosis(record.height, body));
        break;
      default:
        break;
    }
  }
  for (const outcome of OUTCOMES) {
    const diagnosis = found.get(outcome);
    if (diagnosis !== undefined) return diagnosis;
  }
  return settledDiagnosis(graph, options);
}

function capDecisionsByStep(nodes: readonly SealedRecord[]): Map<string, CapDecisionRecordBody> {
  const byStep = new Map<string, CapDecisionRecordBody>();
  for (const record of nodes) if (record.body.kind === 'cap_decision') byStep.set(`${record.body.cause}/${record.body.intent_hash}`, record.body);
  return byStep;
}

function capDenied(height: number, body: CapDecisionRecordBody): Diagnosis {
  const code = body.code ?? 'denied';
  const by = instanceName(body.origin.module, body.origin.key);
  const under = body.grant === null ? 'no grant' : `grant "${body.grant}"`;
  const common = { height, intent_hash: body.intent_hash, effect_kind: body.effect_kind, grant: body.grant };
  if (code.startsWith('budget')) {
    return { ...common, outcome: 'budget_exhausted', summary: `${body.effect_kind} by ${by} was denied: the budget of ${under} is spent (${code})`,
      hint: `raise the budget of ${under} in defaults.cap_grants, or wait for its window to pass` };
  }
  return { ...common, outcome: 'capability_denied', summary: `${body.effect_kind} by ${by} was denied under ${under} (${code}): ${body.message ?? 'no message'}`,
    hint: body.grant === null
      ? `bind a grant of cap type "${body.cap_type}" for ${body.origin.module} in module_bindings (or add one to defaults.cap_grants)`
      : `widen grant "${body.grant}" in defaults.cap_grants, bind the slot to another grant of cap type "${body.cap_type}", or change the ${body.effect_kind} the workflow emits` };
}

function policyDiagnosis(height: number, body: PolicyDecisionRecordBody, cap: CapDecisionRecordBody | undefined): Diagnosis {
  const grant = cap?.grant ?? null;
  const effect = cap?.effect_kind ?? 'the effect';
  const by = instanceName(body.origin.module, body.origin.key);
  const rule = body.rule_index === null ? 'no rule matched' : `rule ${body.rule_index}`;
  const common = { height, intent_hash: body.intent_hash, ...(cap !== undefined ? { effect_kind: cap.effect_kind } : {}), grant, policy: body.policy };
  if (body.decision === 'require_approval') {
    return { ...common, outcome: 'approval_pending', summary: `${effect} by ${by} under grant "${grant ?? '?'}" waits for approval: policy ${body.policy ?? '(none)'} ${rule} requires it`,
      hint: `approve or deny intent ${body.intent_hash} with \`aos approvals approve|deny ${body.intent_hash} --key <principal key>\`, or change ${rule} of policy ${body.policy ?? '(none)'}` };
  }
  return { ...common, outcome: 'policy_denied', summary: `${effect} by ${by} under grant "${grant ?? '?'}" was denied by policy ${body.policy ?? '(none)'}: ${rule}`,
    hint: body.rule_index === null
      ? `add a rule to policy ${body.policy ?? '(none)'} that allows ${effect} from ${body.origin.module} under grant "${grant ?? '?'}"`
      : `change rule ${body.rule_index} of policy ${body.policy ?? '(none)'}, or allow ${effect} from ${body.origin.module} under grant "${grant ?? '?'}" in a rule before it` };
}

function approvalDenied(height: number, intentHash: Hash, principal: string): Diagnosis {
  return { outcome: 'policy_denied', height, intent_hash: intentHash, summary: `intent ${intentHash} waited for approval and was denied by principal ${principal}`,
    hint: `read who denied it and why (\`aos journal tail --kind approval --json\`); change the request, or ask an approver` };
}

function adapterFailure(height: number, status: 'error' | 'timeout', adapter: string, intentHash: Hash): Diagnosis {
  const common = { height, intent_hash: intentHash };
  if (status === 'timeout') {
    return { ...common, outcome: 'adapter_timeout', summary: `adapter ${adapter} timed out on intent ${intentHash}`,
      hint: `check what adapter ${adapter} calls, then retry from the workflow (it received the timeout receipt) or raise the effect's timeout` };
  }
  return { ...common, outcome: 'adapter_error', summary: `adapter ${adapter} settled intent ${intentHash} with an error`,
    hint: `read the receipt's payload (\`aos journal tail --from ${height} --limit 1 --json\`) and fix the request or the service it calls` };
}

function faultDiagnosis(height: number, body: FaultRecordBody): Diagnosis {
  const who = instanceName(body.module, body.key);
  const failure = body.failure;
  if (failure.kind === 'receipt_rejected' || failure.code === 'receipt_rejected') {
    return { height, outcome: 'receipt_rejected', summary: `a receipt for ${who} was rejected: ${failure.message}`,
      hint: 'a receipt that fails verification is never admitted: check that the adapter signs with a key this world trusts (`aos key ls`), then let it retry' };
  }
  // effect_denied faults come with the decision that denied, which classifies first.
  return { height, outcome: 'workflow_failed', summary: `${who} failed (${failure.kind}${failure.code !== undefined ? `, ${failure.code}` : ''}): ${failure.message}`,
    hint: `fix ${body.module} (or the input it was given), rebuild with \`aos build\`, and send the event again` };
}

/** Nothing failed and nothing is open: the chain is done, or an instance it touched waits for its next event. */
function settledDiagnosis(graph: TraceGraph, options: DiagnoseOptions): Diagnosis {
  const awaiting = options.isAwaitingEvent;
  if (awaiting !== undefined) {
    for (const { module, key } of instancesOf(graph)) {
      if (!awaiting(module, key)) continue;
      return { height: graph.root.height, outcome: 'waiting_event', summary: `every effect of this chain settled, and ${instanceName(module, key ?? undefined)} is alive, waiting for its next event`,
        hint: `send ${module} the event it expects next (its state: \`aos world state ${module}${key === null ? '' : ` --key-json '${keyText(key)}'`}\`)` };
    }
  }
  return { height: graph.root.height, outcome: 'completed', summary: `${graph.nodes.length} record${graph.nodes.length === 1 ? '' : 's'} in the chain, every effect settled, nothing failed`, hint: 'nothing to do' };
}

/** The instances the graph shows stepping: origins of what they emitted. */
function instancesOf(graph: TraceGraph): Array<{ module: string; key: Uint8Array | null }> {
  const seen = new Map<string, { module: string; key: Uint8Array | null }>();
  for (const record of graph.nodes) {
    const body = record.body;
    const origin = body.kind === 'effect_intent' || body.kind === 'cap_decision' || body.kind === 'policy_decision' ? body.origin
      : body.kind === 'domain_event' && body.origin.kind === 'workflow' ? body.origin : undefined;
    if (origin?.module === undefined) continue;
    const key = origin.key ?? null;
    seen.set(`${origin.module}/${key === null ? '' : hex(key)}`, { module: origin.module, key });
  }
  return [...seen.values()];
}

/** `module`, or `module[key]` with a text or integer key as written in JSON (others in hex). */
function instanceName(module: string, key: Uint8Array | undefined): string {
  return key === undefined ? module : `${module}[${keyText(key)}]`;
}

function keyText(key: Uint8Array): string {
  try {
    const value = decodeCanonical(key);
    if (typeof value === 'string') return `"${value}"`;
    if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  } catch (error) {
    if (!(error instanceof CborError)) throw error;
  }
  return hex(key);
}

function hex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}
