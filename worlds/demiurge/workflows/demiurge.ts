// demiurge/Demiurge@1, keyed by task id (upstream-agent.md §5): a task in, an answer out.
//   TaskSubmitted        → blob.put of the task as the user message          (AwaitBlobPut)
//   blob.put receipt     → host.session.open on the task's work dir          (AwaitHostSessionOpen)
//   open receipt         → SessionIngress HostSessionUpdated(Ready), then RunRequested, as domain
//                          events routed to aos.agent/SessionWorkflow@1 under the same id
//   SessionLifecycleChanged → WaitingInput (the model answered without tools): RunCompleted
//                          (AwaitRunCompletion); Completed: TaskFinished Succeeded with the
//                          answer's output_ref; Failed/Cancelled: TaskFinished with that status.
// TaskFinished is emitted exactly once (`finished`). Ingress timestamps come from a counter in
// the state (next_observed_at_ns), seeded by the task's observed_at_ns: steps have no clock.
//
// Where this differs from upstream:
// - AwaitRunCompletion is in demiurge/PendingStage@1 (upstream's Rust set it, its AIR lacked it);
// - the session gets no introspect.*/workspace.* tools: this world binds no query or workspace
//   slot, so the run disables them (upstream offered them and they failed when called);
// - allowed_tools becomes "disable every other known tool" (upstream replaced the registry's
//   profile), so the session's registry stays its own.
import { decodeReceipt, defineWorkflow, effect, RECEIPT_ENVELOPE_SCHEMA, utf8Encode } from 'agentos/sdk';
import type { AirValue, EmittedEvent, StepOutcome } from 'agentos/sdk';

const INGRESS = 'aos.agent/SessionIngress@1';
const FINISHED = 'demiurge/TaskFinished@1';
/** The tools a task session may use: the host tools (no query or workspace slot is bound here). */
const HOST_TOOLS: readonly string[] = Object.freeze([
  'host.exec', 'host.fs.read_file', 'host.fs.write_file', 'host.fs.edit_file', 'host.fs.apply_patch',
  'host.fs.grep', 'host.fs.glob', 'host.fs.stat', 'host.fs.exists', 'host.fs.list_dir',
]);
/** Built-in tools that need slots this world does not bind. */
const UNBOUND_TOOLS: readonly string[] = Object.freeze([
  'introspect.manifest', 'introspect.workflow_state', 'workspace.inspect', 'workspace.list', 'workspace.read',
  'workspace.apply', 'workspace.diff', 'workspace.commit',
]);
const DEFAULT_PROVIDER = 'openai-responses';
const DEFAULT_MODEL = 'gpt-5.3-codex';
const DEFAULT_MAX_TOKENS = 4096;

type Unit<Tag extends string> = { $tag: Tag; $value?: null };
type TaskStatus = Unit<'Idle' | 'Bootstrapping' | 'Running' | 'Succeeded' | 'Failed' | 'Cancelled'>;
type PendingStage = Unit<'AwaitBlobPut' | 'AwaitHostSessionOpen' | 'AwaitRunCompletion'>;
type Nat = number | bigint;

interface TaskConfig {
  provider: string | null; model: string | null; reasoning_effort: AirValue | null; max_tokens: Nat | null;
  tool_profile: string | null; allowed_tools: string[] | null; tool_enable: string[] | null;
  tool_disable: string[] | null; tool_force: string[] | null; session_ttl_ns: Nat | null;
}
interface TaskSubmitted { task_id: string; observed_at_ns: Nat; workdir: string; task: string; config: TaskConfig | null }
interface TaskFailure { code: string; detail: string }
interface RunId { session_id: string; run_seq: Nat }
interface LifecycleChanged { session_id: string; observed_at_ns: Nat; from: Unit<string>; to: Unit<string>; run_id: RunId | null; output_ref: string | null; in_flight_effects: Nat }

interface DemiurgeState {
  task_id: string;
  status: TaskStatus;
  workdir: string | null;
  task: string | null;
  config: TaskConfig | null;
  input_ref: string | null;
  output_ref: string | null;
  host_session_id: string | null;
  pending_stage: PendingStage | null;
  next_observed_at_ns: Nat;
  finished: boolean;
  failure: TaskFailure | null;
  last_updated_at_ns: Nat;
}

type DemiurgeEvent =
  | { $tag: 'TaskSubmitted'; $value: TaskSubmitted }
  | { $tag: 'SessionLifecycleChanged'; $value: LifecycleChanged }
  | { $tag: 'Receipt'; $value: AirValue }
  | { $tag: 'ReceiptRejected'; $value: { effect_kind: string; error_code: string; error_message: string } }
  | { $tag: 'StreamFrame'; $value: AirValue }
  | { $tag: 'Noop'; $value?: AirValue };

const NIL_UUID = '00000000-0000-0000-0000-000000000000';

function initial(): DemiurgeState {
  return {
    task_id: NIL_UUID, status: { $tag: 'Idle' }, workdir: null, task: null, config: null, input_ref: null, output_ref: null,
    host_session_id: null, pending_stage: null, next_observed_at_ns: 0, finished: false, failure: null, last_updated_at_ns: 0,
  };
}

/** The next ingress timestamp: strictly increasing within the task. */
function tick(state: DemiurgeState): Nat {
  const next = BigInt(state.next_observed_at_ns) + 1n;
  state.next_observed_at_ns = next;
  state.last_updated_at_ns = next;
  return next;
}

function ingress(state: DemiurgeState, kind: AirValue): EmittedEvent {
  return { schema: INGRESS, value: { session_id: state.task_id, observed_at_ns: tick(state), ingress: kind } };
}

/** Ends the task (once): the status, the failure if any, and the TaskFinished event. */
function finish(state: DemiurgeState, status: TaskStatus['$tag'], failure: TaskFailure | null, runId: RunId | null): StepOutcome<DemiurgeState> {
  if (state.finished) return { state };
  state.status = { $tag: status };
  state.failure = failure;
  state.pending_stage = null;
  state.finished = true;
  const value = { task_id: state.task_id, observed_at_ns: tick(state), status: { $tag: status }, failure, run_id: runId, output_ref: state.output_ref };
  return { state, events: [{ schema: FINISHED, value: value as unknown as AirValue }] };
}

function fail(state: DemiurgeState, code: string, detail: string): StepOutcome<DemiurgeState> {
  return finish(state, 'Failed', { code, detail }, null);
}

function isAbsolute(path: string): boolean {
  return path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path);
}

function submitted(state: DemiurgeState, task: TaskSubmitted): StepOutcome<DemiurgeState> {
  // One task per cell: a second submission under the same id is ignored, as upstream does.
  if (state.status.$tag !== 'Idle') return { state };
  state.task_id = task.task_id;
  state.next_observed_at_ns = task.observed_at_ns;
  state.last_updated_at_ns = task.observed_at_ns;
  state.workdir = task.workdir;
  state.task = task.task;
  state.config = task.config;
  if (task.task_id === NIL_UUID) return fail(state, 'invalid_task_id', 'task_id is the nil uuid; give each task a fresh uuid');
  if (!isAbsolute(task.workdir)) return fail(state, 'invalid_workdir', `workdir ${JSON.stringify(task.workdir)} is not an absolute path`);
  const allowed = task.config?.allowed_tools ?? null;
  if (allowed !== null) {
    if (allowed.length === 0) return fail(state, 'invalid_allowed_tools', 'allowed_tools is empty; leave it out to allow every host tool');
    const unknown = allowed.filter((id) => !HOST_TOOLS.includes(id));
    if (unknown.length > 0) return fail(state, 'unknown_allowed_tool', `allowed_tools names ${unknown.join(', ')}; known: ${HOST_TOOLS.join(', ')}`);
  }
  state.status = { $tag: 'Bootstrapping' };
  state.pending_stage = { $tag: 'AwaitBlobPut' };
  const message = utf8Encode(JSON.stringify({ role: 'user', content: task.task }));
  return { state, effects: [effect.blobPut({ bytes: message }, { cap_slot: 'blob', issuer_ref: 'demiurge:input' })] };
}

function disabledTools(config: TaskConfig | null): string[] {
  const allowed = config?.allowed_tools ?? null;
  const others = allowed === null ? [] : HOST_TOOLS.filter((id) => !allowed.includes(id));
  return [...new Set([...UNBOUND_TOOLS, ...others, ...(config?.tool_disable ?? [])])];
}

/** The session's handoff: the host session is ready, then the run starts with the task as input. */
function startRun(state: DemiurgeState): StepOutcome<DemiurgeState> {
  const config = state.config;
  const provider = config?.provider ?? DEFAULT_PROVIDER;
  const overrides = {
    provider,
    model: config?.model ?? DEFAULT_MODEL,
    reasoning_effort: config?.reasoning_effort ?? null,
    max_tokens: config?.max_tokens ?? DEFAULT_MAX_TOKENS,
    default_prompt_refs: null,
    default_tool_profile: config?.tool_profile ?? null,
    default_tool_enable: config?.tool_enable ?? null,
    default_tool_disable: disabledTools(config),
    default_tool_force: config?.tool_force ?? null,
  };
  state.status = { $tag: 'Running' };
  state.pending_stage = null;
  const events = [
    ingress(state, { $tag: 'HostSessionUpdated', $value: { host_session_id: state.host_session_id, host_session_status: { $tag: 'Ready' } } }),
    ingress(state, { $tag: 'RunRequested', $value: { input_ref: state.input_ref, run_overrides: overrides } } as unknown as AirValue),
  ];
  return { state, events };
}

function receipt(state: DemiurgeState, value: AirValue): StepOutcome<DemiurgeState> {
  if (state.finished) return { state };
  const { envelope, payload } = decodeReceipt({ schema: RECEIPT_ENVELOPE_SCHEMA, value });
  const fields = payload as Record<string, AirValue>;
  const stage = state.pending_stage?.$tag ?? null;
  if (envelope.effect_kind === 'blob.put' && stage === 'AwaitBlobPut') {
    if (envelope.status !== 'ok' || typeof fields['blob_ref'] !== 'string') return fail(state, 'blob_put_failed', `storing the task message failed (${envelope.status})`);
    state.input_ref = fields['blob_ref'];
    state.pending_stage = { $tag: 'AwaitHostSessionOpen' };
    const target = { $tag: 'local', $value: { mounts: null, workdir: state.workdir, env: null, network_mode: 'none' } };
    const params = { target, session_ttl_ns: state.config?.session_ttl_ns ?? null, labels: { task_id: state.task_id } };
    return { state, effects: [effect.custom('host.session.open', params as unknown as AirValue, { cap_slot: 'host', issuer_ref: 'demiurge:host' })] };
  }
  if (envelope.effect_kind === 'host.session.open' && stage === 'AwaitHostSessionOpen') {
    const message = typeof fields['error_message'] === 'string' ? `: ${fields['error_message']}` : '';
    if (envelope.status !== 'ok' || fields['status'] === 'error') return fail(state, 'host_session_open_failed', `opening a host session on ${String(state.workdir)} failed (${String(fields['error_code'] ?? envelope.status)})${message}`);
    const id = fields['session_id'];
    if (fields['status'] !== 'ready' || typeof id !== 'string' || id === '') return fail(state, 'host_session_not_ready', `the host session is ${String(fields['status'])}, not ready`);
    state.host_session_id = id;
    return startRun(state);
  }
  return { state };
}

function lifecycle(state: DemiurgeState, change: LifecycleChanged): StepOutcome<DemiurgeState> {
  if (state.finished || state.status.$tag === 'Idle') return { state };
  if (change.output_ref !== null) state.output_ref = change.output_ref;
  switch (change.to.$tag) {
    case 'Running':
      state.status = { $tag: 'Running' };
      return { state };
    case 'WaitingInput':
      // The model answered without asking for tools: for a task that is the end of the run.
      if (state.pending_stage?.$tag === 'AwaitRunCompletion') return { state };
      state.pending_stage = { $tag: 'AwaitRunCompletion' };
      return { state, events: [ingress(state, { $tag: 'RunCompleted' })] };
    case 'Completed':
      return finish(state, 'Succeeded', null, change.run_id);
    case 'Failed':
      return finish(state, 'Failed', { code: 'session_failed', detail: 'the agent session\'s run failed; its journal records say why (aos trace)' }, change.run_id);
    case 'Cancelled':
      return finish(state, 'Cancelled', null, change.run_id);
    default:
      return { state };
  }
}

defineWorkflow<DemiurgeState, DemiurgeEvent>({
  init: initial,
  step(state, event) {
    const input = event.value;
    switch (input.$tag) {
      case 'TaskSubmitted':
        return submitted(state, input.$value);
      case 'Receipt':
        return receipt(state, input.$value);
      case 'ReceiptRejected': {
        if (state.finished || state.pending_stage === null) return { state };
        const rejected = input.$value;
        return fail(state, 'effect_rejected', `${rejected.effect_kind} was refused: ${rejected.error_code}: ${rejected.error_message}`);
      }
      case 'SessionLifecycleChanged':
        return lifecycle(state, input.$value);
      case 'StreamFrame':
      case 'Noop':
        return { state };
    }
  },
});
