// What `aos trace` and `aos diagnose` do; loaded only when one of them runs. The world is opened
// read-only; the journal is read in pages, the root chosen, then the records after it traced.
import { resolve } from 'node:path';
import { encodeCanonical, isHash, parseJsonExact } from '../../cbor/index.ts';
import { valueFromJson } from '../../air/index.ts';
import type { SchemaResolver, TypeAst } from '../../air/index.ts';
import { EmbeddedWorld } from '../../node/index.ts';
import { diagnose, firstEventWithHash, latestEventWhere, traceFrom } from '../../kernel/index.ts';
import type { SealedRecord, TraceGraph } from '../../kernel/index.ts';
import { CliError } from '../cli-error.ts';
import { emit } from '../output.ts';
import { eventValueJson, graphJson, renderTree } from './trace-render.ts';
import type { TraceOptions } from './trace.ts';

/** Records a trace reads after its root: bounds the memory and time of one trace; past it the graph is marked truncated. */
const TRACE_RECORDS_MAX = 200_000;
/** Records per journal read (the store allows up to JOURNAL_READ_ENTRIES_MAX). */
const TRACE_PAGE_RECORDS = 4_096;
/** `ref` hops followed while resolving a path's type: AIR forbids cycles, this only bounds a bad index. */
const REF_HOPS_MAX = 64;

/** The journal from a height to the head, page by page. */
function* journalFrom(world: EmbeddedWorld, from: number): Generator<SealedRecord> {
  for (let height = from; height < world.head.height;) {
    const page = world.tail(height, TRACE_PAGE_RECORDS);
    const last = page[page.length - 1];
    if (last === undefined) return;
    yield* page;
    height = last.height + 1;
  }
}

function listHint(options: TraceOptions): string {
  return `list the world's events with \`aos journal tail --root ${options.root} --kind domain_event\``;
}

/** The root event the options select, and how many events matched a correlation. */
function selectRoot(world: EmbeddedWorld, options: TraceOptions): { root: SealedRecord; matches: number } {
  const correlation = [options.schema, options.correlateBy, options.value];
  if (options.event !== undefined && correlation.some((part) => part !== undefined)) {
    throw new CliError('AMBIGUOUS_SELECTION', '--event and --schema/--correlate-by/--value each select a root event; pass one or the other', 'e.g. aos trace --event sha256:…, or aos trace --schema demo/Order@1 --correlate-by id --value \'"o-1"\'');
  }
  if (options.event !== undefined) {
    if (!isHash(options.event)) throw new CliError('BAD_OPTION', `--event must be an event hash (sha256: and 64 lowercase hex digits), got "${options.event}"`, listHint(options));
    const root = firstEventWithHash(journalFrom(world, 0), options.event);
    if (root === undefined) throw new CliError('NO_SUCH_EVENT', `no domain event with hash ${options.event} in this world`, listHint(options));
    return { root, matches: 1 };
  }
  const [schema, path, text] = correlation;
  if (schema === undefined || path === undefined || text === undefined) {
    throw new CliError('BAD_OPTION', 'choose the root event: --event <hash>, or --schema, --correlate-by and --value together', listHint(options));
  }
  if (world.view.index.resolve(schema) === undefined) {
    throw new CliError('UNKNOWN_SCHEMA', `schema ${schema} is not defined in this world`, `its routed events: ${world.view.routes.map((route) => route.event).join(', ') || 'none'}`);
  }
  const segments = path.split('.');
  const type = fieldType(schema, segments, world.view.index);
  const expected = encodeCanonical(valueFromJson(parseJsonExact(text), type, world.view.index, { path: '--value' }), { selfDescribe: false });
  const { latest, matches } = latestEventWhere(journalFrom(world, 0), schema, segments, expected);
  if (latest === undefined) throw new CliError('NO_SUCH_EVENT', `no ${schema} event has ${path} = ${text}`, listHint(options));
  return { root: latest, matches };
}

/** The type at a dotted path of record fields in a schema, or a BAD_PATH error naming the fields there are. */
function fieldType(schema: string, segments: readonly string[], schemas: SchemaResolver): TypeAst {
  let type: TypeAst = { ref: schema };
  for (const [position, segment] of segments.entries()) {
    let resolved: TypeAst | undefined = type;
    for (let hops = 0; resolved !== undefined && 'ref' in resolved && hops < REF_HOPS_MAX; hops += 1) resolved = schemas.resolve(resolved.ref);
    const record: Readonly<Record<string, TypeAst>> | undefined = resolved !== undefined && 'record' in resolved ? resolved.record : undefined;
    const field: TypeAst | undefined = record?.[segment];
    if (field === undefined) {
      const at = position === 0 ? schema : `${schema} at "${segments.slice(0, position).join('.')}"`;
      const there = record === undefined ? 'is not a record' : `has fields ${Object.keys(record).map((name) => `"${name}"`).join(', ')}`;
      throw new CliError('BAD_PATH', `--correlate-by "${segments.join('.')}": ${at} has no field "${segment}" (it ${there})`, 'name record fields from the event schema, separated by dots');
    }
    type = field;
  }
  return type;
}

/** Opens the world read-only, selects the root and traces it. */
async function withTrace<T>(options: TraceOptions, work: (world: EmbeddedWorld, graph: TraceGraph, meta: { matches: number; truncated: boolean }) => T): Promise<T> {
  const world = await EmbeddedWorld.open(resolve(options.root), { readOnly: true });
  try {
    const { root, matches } = selectRoot(world, options);
    const records: SealedRecord[] = [];
    for (const record of journalFrom(world, root.height)) {
      if (records.length >= TRACE_RECORDS_MAX) break;
      records.push(record);
    }
    const truncated = (records[records.length - 1]?.height ?? root.height) + 1 < world.head.height;
    const graph = traceFrom(records, root.height);
    if (graph === null) throw new CliError('NO_SUCH_EVENT', `height ${root.height} holds no domain event`, listHint(options));
    return work(world, graph, { matches, truncated });
  } finally {
    world.close();
  }
}

function rootJson(graph: TraceGraph, schemas: SchemaResolver): unknown {
  const body = graph.root.body;
  return { height: graph.root.height, ...(body.kind === 'domain_event' ? { schema: body.schema, event_hash: body.event_hash } : {}), value: eventValueJson(graph.root, schemas) };
}

function footer(meta: { matches: number; truncated: boolean }): string[] {
  return [
    ...(meta.matches > 1 ? [`(the latest of ${meta.matches} matching events)`] : []),
    ...(meta.truncated ? [`(truncated: only the first ${TRACE_RECORDS_MAX} records after the root were read)`] : []),
  ];
}

export async function trace(options: TraceOptions): Promise<void> {
  await withTrace(options, (world, graph, meta) => {
    const schemas = world.view.index;
    emit(options, { root: rootJson(graph, schemas), matches: meta.matches, truncated: meta.truncated, ...(graphJson(graph, schemas) as object) },
      () => [renderTree(graph, schemas), ...footer(meta)].join('\n'));
  });
}

export async function diagnoseCommand(options: TraceOptions): Promise<void> {
  await withTrace(options, (world, graph, meta) => {
    const isAwaitingEvent = (module: string, key: Uint8Array | null): boolean => {
      if (!world.view.modules.has(module)) return false;
      const cell = world.cells(module).find((candidate) => sameKey(candidate.key, key));
      return cell?.status === 'running';
    };
    const diagnosis = diagnose(graph, { isAwaitingEvent });
    emit(options, { root: rootJson(graph, world.view.index), matches: meta.matches, truncated: meta.truncated, diagnosis },
      () => [`${diagnosis.outcome}: ${diagnosis.summary}`, `hint: ${diagnosis.hint}`, ...footer(meta)].join('\n'));
  });
}

function sameKey(a: Uint8Array | null, b: Uint8Array | null): boolean {
  if (a === null || b === null) return a === b;
  return a.length === b.length && a.every((byte, index) => byte === b[index]);
}
