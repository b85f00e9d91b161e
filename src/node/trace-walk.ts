// The walk behind `aos trace` and `aos diagnose`, shared by the CLI on a world folder and by a
// node answering GET /worlds/<id>/trace/select, so both choose the same root event, read the
// same records after it and mark the same truncation. The root is chosen by event hash, or as
// the latest event of a schema whose value at a dotted record path equals a given value.
import { assert, encodeCanonical, isHash, parseJsonExact } from '../cbor/index.ts';
import { valueFromJson } from '../air/index.ts';
import type { SchemaResolver, TypeAst } from '../air/index.ts';
import { diagnose, firstEventWithHash, latestEventWhere, traceFrom } from '../kernel/index.ts';
import type { Diagnosis, SealedRecord, TraceGraph } from '../kernel/index.ts';
import type { EmbeddedWorld } from './embedded-world.ts';
import { TRACE_WALK_RECORDS_MAX } from './limits.ts';

/** `ref` hops followed while resolving a path's type: AIR forbids cycles, this only bounds a bad index. */
const REF_HOPS_MAX = 64;

/** How the root event is chosen: by hash, or the latest of a schema whose value at a path matches (the value as JSON text). */
export interface TraceSelection {
  readonly event?: string;
  readonly schema?: string;
  readonly correlateBy?: string;
  readonly value?: string;
}

export type TraceSelectCode = 'AMBIGUOUS_SELECTION' | 'BAD_OPTION' | 'NO_SUCH_EVENT' | 'UNKNOWN_SCHEMA' | 'BAD_PATH';

/**
 * A selection that names no event of this world. The CLI shows it as its own error (with a hint
 * naming its --root when `hint` is absent); a node answers it as a 400 with this code.
 */
export class TraceSelectError extends Error {
  override readonly name = 'TraceSelectError';
  constructor(readonly code: TraceSelectCode, message: string, readonly hint?: string) {
    super(message);
  }
}

/** A traced event: its graph, how many events matched a correlation, and whether the walk stopped early. */
export interface TraceWalk {
  readonly graph: TraceGraph;
  readonly matches: number;
  readonly truncated: boolean;
}


/** Refuses a selection that chooses no root or two, before the journal is read. */
export function checkSelection(selection: TraceSelection): void {
  const correlation = [selection.schema, selection.correlateBy, selection.value];
  if (selection.event !== undefined && correlation.some((part) => part !== undefined)) {
    throw new TraceSelectError('AMBIGUOUS_SELECTION', '--event and --schema/--correlate-by/--value each select a root event; pass one or the other', 'e.g. aos trace --event sha256:…, or aos trace --schema demo/Order@1 --correlate-by id --value \'"o-1"\'');
  }
  if (selection.event !== undefined) {
    if (!isHash(selection.event)) throw new TraceSelectError('BAD_OPTION', `--event must be an event hash (sha256: and 64 lowercase hex digits), got "${selection.event}"`);
    return;
  }
  if (correlation.some((part) => part === undefined)) throw new TraceSelectError('BAD_OPTION', 'choose the root event: --event <hash>, or --schema, --correlate-by and --value together');
}

/** The root event the selection chooses, and how many events matched a correlation. */
function selectRoot(world: EmbeddedWorld, selection: TraceSelection): { root: SealedRecord; matches: number } {
  checkSelection(selection);
  if (selection.event !== undefined) {
    const event = selection.event;
    assert(isHash(event), 'checkSelection refused an event that is not a hash');
    const root = firstEventWithHash(world.records(0), event);
    if (root === undefined) throw new TraceSelectError('NO_SUCH_EVENT', `no domain event with hash ${selection.event} in this world`);
    return { root, matches: 1 };
  }
  const schema = selection.schema ?? '';
  const path = selection.correlateBy ?? '';
  const text = selection.value ?? '';
  if (world.view.index.resolve(schema) === undefined) {
    throw new TraceSelectError('UNKNOWN_SCHEMA', `schema ${schema} is not defined in this world`, `its routed events: ${world.view.routes.map((route) => route.event).join(', ') || 'none'}`);
  }
  const segments = path.split('.');
  const type = fieldType(schema, segments, world.view.index);
  const expected = encodeCanonical(valueFromJson(parseJsonExact(text), type, world.view.index, { path: '--value' }), { selfDescribe: false });
  const { latest, matches } = latestEventWhere(world.records(0), schema, segments, expected);
  if (latest === undefined) throw new TraceSelectError('NO_SUCH_EVENT', `no ${schema} event has ${path} = ${text}`);
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
      throw new TraceSelectError('BAD_PATH', `--correlate-by "${segments.join('.')}": ${at} has no field "${segment}" (it ${there})`, 'name record fields from the event schema, separated by dots');
    }
    type = field;
  }
  return type;
}

/** Selects the root, reads up to TRACE_WALK_RECORDS_MAX records after it and traces them. */
export function walkTrace(world: EmbeddedWorld, selection: TraceSelection): TraceWalk {
  const { root, matches } = selectRoot(world, selection);
  const records: SealedRecord[] = [];
  for (const record of world.records(root.height)) {
    if (records.length >= TRACE_WALK_RECORDS_MAX) break;
    records.push(record);
  }
  const truncated = (records[records.length - 1]?.height ?? root.height) + 1 < world.head.height;
  const graph = traceFrom(records, root.height);
  if (graph === null) throw new TraceSelectError('NO_SUCH_EVENT', `height ${root.height} holds no domain event`);
  return { graph, matches, truncated };
}

/** What became of the traced event, given the world's cells now (a running cell may still receive events). */
export function diagnoseWalk(world: EmbeddedWorld, graph: TraceGraph): Diagnosis {
  const isAwaitingEvent = (module: string, key: Uint8Array | null): boolean => {
    if (!world.view.modules.has(module)) return false;
    const cell = world.cells(module).find((candidate) => sameKey(candidate.key, key));
    return cell?.status === 'running';
  };
  return diagnose(graph, { isAwaitingEvent });
}

function sameKey(a: Uint8Array | null, b: Uint8Array | null): boolean {
  if (a === null || b === null) return a === b;
  return a.length === b.length && a.every((byte, index) => byte === b[index]);
}
