// agent (agent issue): harness overhead per agent turn, everything but the LLM. The Demiurge world
// (worlds/demiurge, made as `aos task` makes it: task-actions.ts ensureWorld/submitTask) runs one
// task at a time on the scripted provider whose every turn asks for three tool calls (list_dir, read_file,
// stat) on a temp work dir, durably (SQLite WAL, fdatasync'd: sends at once, receipts off the thread), through the node's real routes
// (node-effects.ts: host adapter, LLM adapter, signed receipts). A turn is the time between
// consecutive LLM adapter starts: the model call, the three host calls and their receipts, and
// every workflow step between. The LLM adapter is wrapped to time its calls, so the overhead
// (turn minus LLM call) is explicit; the target is ≤ 5 ms per turn.
// The agent allows a run 32 LLM turns (src/agent/limits.ts RUN_TURNS_MAX) and the world one task,
// so the turns come from several tasks, each in a fresh copy of one built world; the first task
// only warms up. The conversation grows each turn (the agent resends its history), so a task's
// later turns carry more than its first.
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Adapter } from '../src/adapters/adapter.ts';
import { assert, decodeCanonical } from '../src/cbor/index.ts';
import { ensureWorld, submitTask } from '../src/cli/commands/task-actions.ts';
import type { SealedRecord } from '../src/kernel/index.ts';
import { EffectExecutor, EmbeddedWorld, NodeSecrets } from '../src/node/index.ts';
import { nodeRoutes } from '../src/node/node-effects.ts';
import type { BenchResult } from './report.ts';
import { rssMb } from './world-kit.ts';

/** Tool turns per task: the agent allows a run RUN_TURNS_MAX (32) LLM turns, the answer included. */
const TURNS_PER_TASK = 30;
/** Tasks measured, each in a fresh copy of the same agent world. */
const TASKS = 4;
/** Tasks run first in the same process (same worlds, same script), to warm the JIT, SQLite and the sandbox. */
const WARMUP_TASKS = 1;
const FINISHED = 'demiurge/TaskFinished@1';
/** Journal records read per page. */
const TAIL_PAGE = 4_096;
const LLM_ADAPTER = 'llm.default';

/** The script: TURNS_PER_TASK turns of three tool calls each, then the answer. */
function writeScript(path: string): void {
  const replies: unknown[] = [];
  for (let turn = 1; turn <= TURNS_PER_TASK; turn += 1) {
    replies.push({
      match: { correlation_id: `run-1-turn-${turn}` },
      tool_calls: [
        { id: `list-${turn}`, name: 'list_dir', arguments: { path: '.' } },
        { id: `read-${turn}`, name: 'read_file', arguments: { path: 'README.md' } },
        { id: `stat-${turn}`, name: 'stat', arguments: { path: 'src/main.ts' } },
      ],
      usage: { prompt: 200, completion: 30 },
    });
  }
  replies.push({ match: { correlation_id: `run-1-turn-${TURNS_PER_TASK + 1}` }, text: 'done', usage: { prompt: 200, completion: 5 } });
  writeFileSync(path, JSON.stringify({ replies }));
}

/** The LLM adapter, noting when each call starts and how long it takes. */
function timedLlm(inner: Adapter, starts: bigint[], spans: bigint[]): Adapter {
  return {
    id: inner.id, kinds: inner.kinds,
    execute: async (intent, context) => {
      const started = process.hrtime.bigint();
      starts.push(started);
      try {
        return await inner.execute(intent, context);
      } finally {
        spans.push(process.hrtime.bigint() - started);
      }
    },
  };
}

/** The task's TaskFinished value if the journal from `from` holds it (else null), and the next height. */
function finishedSince(world: EmbeddedWorld, from: number): { finished: unknown; next: number } {
  let next = from;
  for (;;) {
    const page = world.tail(next, TAIL_PAGE);
    if (page.length === 0) return { finished: null, next };
    for (const record of page) if (record.body.kind === 'domain_event' && record.body.schema === FINISHED) return { finished: decodeCanonical(record.body.value), next: record.height + 1 };
    next = page[page.length - 1]!.height + 1;
  }
}

/** Every effect receipt in the journal, read in pages. */
function receipts(world: EmbeddedWorld): SealedRecord[] {
  const all: SealedRecord[] = [];
  for (let from = 0; ;) {
    const page = world.tail(from, TAIL_PAGE);
    if (page.length === 0) return all;
    all.push(...page.filter((record) => record.body.kind === 'effect_receipt'));
    from = page[page.length - 1]!.height + 1;
  }
}

const ms = (ns: bigint): number => Number(ns) / 1e6;
const round = (value: number): number => Number(value.toFixed(3));

function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? 0;
}

/** Runs one task in a fresh copy of the template world; returns each turn's time and LLM time in ms. */
async function oneTask(template: string, root: string, workdir: string, script: string): Promise<{ turnMs: number[]; llmMs: number[]; records: number }> {
  cpSync(template, root, { recursive: true });
  const world = await EmbeddedWorld.open(root);
  const starts: bigint[] = [];
  const spans: bigint[] = [];
  const routes = nodeRoutes(world, { hostRoots: [workdir], llmScript: script })
    .map((route) => (route.adapter.id === LLM_ADAPTER ? { ...route, adapter: timedLlm(route.adapter, starts, spans) } : route));
  const secrets = new NodeSecrets({ root, secrets: [...world.view.authority.secrets.values()] });
  const executor = new EffectExecutor(world, routes, { secrets });
  try {
    let height = world.head.height;
    let finished: unknown = null;
    submitTask(world, 'bench: inspect the project, three tools a turn', { provider: 'scripted', model: 'demo-script' }, workdir);
    for (let idleAt = -1; ;) {
      executor.dispatch();
      await executor.idle();
      const seen = finishedSince(world, height);
      height = seen.next;
      finished = seen.finished;
      if (finished !== null) break;
      assert(world.head.height !== idleAt, `the task stalled: ${executor.problems.map((problem) => problem.message).join('; ') || 'no open work'}`);
      idleAt = world.head.height;
    }
    assert(starts.length === TURNS_PER_TASK + 1, `one LLM call per turn and one for the answer (${starts.length} calls for ${TURNS_PER_TASK} turns); the task finished with ${JSON.stringify(finished, (_key, value: unknown) => (typeof value === 'bigint' ? String(value) : value))}`);
    const hostReceipts = receipts(world).filter((record) => record.body.kind === 'effect_receipt' && record.body.adapter_id.startsWith('host.'));
    assert(hostReceipts.length === 1 + 3 * TURNS_PER_TASK, `a session open and three host calls per turn (${hostReceipts.length} host receipts)`);
    const failed = hostReceipts.filter((record) => record.body.kind === 'effect_receipt' && (record.body.status !== 'ok' || (decodeCanonical(record.body.payload) as { status?: unknown }).status === 'error'));
    assert(failed.length === 0, `every host call succeeded (${failed.length} failed)`);
    // Turn k runs from LLM call k to LLM call k+1 (the last one the answer).
    const turnMs = starts.slice(1).map((at, index) => ms(at - starts[index]!));
    return { turnMs, llmMs: spans.slice(0, TURNS_PER_TASK).map(ms), records: world.head.height + 1 };
  } finally {
    executor.close();
    world.close();
  }
}

export async function run(): Promise<BenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'aos-bench-agent-'));
  try {
    const workdir = join(dir, 'work');
    mkdirSync(join(workdir, 'src'), { recursive: true });
    writeFileSync(join(workdir, 'README.md'), '# Widget\nA tiny project that counts widgets.\n');
    writeFileSync(join(workdir, 'src/main.ts'), 'export const widgets = 3;\n');
    const script = join(dir, 'script.json');
    writeScript(script);
    const template = join(dir, 'template');
    await ensureWorld(template, true);
    const turnMs: number[] = [];
    const llmMs: number[] = [];
    let records = 0;
    const started = process.hrtime.bigint();
    for (let task = 0; task < WARMUP_TASKS + TASKS; task += 1) {
      if (task === WARMUP_TASKS) {
        turnMs.length = 0;
        llmMs.length = 0;
      }
      const measured = await oneTask(template, join(dir, `agent-${task}`), workdir, script);
      turnMs.push(...measured.turnMs);
      llmMs.push(...measured.llmMs);
      records = measured.records;
    }
    const totalSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    const turns = turnMs.length;
    const turnTotal = turnMs.reduce((sum, value) => sum + value, 0);
    const llmTotal = llmMs.reduce((sum, value) => sum + value, 0);
    const byTime = [...turnMs].sort((a, b) => a - b);
    const byOverhead = turnMs.map((turn, index) => turn - llmMs[index]!).sort((a, b) => a - b);
    return {
      name: 'agent',
      metrics: {
        turn_mean_ms: round(turnTotal / turns),
        turn_p50_ms: round(percentile(byTime, 0.5)),
        turn_p99_ms: round(percentile(byTime, 0.99)),
        llm_call_mean_ms: round(llmTotal / turns),
        llm_share_pct: round((100 * llmTotal) / turnTotal),
        overhead_mean_ms: round((turnTotal - llmTotal) / turns),
        overhead_p50_ms: round(percentile(byOverhead, 0.5)),
        overhead_p99_ms: round(percentile(byOverhead, 0.99)),
        all_tasks_s: round(totalSeconds),
        journal_records_per_task: records,
        rss_mb: rssMb(),
      },
      params: {
        tasks: TASKS, warmup_tasks: WARMUP_TASKS, turns_per_task: TURNS_PER_TASK, turns_measured: turns, tool_calls_per_turn: 3, tools: ['list_dir', 'read_file', 'stat'],
        provider: 'scripted (llm.default wrapped to time each call)', world: 'worlds/demiurge, a fresh copy per task', durability: 'sqlite WAL; sends fdatasync at once, receipt groups off the thread',
        turn: 'between consecutive LLM adapter starts', target: 'overhead (turn minus LLM call) <= 5 ms',
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
