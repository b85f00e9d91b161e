// What `aos trace` and `aos diagnose` do; loaded only when one of them runs. On a folder the world
// is opened read-only and walked here; through a running node the node walks it (the same code,
// node/trace-walk.ts) and sends the graph's records, which are rendered here with the world's
// schemas, so both print the same.
import { resolve } from 'node:path';
import type { SchemaResolver } from '../../air/index.ts';
import { EmbeddedWorld } from '../../node/index.ts';
import { openRecord } from '../../kernel/index.ts';
import type { Diagnosis, TraceEdge, TraceGraph } from '../../kernel/index.ts';
import { TRACE_WALK_RECORDS_MAX } from '../../node/limits.ts';
import type { RecordJson } from '../../node/node-world-ops.ts';
import { checkSelection, diagnoseWalk, TraceSelectError, walkTrace } from '../../node/trace-walk.ts';
import type { TraceSelection } from '../../node/trace-walk.ts';
import { CliError } from '../cli-error.ts';
import { nodeRequest, nodeSchemas, nodeTarget, worldPath } from '../node-client.ts';
import type { NodeTarget } from '../node-client.ts';
import { emit } from '../output.ts';
import { eventValueJson, graphJson, renderTree } from './trace-render.ts';
import type { TraceOptions } from './trace.ts';

/** A traced event with what rendering it needs, wherever it was walked. */
interface Traced {
  readonly graph: TraceGraph;
  readonly schemas: SchemaResolver;
  readonly matches: number;
  readonly truncated: boolean;
  readonly diagnosis: () => Diagnosis;
}

function listHint(options: TraceOptions): string {
  return `list the world's events with \`aos journal tail --root ${options.root} --kind domain_event\``;
}

function selectionOf(options: TraceOptions): TraceSelection {
  return {
    ...(options.event !== undefined ? { event: options.event } : {}), ...(options.schema !== undefined ? { schema: options.schema } : {}),
    ...(options.correlateBy !== undefined ? { correlateBy: options.correlateBy } : {}), ...(options.value !== undefined ? { value: options.value } : {}),
  };
}

/** A selection the world refused, as this command says it (its hint names --root where the walk gives none). */
function asCliError(error: { code: string; message: string; hint?: string | undefined }, options: TraceOptions): CliError {
  return new CliError(error.code, error.message, error.hint ?? listHint(options));
}

const SELECT_CODES: ReadonlySet<string> = new Set(['AMBIGUOUS_SELECTION', 'BAD_OPTION', 'NO_SUCH_EVENT', 'UNKNOWN_SCHEMA', 'BAD_PATH']);

/** Walks the trace through the node: the selection is checked here first, so a bad one costs no request. */
async function tracedViaNode(target: NodeTarget, options: TraceOptions): Promise<Traced> {
  const selection = selectionOf(options);
  checkSelection(selection);
  const query = new URLSearchParams({
    ...(selection.event !== undefined ? { event: selection.event } : {}), ...(selection.schema !== undefined ? { schema: selection.schema } : {}),
    ...(selection.correlateBy !== undefined ? { correlate_by: selection.correlateBy } : {}), ...(selection.value !== undefined ? { value: selection.value } : {}),
  });
  let answer: { root_height: number; nodes: RecordJson[]; edges: TraceEdge[]; matches: number; truncated: boolean; diagnosis: Diagnosis };
  try {
    answer = await nodeRequest(target, 'GET', worldPath(target, `/trace/select?${query}`));
  } catch (error) {
    // The node's refusal is the walk's, without this command's hint.
    if (error instanceof CliError && SELECT_CODES.has(error.code)) throw asCliError(error, options);
    throw error;
  }
  const nodes = answer.nodes.map((record) => openRecord(new Uint8Array(Buffer.from(record.record_b64, 'base64')), record.height));
  const root = nodes.find((record) => record.height === answer.root_height);
  if (root === undefined) throw new CliError('NODE_BAD_ANSWER', `the node at ${target.url} sent a trace without its root (height ${answer.root_height})`, 'is that URL an AgentOS node? `aos node status` shows where the node is');
  const schemas = await nodeSchemas(target);
  return { graph: { root, nodes, edges: answer.edges }, schemas, matches: answer.matches, truncated: answer.truncated, diagnosis: () => answer.diagnosis };
}

/** Selects the root and traces it, through the node serving the world or on its folder. */
async function withTrace(options: TraceOptions, work: (traced: Traced) => void): Promise<void> {
  try {
    const target = await nodeTarget(options);
    if (target !== null) {
      work(await tracedViaNode(target, options));
      return;
    }
    const world = await EmbeddedWorld.open(resolve(options.root), { readOnly: true });
    try {
      const walk = walkTrace(world, selectionOf(options));
      work({ ...walk, schemas: world.view.index, diagnosis: () => diagnoseWalk(world, walk.graph) });
    } finally {
      world.close();
    }
  } catch (error) {
    if (error instanceof TraceSelectError) throw asCliError(error, options);
    throw error;
  }
}

function rootJson(graph: TraceGraph, schemas: SchemaResolver): unknown {
  const body = graph.root.body;
  return { height: graph.root.height, ...(body.kind === 'domain_event' ? { schema: body.schema, event_hash: body.event_hash } : {}), value: eventValueJson(graph.root, schemas) };
}

function footer(meta: { matches: number; truncated: boolean }): string[] {
  return [
    ...(meta.matches > 1 ? [`(the latest of ${meta.matches} matching events)`] : []),
    ...(meta.truncated ? [`(truncated: only the first ${TRACE_WALK_RECORDS_MAX} records after the root were read)`] : []),
  ];
}

export async function trace(options: TraceOptions): Promise<void> {
  await withTrace(options, ({ graph, schemas, matches, truncated }) => {
    emit(options, { root: rootJson(graph, schemas), matches, truncated, ...(graphJson(graph, schemas) as object) },
      () => [renderTree(graph, schemas), ...footer({ matches, truncated })].join('\n'));
  });
}

export async function diagnoseCommand(options: TraceOptions): Promise<void> {
  await withTrace(options, (traced) => {
    const diagnosis = traced.diagnosis();
    emit(options, { root: rootJson(traced.graph, traced.schemas), matches: traced.matches, truncated: traced.truncated, diagnosis },
      () => [`${diagnosis.outcome}: ${diagnosis.summary}`, `hint: ${diagnosis.hint}`, ...footer(traced)].join('\n'));
  });
}
