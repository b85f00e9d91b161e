// A Demiurge world for tests that run whole agent tasks on the node's routes: worlds/demiurge
// copied to a temp root with the adapter keys blob.default, host.local, llm.default and timer.default, built and
// created; helpers to submit a task, run its effects to the end, read the session and the
// journal, and finish with replay-or-die (reopen from disk at the same head, then replay from
// genesis and every snapshot).
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { valueFromJson, valueToSugarJson } from '../../src/air/index.ts';
import { decodeCanonical, encodeCanonical } from '../../src/cbor/index.ts';
import type { CborValue } from '../../src/cbor/index.ts';
import { HOST_ADAPTER_ID_DEFAULT } from '../../src/adapters/host/host-adapter.ts';
import { buildWorld, writeModuleHashes } from '../../src/cli/build/index.ts';
import { EffectExecutor, EmbeddedWorld, generateKey, TIMER_ADAPTER_ID_DEFAULT } from '../../src/node/index.ts';
import type { EffectExecutorOptions, ExecutorRoute } from '../../src/node/index.ts';
import { HOST_WORK_DIR, LLM_ADAPTER_ID } from '../../src/node/node-effects.ts';

const ROOT = join(import.meta.dirname, '../..');
export const SESSION_WORKFLOW = 'aos.agent/SessionWorkflow@1';
const SESSION_INGRESS = 'aos.agent/SessionIngress@1';
/** Journal records a test reads back at most (a task writes a few hundred). */
const TASK_RECORDS_MAX = 4096;
/** Executor rounds a task may take before the test gives up: far more than any test task needs. */
const TASK_ROUNDS_MAX = 200;

/** A task's config (demiurge/TaskConfig@1) with every field unset but provider and model. */
export function taskConfig(provider: string, model: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { provider, model, reasoning_effort: null, max_tokens: null, tool_profile: null, allowed_tools: null, tool_enable: null, tool_disable: null, tool_force: null, session_ttl_ns: null, ...extra };
}

export interface SessionMessage { role?: string; content?: string; type?: string; call_id?: string; output?: string; is_error?: boolean; tool_calls?: Array<{ id: string; name: string }> }

/** A Demiurge world in a temp root; close() removes it. */
export class DemiurgeWorld {
  private constructor(readonly dir: string, readonly root: string, public world: EmbeddedWorld) {}

  /** `patch` may change the copied world folder (its AIR, say) before it is built. */
  static async create(patch: (root: string) => void = () => undefined): Promise<DemiurgeWorld> {
    const dir = mkdtempSync(join(tmpdir(), 'aos-demiurge-task-'));
    const root = join(dir, 'agent');
    cpSync(join(ROOT, 'worlds/demiurge'), root, { recursive: true });
    patch(root);
    for (const name of ['blob.default', HOST_ADAPTER_ID_DEFAULT, LLM_ADAPTER_ID, TIMER_ADAPTER_ID_DEFAULT]) generateKey(root, { name, role: 'adapter' });
    writeModuleHashes(root, (await buildWorld(root)).modules);
    return new DemiurgeWorld(dir, root, await EmbeddedWorld.create(root));
  }

  /** The work dir host sessions may use without being named (<root>/work). */
  get workdir(): string {
    return join(this.root, HOST_WORK_DIR);
  }

  private sendSugar(schema: string, json: unknown): void {
    this.world.send({ schema, value: encodeCanonical(valueFromJson(json as CborValue, { ref: schema }, this.world.view.index, { path: 'event' }), { selfDescribe: false }) });
  }

  submit(taskId: string, task: string, config: Record<string, unknown>, observedAtNs = 1000): void {
    this.sendSugar('demiurge/TaskSubmitted@1', { task_id: taskId, observed_at_ns: observedAtNs, workdir: this.workdir, task, config });
  }

  /** Asks the task's session for another run (the transcript carries over): a follow-up question. */
  followUp(sessionId: string, text: string, run: { provider: string; model: string; maxTokens: number }, observedAtNs: number): void {
    const input = this.world.cas.put(new TextEncoder().encode(JSON.stringify({ role: 'user', content: text })));
    // max_tokens is required: the world's LLM grant refuses a request without one.
    const overrides = { provider: run.provider, model: run.model, reasoning_effort: null, max_tokens: run.maxTokens, default_prompt_refs: null, default_tool_profile: null, default_tool_enable: null, default_tool_disable: null, default_tool_force: null };
    this.sendSugar(SESSION_INGRESS, { session_id: sessionId, observed_at_ns: observedAtNs, ingress: { $tag: 'RunRequested', $value: { input_ref: input, run_overrides: overrides } } });
  }

  /** Runs open effects on `routes` until none is left; returns the executor's problems. */
  async settle(routes: readonly ExecutorRoute[], options: EffectExecutorOptions = {}): Promise<string[]> {
    const executor = new EffectExecutor(this.world, routes, options);
    try {
      for (let round = 0; round < TASK_ROUNDS_MAX && (round === 0 || this.world.openIntents().size > 0); round += 1) {
        executor.dispatch();
        await executor.idle();
      }
      return executor.problems.map((problem) => problem.message);
    } finally {
      executor.close();
    }
  }

  /** The TaskFinished events of `taskId`, in the sugar lens. */
  finished(taskId: string): Array<Record<string, unknown>> {
    return this.world.tail(0, TASK_RECORDS_MAX, 'domain_event').flatMap((record) => {
      if (record.body.kind !== 'domain_event' || record.body.schema !== 'demiurge/TaskFinished@1') return [];
      const value = valueToSugarJson(decodeCanonical(record.body.value), { ref: 'demiurge/TaskFinished@1' }, this.world.view.index) as Record<string, unknown>;
      return value['task_id'] === taskId ? [value] : [];
    });
  }

  /** The session's raw (canonical lens) state. */
  session(sessionId: string): Record<string, CborValue> {
    const key = encodeCanonical(valueFromJson(sessionId, { ref: 'aos.agent/SessionId@1' }, this.world.view.index, { path: 'key' }), { selfDescribe: false });
    const bytes = this.world.state(SESSION_WORKFLOW, key);
    if (bytes === null) throw new Error(`no session ${sessionId}`);
    return decodeCanonical(bytes) as Record<string, CborValue>;
  }

  /** The session's transcript, each message read from the CAS. */
  transcript(sessionId: string): SessionMessage[] {
    return (this.session(sessionId)['conversation_message_refs'] as string[]).map((ref) => JSON.parse(new TextDecoder().decode(this.world.cas.get(ref as never))) as SessionMessage);
  }

  /** The effect kinds of every intent in the journal, in order. */
  intentKinds(): string[] {
    return this.world.tail(0, TASK_RECORDS_MAX, 'effect_intent').flatMap((record) => (record.body.kind === 'effect_intent' ? [record.body.effect_kind] : []));
  }

  /** The decoded receipt payloads of every intent of `effectKind`, in journal order. */
  receiptsOf(effectKind: string): CborValue[] {
    const kinds = new Map(this.world.tail(0, TASK_RECORDS_MAX, 'effect_intent').flatMap((record) => (record.body.kind === 'effect_intent' ? [[record.body.intent_hash, record.body.effect_kind] as const] : [])));
    return this.world.tail(0, TASK_RECORDS_MAX, 'effect_receipt').flatMap((record) => (record.body.kind === 'effect_receipt' && kinds.get(record.body.intent_hash) === effectKind ? [decodeCanonical(record.body.payload)] : []));
  }

  /** Replay or die: reopen from disk at the same head, then replay from genesis and every snapshot. */
  async replayOrDie(): Promise<{ heights: number; snapshots: number }> {
    const before = this.world.head;
    this.world.close();
    this.world = await EmbeddedWorld.open(this.root);
    if (this.world.head.hash !== before.hash) throw new Error(`reopening gives head ${this.world.head.hash ?? '-'}, the live world had ${before.hash ?? '-'}`);
    return this.world.verifyReplay();
  }

  close(): void {
    this.world.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
