// What `aos task` does; loaded only when it runs.
// 1. The agent world: a root without a world gets one made from worlds/demiurge (the AIR and the
//    module copied in, adapter keys for blob, host and LLM generated, built, created), so a new
//    user's first `aos task` just works; a root holding other AIR but no world is left alone.
// 2. The task: demiurge/TaskSubmitted@1 with a fresh uuid, the work dir and the provider/model.
// 3. Its effects run here, in-process, on the node's routes (node-effects.ts) with the host
//    adapter confined to <root>/work and the named --workdir. The journal is read after every
//    executor turn and every poll interval, and each tool call and its result is printed as it
//    lands, until the task's TaskFinished@1 (or a fault, a stall or the time limit).
// 4. The answer (assistant_text of the envelope at output_ref) and where the audit trail is.
import { randomUUID } from 'node:crypto';
import { cpSync, existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { valueFromJson, valueToSugarJson } from '../../air/index.ts';
import { decodeCanonical, encodeCanonical } from '../../cbor/index.ts';
import type { CborValue, Hash } from '../../cbor/index.ts';
import type { SealedRecord } from '../../kernel/index.ts';
import { EffectExecutor, EmbeddedWorld, generateKey, listKeys, NodeError, NodeSecrets } from '../../node/index.ts';
import { HOST_WORK_DIR, nodeRoutes } from '../../node/node-effects.ts';
import { buildWorld, writeModuleHashes } from '../build/index.ts';
import { packageRoot } from '../../adapters/package-root.ts';
import { CliError } from '../cli-error.ts';
import { emit, paint, stringifyExact } from '../output.ts';
import { withProgress } from '../progress.ts';
import type { TaskOptions } from './task.ts';

/** The bundled agent world, copied into a root that has none (found from src/ under tsx and from the dist/ bundle alike). */
const DEMIURGE_DIR = join(packageRoot(), 'worlds/demiurge');
const DEMO_SCRIPT = join(DEMIURGE_DIR, 'demo-script.json');
const SUBMITTED = 'demiurge/TaskSubmitted@1';
const FINISHED = 'demiurge/TaskFinished@1';
/** The adapter keys the agent world's effects need (adapter_id = key name). */
const AGENT_KEYS = ['blob.default', 'host.local', 'llm.default', 'timer.default'] as const;
/** How often the journal is read while effects run. */
const POLL_MS = 50;
/** Journal records read per poll. */
const TAIL_PAGE = 512;
/** Characters of a tool result shown on its line. */
const RESULT_PREVIEW_CHARS = 100;

interface Provider { readonly provider: string; readonly model: string; readonly script: string | null; readonly note: string | null }

const MODEL_DEFAULTS: Readonly<Record<string, string>> = { 'openai-responses': 'gpt-5.3-codex', anthropic: 'claude-sonnet-4-5', scripted: 'demo-script' };

/** The provider: as named; else by the API key the environment holds; else the bundled demo script. */
function chooseProvider(options: TaskOptions): Provider {
  const script = options.script === undefined ? null : resolve(options.script);
  let provider = options.provider ?? (script !== null ? 'scripted' : undefined);
  let note: string | null = null;
  if (provider === undefined) {
    if ((process.env['OPENAI_API_KEY'] ?? '') !== '') provider = 'openai-responses';
    else if ((process.env['ANTHROPIC_API_KEY'] ?? '') !== '') provider = 'anthropic';
    else {
      provider = 'scripted';
      note = `no OPENAI_API_KEY or ANTHROPIC_API_KEY set: running the bundled demo script (${DEMO_SCRIPT}), not a real model`;
    }
  }
  if (MODEL_DEFAULTS[provider] === undefined) throw new CliError('UNKNOWN_PROVIDER', `provider ${JSON.stringify(provider)} is not one this node serves`, 'use --provider openai-responses, anthropic or scripted');
  const model = options.model ?? MODEL_DEFAULTS[provider]!;
  if (provider !== 'scripted' && script !== null) throw new CliError('BAD_INPUT', `--script is for the scripted provider, not ${provider}`, 'drop --script, or use --provider scripted');
  const chosen = provider === 'scripted' ? script ?? DEMO_SCRIPT : null;
  if (chosen !== null && !existsSync(chosen)) throw new CliError('NOT_FOUND', `script file ${chosen} does not exist`, 'pass --script a reply script (format: src/adapters/llm/script-file.ts)');
  return { provider, model, script: chosen, note };
}

function workdirOf(root: string, asked: string | undefined): string {
  if (asked === undefined) return join(root, HOST_WORK_DIR);
  const dir = resolve(asked);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new CliError('NOT_FOUND', `work dir ${dir} is not a directory`, 'create it first, or leave out --workdir to work in <root>/work');
  return dir;
}

/** Makes the agent world in `root` when it holds none; returns whether it did. */
export async function ensureWorld(root: string, json: boolean | undefined): Promise<boolean> {
  if (existsSync(join(root, 'air'))) {
    try {
      const world = await EmbeddedWorld.open(root, { readOnly: true });
      world.close();
      return false;
    } catch (error) {
      if (error instanceof NodeError && error.code === 'NO_WORLD') {
        throw new CliError('NO_WORLD', `${root} holds AIR but no world`, `create it with \`aos world create --root ${root}\` (with adapter keys ${AGENT_KEYS.join(', ')}), or give --root an empty folder for a fresh agent world`);
      }
      throw error;
    }
  }
  cpSync(DEMIURGE_DIR, root, { recursive: true });
  const have = new Set(listKeys(root).keys.map((key) => key.name));
  for (const name of AGENT_KEYS) if (!have.has(name)) generateKey(root, { name, role: 'adapter' });
  const built = await withProgress(`building the agent world in ${root}`, json, () => buildWorld(root));
  writeModuleHashes(root, built.modules);
  (await EmbeddedWorld.create(root)).close();
  return true;
}

/** Refuses a world that is not an agent world, or lacks the keys its effects need. */
function checkAgentWorld(world: EmbeddedWorld, root: string): void {
  if (world.view.index.resolve(SUBMITTED) === undefined) throw new CliError('NOT_AN_AGENT_WORLD', `the world in ${root} has no ${SUBMITTED} schema`, 'give --root an empty folder: `aos task` makes an agent world there from worlds/demiurge');
  const trusted = world.trustedKeys();
  const missing = AGENT_KEYS.filter((name) => !trusted.has(name));
  if (missing.length > 0) throw new CliError('MISSING_KEYS', `the world in ${root} trusts no key for ${missing.join(', ')}, so their receipts would be refused`, 'make a fresh agent world: give --root an empty folder');
}

type Json = Record<string, unknown>;

/** Text of a host output value (inline_text, inline_bytes, blob) or a plain string. */
function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  const tagged = value as { $tag?: string; $value?: { text?: unknown; bytes?: unknown; blob_ref?: unknown } } | null;
  if (tagged?.$tag === 'inline_text' && typeof tagged.$value?.text === 'string') return tagged.$value.text;
  if (tagged?.$tag === 'inline_bytes') return '<bytes>';
  if (tagged?.$tag === 'blob') return `<blob ${String(tagged.$value?.blob_ref)}>`;
  return '';
}

function preview(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > RESULT_PREVIEW_CHARS ? `${flat.slice(0, RESULT_PREVIEW_CHARS)}…` : flat;
}

/** The model-facing name and the salient arguments of a host effect. */
function describeCall(kind: string, params: Json): string {
  if (kind === 'host.exec') return `shell ${(params['argv'] as unknown[] | undefined)?.map(String).join(' ') ?? ''}`;
  if (kind === 'host.session.open') {
    const target = params['target'] as { $value?: { workdir?: unknown } } | undefined;
    return `open host session on ${String(target?.$value?.workdir ?? '(a fresh dir)')}`;
  }
  const name = kind.replace(/^host\.(fs\.|session\.)?/, '');
  const args = ['path', 'pattern', 'signal'].filter((field) => typeof params[field] === 'string').map((field) => `${field}=${String(params[field])}`);
  return [name, ...args].join(' ');
}

/** One line for a host receipt: ✓ and what came back, or ✗ and why. */
function describeResult(kind: string, status: string, payload: Json): { readonly ok: boolean; readonly line: string } {
  const code = typeof payload['error_code'] === 'string' ? payload['error_code'] : null;
  if (status !== 'ok' || payload['status'] === 'error' || code !== null) {
    const message = [payload['error_message'], payload['summary_text'], payload['errors']].find((field) => typeof field === 'string' && field !== '');
    return { ok: false, line: `${code ?? status}${message === undefined ? '' : `: ${String(message)}`}` };
  }
  switch (kind) {
    case 'host.session.open': return { ok: true, line: `session ${String(payload['session_id'])} ready` };
    case 'host.exec': return { ok: true, line: `exit ${String(payload['exit_code'])}: ${preview(textOf(payload['stdout']))}` };
    case 'host.fs.read_file': return { ok: true, line: `${String(payload['size_bytes'])} bytes: ${preview(textOf(payload['content']))}` };
    case 'host.fs.list_dir': return { ok: true, line: `${String(payload['count'])} entries: ${preview(textOf(payload['entries']))}` };
    default: return { ok: true, line: preview(textOf(payload['summary_text'] ?? payload['matches'] ?? payload['paths'] ?? '')) || 'ok' };
  }
}

/** What the follower saw of the task. */
interface Followed {
  readonly calls: Array<{ tool: string; ok: boolean | null; result: string | null }>;
  finished: Json | null;
  faults: string[];
  llmTurns: number;
}

/** Reads the journal from `from`: prints tool calls and results, notes faults and TaskFinished; returns the next height. */
function follow(world: EmbeddedWorld, from: number, taskId: string, seen: Followed, pending: Map<Hash, { kind: string; index: number }>, json: boolean | undefined): number {
  let next = from;
  for (;;) {
    const records = world.tail(next, TAIL_PAGE);
    if (records.length === 0) return next;
    for (const record of records) show(world, record, taskId, seen, pending, json);
    next = records[records.length - 1]!.height + 1;
  }
}

function show(world: EmbeddedWorld, record: SealedRecord, taskId: string, seen: Followed, pending: Map<Hash, { kind: string; index: number }>, json: boolean | undefined): void {
  const body = record.body;
  const say = (line: string): void => { if (json !== true) process.stdout.write(`${line}\n`); };
  switch (body.kind) {
    case 'effect_intent': {
      if (body.effect_kind === 'llm.generate') {
        seen.llmTurns += 1;
        pending.set(body.intent_hash, { kind: body.effect_kind, index: -1 });
        say(paint(`· model turn ${seen.llmTurns}`, 'bold'));
        return;
      }
      if (!body.effect_kind.startsWith('host.')) return;
      const tool = describeCall(body.effect_kind, decodeCanonical(body.params) as Json);
      pending.set(body.intent_hash, { kind: body.effect_kind, index: seen.calls.length });
      seen.calls.push({ tool, ok: null, result: null });
      say(`  → ${tool}`);
      return;
    }
    case 'effect_receipt': {
      const call = pending.get(body.intent_hash);
      if (call === undefined) return;
      pending.delete(body.intent_hash);
      if (call.index < 0) {
        // The model's turn: only a failure is news (the calls it asked for follow as intents).
        if (body.status !== 'ok') say(paint(`  ✗ model: ${body.status}: ${llmError(world, decodeCanonical(body.payload) as Json)}`, 'red'));
        return;
      }
      const result = describeResult(call.kind, body.status, decodeCanonical(body.payload) as Json);
      const made = seen.calls[call.index]!;
      Object.assign(made, { ok: result.ok, result: result.line });
      say(`  ${result.ok ? paint('✓', 'green') : paint('✗', 'red')} ${made.tool.split(' ')[0]}: ${result.line}`);
      return;
    }
    case 'cap_decision':
      if (body.decision === 'deny') say(paint(`  ✗ ${body.effect_kind} refused by the grant: ${body.code ?? ''} ${body.message ?? ''}`, 'red'));
      return;
    case 'workflow_fault':
      seen.faults.push(`${body.module}: ${body.failure.message}`);
      say(paint(`  fault in ${body.module}: ${body.failure.message}`, 'red'));
      return;
    case 'domain_event': {
      if (body.schema !== FINISHED) return;
      const value = valueToSugarJson(decodeCanonical(body.value), { ref: FINISHED }, world.view.index) as Json;
      if (value['task_id'] === taskId) seen.finished = value;
      return;
    }
    default:
      return;
  }
}

/** The code and message of an LLM receipt's error document ({"error": {code, message}} at output_ref). */
function llmError(world: EmbeddedWorld, payload: Json): string {
  try {
    const document = JSON.parse(new TextDecoder().decode(world.cas.get(payload['output_ref'] as Hash))) as { error?: { code?: unknown; message?: unknown } };
    return `${String(document.error?.code)}: ${String(document.error?.message)}`;
  } catch {
    return 'no error document';
  }
}

/** The final answer: assistant_text of the LLM output envelope at output_ref. */
function answerOf(world: EmbeddedWorld, outputRef: unknown): string | null {
  if (typeof outputRef !== 'string') return null;
  try {
    const envelope = JSON.parse(new TextDecoder().decode(world.cas.get(outputRef as Hash))) as { assistant_text?: unknown };
    return typeof envelope.assistant_text === 'string' ? envelope.assistant_text : null;
  } catch {
    return null;
  }
}

const sleep = (ms: number): Promise<false> => new Promise((done) => { setTimeout(() => done(false), ms); });

/** Runs the world's effects until the task finishes, following the journal; throws on a stall or the time limit. */
async function runUntilFinished(world: EmbeddedWorld, executor: EffectExecutor, from: number, taskId: string, timeoutMs: number, json: boolean | undefined): Promise<Followed> {
  const seen: Followed = { calls: [], finished: null, faults: [], llmTurns: 0 };
  const pending = new Map<Hash, { kind: string; index: number }>();
  const deadline = Date.now() + timeoutMs;
  let height = from;
  /** The journal height when the executor last went idle (-1: not yet). */
  let idleAt = -1;
  while (seen.finished === null) {
    executor.dispatch();
    const idle = executor.idle().then(() => true as const);
    let settled = false;
    while (!settled && seen.finished === null) {
      settled = await Promise.race([idle, sleep(POLL_MS)]);
      height = follow(world, height, taskId, seen, pending, json);
      if (Date.now() > deadline) throw new CliError('TIMEOUT', `the task did not finish within ${timeoutMs} ms; its effects stop with this command`, `rerun with a larger --timeout-ms; \`aos world run --root ${world.dir}\` settles the open work it left`);
    }
    if (seen.finished !== null || seen.faults.length > 0) break;
    // Idle again with the journal where the last idle left it: nothing will move the task (an
    // intent no adapter serves, a refused receipt, or no work at all).
    if (world.head.height === idleAt) {
      const problems = executor.problems.map((problem) => problem.message);
      throw new CliError('TASK_STALLED', `the task stopped before finishing: ${problems.length > 0 ? problems.join('; ') : `${world.openIntents().size} open intents and nothing running`}`, `\`aos trace --schema ${SUBMITTED} --correlate-by task_id --value '"${taskId}"' --root ${world.dir}\` shows where it stopped`);
    }
    idleAt = world.head.height;
  }
  return seen;
}

/** Submits a task (a fresh uuid, the work dir, the provider/model) to an agent world; returns its task_id. */
export function submitTask(world: EmbeddedWorld, text: string, provider: { readonly provider: string; readonly model: string }, workdir: string): string {
  const taskId = randomUUID();
  const value = {
    task_id: taskId, observed_at_ns: BigInt(Date.now()) * 1_000_000n, workdir, task: text,
    config: { provider: provider.provider, model: provider.model, reasoning_effort: null, max_tokens: null, tool_profile: null, allowed_tools: null, tool_enable: null, tool_disable: null, tool_force: null, session_ttl_ns: null },
  };
  const bytes = encodeCanonical(valueFromJson(value as unknown as CborValue, { ref: SUBMITTED }, world.view.index, { path: 'the task' }), { selfDescribe: false });
  world.send({ schema: SUBMITTED, value: bytes });
  return taskId;
}

/** What a finished `aos task` run reports (its --json output). */
export type TaskReport = ReturnType<typeof reportData>;

/** Runs one task to its end (live lines unless --json) and returns its report; `aos eval` calls this per case. */
export async function runTask(text: string, options: TaskOptions): Promise<TaskReport> {
  const root = resolve(options.root);
  const timeoutMs = Number(options.timeoutMs);
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs <= 0) throw new CliError('BAD_INPUT', `--timeout-ms ${options.timeoutMs} is not a positive whole number of milliseconds`, 'e.g. --timeout-ms 600000');
  if (text.trim() === '') throw new CliError('BAD_INPUT', 'the task text is empty', 'say what the agent should do, e.g. aos task "list the files and summarise README.md"');
  const provider = chooseProvider(options);
  const workdir = workdirOf(root, options.workdir);
  const say = (line: string): void => { if (options.json !== true) process.stdout.write(`${line}\n`); };
  if (provider.note !== null) say(paint(`note: ${provider.note}`, 'yellow'));
  const created = await ensureWorld(root, options.json);
  if (created) say(`created the agent world (worlds/demiurge) in ${root}`);

  const world = await EmbeddedWorld.open(root);
  try {
    checkAgentWorld(world, root);
    const from = world.head.height;
    const taskId = submitTask(world, text, provider, workdir);
    say(`task ${taskId}: ${provider.provider}/${provider.model} in ${workdir}`);

    const routes = nodeRoutes(world, { hostRoots: [workdir], ...(provider.script !== null ? { llmScript: provider.script } : {}) });
    const secrets = new NodeSecrets({ root, secrets: [...world.view.authority.secrets.values()] });
    const executor = new EffectExecutor(world, routes, { secrets });
    let seen: Followed;
    try {
      seen = await runUntilFinished(world, executor, from, taskId, timeoutMs, options.json);
    } finally {
      executor.close();
    }
    return reportData(world, root, taskId, provider, seen);
  } finally {
    world.close();
  }
}

export async function task(text: string, options: TaskOptions): Promise<void> {
  report(await runTask(text, options), options);
}

function reportData(world: EmbeddedWorld, root: string, taskId: string, provider: Provider, seen: Followed) {
  const finished = seen.finished;
  // A unit variant's sugar is its tag.
  const status = finished === null ? 'Faulted' : typeof finished['status'] === 'string' ? finished['status'] : Object.keys(finished['status'] as Json)[0] ?? 'unknown';
  const answer = finished === null ? null : answerOf(world, finished['output_ref']);
  const failure = finished?.['failure'] ?? null;
  const audit = [`aos audit verify --root ${root}`, `aos trace --schema ${SUBMITTED} --correlate-by task_id --value '"${taskId}"' --root ${root}`];
  return { task_id: taskId, root, provider: provider.provider, model: provider.model, note: provider.note, status, answer, failure, faults: seen.faults, tool_calls: seen.calls, llm_turns: seen.llmTurns, audit };
}

function report(data: TaskReport, options: TaskOptions): void {
  const { status, answer, failure, audit } = data;
  if (status !== 'Succeeded') process.exitCode = 1;
  emit(options, data, () => [
    '',
    status === 'Succeeded' ? paint('answer:', 'bold') : paint(`task ${status}${failure === null ? '' : `: ${stringifyExact(failure, 0)}`}`, 'red'),
    ...(answer !== null ? [answer] : []),
    '',
    `${data.tool_calls.length} tool calls, ${data.llm_turns} model turns. See the audit trail:`,
    ...audit.map((line) => `  ${line}`),
  ].join('\n'));
}
