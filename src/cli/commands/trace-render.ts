// How `aos trace` shows a graph: a one-line summary per record, an indented tree for people, and
// nodes + edges for machines.
import { CborError, decodeCanonical } from '../../cbor/index.ts';
import type { CborValue } from '../../cbor/index.ts';
import { AirError, valueToSugarJson } from '../../air/index.ts';
import type { SchemaResolver } from '../../air/index.ts';
import type { SealedRecord, TraceGraph } from '../../kernel/index.ts';
import { cborForJson, stringifyExact } from '../output.ts';

/** The value of a domain event as sugar JSON when the world still defines its schema, else as plain CBOR data. */
export function eventValueJson(record: SealedRecord, schemas: SchemaResolver): unknown {
  const body = record.body;
  if (body.kind !== 'domain_event') return null;
  const value = decodeCanonical(body.value);
  try {
    return valueToSugarJson(value, { ref: body.schema }, schemas);
  } catch (error) {
    if (!(error instanceof AirError || error instanceof CborError)) throw error;
    return cborForJson(value);
  }
}

function keyText(key: Uint8Array | undefined): string {
  if (key === undefined) return '';
  try {
    return `[${stringifyExact(cborForJson(decodeCanonical(key)), 0)}]`;
  } catch (error) {
    if (!(error instanceof CborError)) throw error;
    return `[${Buffer.from(key).toString('hex')}]`;
  }
}

/** One line saying what a record is; a kind this CLI does not know is shown with its fields' names. */
export function summarize(record: SealedRecord, schemas: SchemaResolver): string {
  const body = record.body;
  switch (body.kind) {
    case 'domain_event':
      return `${body.schema} ${body.origin.kind === 'ingress' ? 'from outside' : `from ${body.origin.module}${keyText(body.origin.key)}`} ${stringifyExact(eventValueJson(record, schemas), 0)} (${body.event_hash})`;
    case 'cap_decision':
      return `${body.decision} ${body.effect_kind} by ${body.origin.module}${keyText(body.origin.key)} under ${body.grant === null ? 'no grant' : `grant "${body.grant}"`}${body.code !== undefined ? `: ${body.code}` : ''}${body.message !== undefined ? ` (${body.message})` : ''}`;
    case 'policy_decision':
      return `${body.decision} by policy ${body.policy ?? '(none)'}${body.rule_index !== null ? ` rule ${body.rule_index}` : ', no rule matched'}`;
    case 'effect_intent':
      return `${body.effect_kind} under grant "${body.grant}" (intent ${body.intent_hash})`;
    case 'effect_receipt':
      return `${body.status} from ${body.adapter_id}${body.cost_cents !== undefined ? `, ${body.cost_cents} cents` : ''}`;
    case 'workflow_fault':
      return `${body.module}${keyText(body.key)} ${body.failure.kind}${body.failure.code !== undefined ? ` (${body.failure.code})` : ''}: ${body.failure.message}`;
    case 'manifest':
      return body.manifest_hash;
    case 'snapshot':
      return body.snapshot_hash;
    default:
      return `(a record kind this version does not know; fields: ${Object.keys(body as object).join(', ')})`;
  }
}

/** The graph as an indented tree: each record under the one that caused it, by height. */
export function renderTree(graph: TraceGraph, schemas: SchemaResolver): string {
  const children = new Map<number, number[]>();
  for (const edge of graph.edges) children.set(edge.from, [...(children.get(edge.from) ?? []), edge.to]);
  const byHeight = new Map(graph.nodes.map((record) => [record.height, record]));
  const lines: string[] = [];
  // An explicit stack, never recursion: a graph can be deep (a long chain of receipts).
  const pending: Array<{ height: number; depth: number }> = [{ height: graph.root.height, depth: 0 }];
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    const record = byHeight.get(item.height);
    if (record === undefined) continue;
    lines.push(`${'  '.repeat(item.depth)}@${record.height} ${record.body.kind}  ${summarize(record, schemas)}`);
    const next = children.get(item.height) ?? [];
    for (let index = next.length - 1; index >= 0; index -= 1) pending.push({ height: next[index] ?? -1, depth: item.depth + 1 });
  }
  return lines.join('\n');
}

/** The graph as JSON: every node with its summary and body, and the edges. */
export function graphJson(graph: TraceGraph, schemas: SchemaResolver): unknown {
  return {
    nodes: graph.nodes.map((record) => ({ height: record.height, kind: record.body.kind, hash: record.hash, summary: summarize(record, schemas), body: cborForJson(record.body as unknown as CborValue) })),
    edges: graph.edges,
  };
}
