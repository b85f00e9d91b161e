// What the world and journal commands do; loaded only when one of them runs (replay: replay-actions.ts).
import { resolve } from 'node:path';
import { decodeCanonical, encodeCanonical, parseJsonExact } from '../../cbor/index.ts';
import type { CborValue } from '../../cbor/index.ts';
import { valueFromJson, valueToSugarJson } from '../../air/index.ts';
import { EmbeddedWorld, runEffects } from '../../node/index.ts';
import { openRecord } from '../../kernel/index.ts';
import type { SealedRecord } from '../../kernel/index.ts';
import type { RecordJson } from '../../node/node-world-ops.ts';
import { newWorldTarget, nodeRequest, nodeTarget, worldPath } from '../node-client.ts';
import type { NodeTarget } from '../node-client.ts';
import { buildWorld, writeModuleHashes } from '../build/index.ts';
import { CliError } from '../cli-error.ts';
import { cborForJson, emit, stringifyExact } from '../output.ts';
import { withProgress } from '../progress.ts';
import type { NodeOptions, RootOptions } from './world.ts';

async function withWorld<T>(options: RootOptions, work: (world: EmbeddedWorld) => T | Promise<T>, readOnly = false): Promise<T> {
  const world = await EmbeddedWorld.open(resolve(options.root), { readOnly });
  try {
    return await work(world);
  } finally {
    world.close();
  }
}

export async function create(options: RootOptions): Promise<void> {
  const root = resolve(options.root);
  // A node running for this folder (its root, or <root>/worlds/<name>/) hosts the new world: it is
  // refused before building when the node has it already, and created by the node once built here.
  const target = await newWorldTarget({ dir: root });
  if (target !== null) {
    const hosted = await nodeRequest<{ worlds: Array<{ id: string; dir: string }> }>(target, 'GET', '/worlds');
    const known = hosted.worlds.find((world) => world.id === target.world);
    if (known !== undefined) throw new CliError('WORLD_EXISTS', `the node at ${target.url} hosts a world ${JSON.stringify(known.id)} in ${known.dir} already`, 'send events to it, or pick another folder under the node\'s worlds/ folder');
  }
  const built = await withProgress(`building ${root}`, options.json, () => buildWorld(root));
  writeModuleHashes(root, built.modules);
  const emitCreated = (manifest: string, height: number) => {
    const data = { root, manifest, height, modules: built.modules, warnings: built.warnings };
    emit(options, data, () => [`created world in ${root}/.aos`, `manifest ${data.manifest}`, ...Object.entries(built.modules).map(([name, hash]) => `module ${name} ${hash}`), ...built.warnings.map((warning) => `warning: ${warning}`)].join('\n'));
  };
  if (target !== null) {
    const created = await nodeRequest<{ manifest: string; height: number }>(target, 'POST', '/worlds', { name: target.world });
    emitCreated(created.manifest, created.height);
    return;
  }
  const world = await EmbeddedWorld.create(root);
  try {
    emitCreated(world.view.hash, world.head.height);
  } finally {
    world.close();
  }
}

function typedBytes(world: EmbeddedWorld, schema: string, text: string, what: string): Uint8Array {
  if (world.view.index.resolve(schema) === undefined) {
    throw new CliError('UNKNOWN_SCHEMA', `schema ${schema} is not defined in this world`, `events it routes: ${world.view.routes.map((route) => route.event).join(', ') || 'none'}`);
  }
  const value = valueFromJson(parseJsonExact(text), { ref: schema }, world.view.index, { path: what });
  return encodeCanonical(value, { selfDescribe: false });
}

export async function send(options: NodeOptions & { schema: string; valueJson: string }): Promise<void> {
  const target = await nodeTarget(options);
  if (target !== null) {
    // As JSON text: the node parses it exactly (64-bit integers), as this command does.
    const sent = await nodeRequest<{ height: number | null; records: number; head: string | null; faults: RecordJson[] }>(target, 'POST', worldPath(target, '/events'), { schema: options.schema, value_json: options.valueJson });
    emitSent(options, { height: sent.height, records: sent.records, head: sent.head, faults: sent.faults.map(fromJson).map(describeRecord) });
    return;
  }
  await withWorld(options, (world) => {
    const records = world.send({ schema: options.schema, value: typedBytes(world, options.schema, options.valueJson, '--value-json') });
    emitSent(options, { height: records[0]?.height ?? null, records: records.length, head: world.head.hash, faults: records.filter((record) => record.body.kind === 'workflow_fault').map(describeRecord) });
  });
}

function emitSent(options: RootOptions, data: { height: number | null; records: number; head: string | null; faults: Array<Record<string, unknown>> }): void {
  emit(options, data, () => [`journaled at height ${data.height ?? '-'} (${data.records} record${data.records === 1 ? '' : 's'}), head ${data.head ?? '-'}`, ...data.faults.map((fault) => `fault: ${String(fault.summary)}`)].join('\n'));
}

/** A record as the node sent it, opened from its canonical bytes (so it is described exactly as in direct mode). */
function fromJson(record: RecordJson): SealedRecord {
  return openRecord(new Uint8Array(Buffer.from(record.record_b64, 'base64')), record.height);
}

function stateJson(world: EmbeddedWorld, workflow: string, bytes: Uint8Array | null): unknown {
  if (bytes === null) return null;
  const module = world.view.modules.get(workflow);
  const schema = module?.abi.workflow?.state;
  return schema === undefined ? cborForJson(decodeCanonical(bytes)) : valueToSugarJson(decodeCanonical(bytes), { ref: schema }, world.view.index);
}

export async function state(workflow: string, options: NodeOptions & { keyJson?: string }): Promise<void> {
  const target = await nodeTarget(options);
  if (target !== null) {
    const query = new URLSearchParams({ workflow, ...(options.keyJson !== undefined ? { key: options.keyJson } : {}) });
    const answer = await nodeRequest<{ state: unknown }>(target, 'GET', worldPath(target, `/state?${query}`));
    emit(options, { workflow, key: options.keyJson === undefined ? null : parseJsonExact(options.keyJson), state: answer.state }, () => stringifyExact(answer.state));
    return;
  }
  await withWorld(options, (world) => {
    const module = world.view.modules.get(workflow);
    if (module === undefined) throw new CliError('UNKNOWN_WORKFLOW', `no workflow ${workflow} in this world`, `its workflows: ${[...world.view.modules.keys()].filter((name) => !name.startsWith('sys/')).join(', ')}`);
    if (module.key_schema !== undefined && options.keyJson === undefined) throw new CliError('KEY_REQUIRED', `${workflow} is keyed by ${module.key_schema}`, `pass --key-json, or list its cells with \`aos world cells ${workflow}\``);
    const key = options.keyJson === undefined || module.key_schema === undefined ? null : typedBytes(world, module.key_schema, options.keyJson, '--key-json');
    const value = stateJson(world, workflow, world.state(workflow, key));
    emit(options, { workflow, key: options.keyJson === undefined ? null : parseJsonExact(options.keyJson), state: value }, () => stringifyExact(value));
  }, true);
}

interface CellRow { readonly key: unknown; readonly status: string; readonly state_bytes: number; readonly open_intents: number }

export async function cells(workflow: string, options: NodeOptions): Promise<void> {
  const target = await nodeTarget(options);
  if (target !== null) {
    const answer = await nodeRequest<{ cells: CellRow[] }>(target, 'GET', worldPath(target, `/cells?${new URLSearchParams({ workflow })}`));
    emitCells(options, workflow, answer.cells);
    return;
  }
  await withWorld(options, (world) => {
    const rows = world.cells(workflow).map((cell) => ({
      key: cell.key === null ? null : cborForJson(decodeCanonical(cell.key)), status: cell.status, state_bytes: cell.state?.length ?? 0, open_intents: cell.open.size,
    }));
    emitCells(options, workflow, rows);
  }, true);
}

function emitCells(options: RootOptions, workflow: string, rows: readonly CellRow[]): void {
  emit(options, { workflow, cells: rows }, () => rows.length === 0 ? `${workflow} has no cells yet` : rows.map((row) => `${stringifyExact(row.key, 0).padEnd(24)} ${row.status.padEnd(9)} ${row.state_bytes} bytes${row.open_intents > 0 ? `, ${row.open_intents} open intents` : ''}`).join('\n'));
}

/** A kind this command does not know yet: the compiler says so (never), and old output stays readable. */
function unknownKind(body: never): string {
  return `a ${(body as { kind: string }).kind} record`;
}

function describeRecord(record: SealedRecord): Record<string, unknown> {
  const body = record.body as unknown as Record<string, CborValue>;
  const summary = ((): string => {
    switch (record.body.kind) {
      case 'domain_event': return `${record.body.schema} ${record.body.origin.kind === 'ingress' ? 'from outside' : `from ${record.body.origin.module}`}`;
      case 'effect_intent': return `${record.body.effect_kind} by ${record.body.origin.module} (${record.body.intent_hash})`;
      case 'cap_decision': return `${record.body.decision} ${record.body.effect_kind} by ${record.body.origin.module} under ${record.body.grant ?? 'no grant'}${record.body.code !== undefined ? `: ${record.body.code}` : ''}`;
      case 'policy_decision': return `${record.body.decision} by ${record.body.policy ?? 'no policy'}${record.body.rule_index !== null ? ` rule ${record.body.rule_index}` : ''} (${record.body.intent_hash})`;
      case 'effect_receipt': return `${record.body.status} from ${record.body.adapter_id} for ${record.body.intent_hash}`;
      case 'workflow_fault': return `${record.body.module}: ${record.body.failure.kind}: ${record.body.failure.message}`;
      case 'manifest': return record.body.manifest_hash;
      case 'snapshot': return record.body.snapshot_hash;
      case 'trusted_keys': return record.body.keys.length === 0 ? 'no adapter keys trusted' : record.body.keys.map((key) => `${key.adapter_id} ${key.public_key}`).join(', ');
      case 'key_rotation': return `${record.body.adapter_id}: trusts ${record.body.trust.join(', ') || 'no new key'}; retires ${record.body.retire.join(', ') || 'no key'}`;
      case 'stream_frame': return `frame ${record.body.seq} (${record.body.frame_kind}, ${record.body.payload.length} bytes) from ${record.body.adapter_id} for ${record.body.intent_hash}`;
      case 'receipt_rejected': return `refused ${record.body.status} from ${record.body.adapter_id} for ${record.body.intent_hash}: ${record.body.reason}`;
      case 'approval': return `${record.body.decision} by ${record.body.principal} for ${record.body.intent_hash}`;
      case 'governance': return `${record.body.op} proposal ${record.body.proposal_id}${record.body.manifest_hash !== undefined ? ` (manifest ${record.body.manifest_hash})` : ''}${record.body.reasons !== undefined ? `: ${record.body.reasons.join('; ')}` : ''}`;
      case 'budget_charge': return `charged grant ${record.body.grant}: ${record.body.cost_cents} cents, ${record.body.tokens} tokens, ${record.body.count} receipt for ${record.body.intent_hash}`;
      default: return unknownKind(record.body);
    }
  })();
  return { height: record.height, kind: record.body.kind, hash: record.hash, prev: record.prev, summary, body: cborForJson(body as unknown as CborValue) };
}

export async function run(options: RootOptions & { timeoutMs: string }): Promise<void> {
  const timeoutMs = Number(options.timeoutMs);
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1) throw new CliError('BAD_OPTION', '--timeout-ms must be a whole number of milliseconds ≥ 1', 'e.g. aos world run --timeout-ms 10000');
  // A running node executes the world's effects continuously; a second executor would write beside it.
  const node = await nodeTarget(options);
  if (node !== null) throw new CliError('NODE_RUNNING', `the node at ${node.url} serves this world and already executes its effects`, `watch them with \`aos receipts ls --root ${options.root}\`, or stop the node (\`aos node down\`) to run them here`);
  await withWorld(options, async (world) => {
    const done = await runEffects(world, timeoutMs);
    const data = { adapters: done.adapters, settled: done.settled, open: done.open, timed_out: done.timedOut, problems: done.problems };
    emit(options, data, () => [
      `adapters: ${done.adapters.join(', ') || 'none (generate adapter keys with `aos key gen --name blob.default --role adapter` before creating the world)'}`,
      `settled ${done.settled} intent${done.settled === 1 ? '' : 's'}; ${done.open} still open${done.timedOut ? ' (the time was up)' : ''}`,
      ...done.problems.map((problem) => `problem: ${problem.message}`),
    ].join('\n'));
  });
}

export async function head(options: NodeOptions): Promise<void> {
  const target = await nodeTarget(options);
  if (target !== null) {
    const answer = await nodeRequest<{ next_height: number; head: string | null }>(target, 'GET', worldPath(target, '/journal/head'));
    emitHead(options, answer.next_height, answer.head);
    return;
  }
  await withWorld(options, (world) => {
    const { height, hash } = world.head;
    emitHead(options, height, hash);
  }, true);
}

function emitHead(options: RootOptions, height: number, hash: string | null): void {
  // Heights start at 0, so the next height is also the number of records.
  const data = { next_height: height, head: hash };
  emit(options, data, () => (hash === null ? 'the journal is empty' : `${height} record${height === 1 ? '' : 's'}; head ${hash}`));
}

export async function tail(options: NodeOptions & { from: string; limit: string; kind?: string }): Promise<void> {
  const from = Number(options.from);
  const limit = Number(options.limit);
  if (!Number.isSafeInteger(from) || from < 0 || !Number.isSafeInteger(limit) || limit < 1) throw new CliError('BAD_OPTION', '--from must be a height ≥ 0 and --limit a count ≥ 1', 'e.g. aos journal tail --from 10 --limit 20');
  const target = await nodeTarget(options);
  if (target !== null) {
    const { head: nodeHead, records } = await tailViaNode(target, from, limit, options.kind);
    emitTail(options, nodeHead, records.map(fromJson).map(describeRecord));
    return;
  }
  await withWorld(options, (world) => {
    emitTail(options, world.head, world.tail(from, limit, options.kind).map(describeRecord));
  }, true);
}

function emitTail(options: RootOptions, head: unknown, records: ReadonlyArray<Record<string, unknown>>): void {
  emit(options, { head, records }, () => records.map((record) => `${String(record.height).padStart(6)}  ${String(record.kind).padEnd(15)} ${String(record.summary)}`).join('\n') || '(no records)');
}

/** Node pages hold at most this many heights; a longer tail is read page by page. */
const NODE_TAIL_PAGE = 1_000;

/** The records of heights [from, from + limit) through the node, as the direct tail reads them (then filtered by kind). */
async function tailViaNode(target: NodeTarget, from: number, limit: number, kind: string | undefined): Promise<{ head: unknown; records: RecordJson[] }> {
  const records: RecordJson[] = [];
  let head: unknown = null;
  for (let start = from, left = limit; left > 0;) {
    const size = Math.min(left, NODE_TAIL_PAGE);
    const query = new URLSearchParams({ from: String(start), limit: String(size), ...(kind !== undefined ? { kind } : {}) });
    const page = await nodeRequest<{ head: { height: number }; records: RecordJson[]; next_from: number | null }>(target, 'GET', worldPath(target, `/journal?${query}`));
    head = page.head;
    records.push(...page.records);
    if (page.next_from === null) break;
    start += size;
    left -= size;
  }
  return { head, records };
}
