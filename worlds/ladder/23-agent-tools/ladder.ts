// Ladder 23 (upstream smoke fixture 23-agent-tools): aos.agent/SessionWorkflow@1 (src/agent) runs
// one run whose first turn asks for 15 built-in tools at once. air/ is the fixture's AIR, plus two
// schema refs its manifest leaves out (aos.agent/SharedPendingBlobGet@1 and …Put@1, which the
// session state refers to: upstream's loader merged the imported defs, ours keeps what the
// manifest lists); agent-air/ is upstream's agent AIR, imported by aos.sync.json.
// Driver (as upstream's): HostSessionUpdated{hs-seed, Ready}; ToolRegistrySet with the built-in
// registry cut to 14 tool_ids, profile smoke-host (also the default); RunRequested with the input
// message, openai-responses/gpt-5.2, max_tokens 512; then every intent is answered until the run
// waits for input; then RunCompleted.
// Who answers: llm.generate the real LLM adapter with provider openai-responses mapped to the
// scripted provider (llm-script.json: turn 1 the 15 calls, turn 2 the final text; a third turn
// would find no reply and fail); blob.* the real blob adapter; host.*, introspect.* and
// workspace.* fakes (adapter.<host|introspect|workspace>.fake) that check the params of each
// call, as upstream's do, and answer with upstream's scripted receipts (roots aaa…, ccc…, ddd…,
// eee…, which exist in no CAS: that is why they are fakes and not the kernel's own adapters).
// Upstream's checks: WaitingInput; the batch settled with all 15 calls Succeeded; the groups
// exactly [first 11] [apply] [commit] [diff] [exec]; exactly the expected set of effect kinds;
// exactly 2 LLM turns; after RunCompleted: Completed, the run cleared; replay.
// Also checked: the fs/exec params carry session_id hs-seed; workspace_commit's domain event
// reaches sys/Workspace@1 (draft at version 1, root eee…); the transcript the model saw (its
// second turn gets the assistant's 15 calls and 15 results, each not an error); the final answer
// in the transcript; every receipt signed by a key the world trusts.
import { join } from 'node:path';
import { decodeCanonical, hashBytes } from '../../../src/cbor/index.ts';
import type { CborValue } from '../../../src/cbor/index.ts';
import { BLOB_ADAPTER_ID_DEFAULT, BlobAdapter, LLM_ADAPTER_ID_DEFAULT, LlmAdapter } from '../../../src/adapters/index.ts';
import type { Adapter, AdapterIntent, AdapterOutcome } from '../../../src/adapters/index.ts';
import { builtinRegistry } from '../../../src/agent/tool-catalog.ts';
import { expectEqual } from '../../../scripts/ladder-kit.ts';
import type { LadderDriver, LadderWorld } from '../../../scripts/ladder-kit.ts';

const WORKFLOW = 'aos.agent/SessionWorkflow@1';
const INGRESS = 'aos.agent/SessionIngress@1';
const SESSION = '33333333-3333-3333-3333-333333333333';
const HOST_SESSION = 'hs-seed';
const HOST = 'adapter.host.fake';
const INTROSPECT = 'adapter.introspect.fake';
const WORKSPACE = 'adapter.workspace.fake';
const ROOT = (digit: string): string => `sha256:${digit.repeat(64)}`;
const ENCODER = new TextEncoder();
const META = { journal_height: 1, snapshot_hash: null, manifest_hash: ROOT('0') };
const TOOL_IDS = [
  'host.session.open', 'host.fs.write_file', 'host.fs.exists', 'host.fs.read_file', 'host.fs.list_dir', 'host.exec',
  'introspect.manifest', 'introspect.workflow_state', 'workspace.inspect', 'workspace.list', 'workspace.read', 'workspace.apply', 'workspace.commit', 'workspace.diff',
];
const CALLS = [
  'call-write_file', 'call-exists', 'call-read_file', 'call-list_dir', 'call-inspect_world', 'call-inspect_workflow_state', 'call-inspect_workflow_cells',
  'call-workspace_inspect', 'call-workspace_list_all', 'call-workspace_list_docs', 'call-workspace_read', 'call-workspace_apply', 'call-workspace_commit', 'call-workspace_diff', 'call-shell',
];
const EXPECTED_KINDS = [
  'host.exec', 'host.fs.exists', 'host.fs.list_dir', 'host.fs.read_file', 'host.fs.write_file', 'introspect.list_cells', 'introspect.manifest', 'introspect.workflow_state',
  'workspace.diff', 'workspace.empty_root', 'workspace.list', 'workspace.read_bytes', 'workspace.read_ref', 'workspace.resolve', 'workspace.write_ref',
];
const ROUNDS_MAX = 64;

type Params = Record<string, CborValue>;

/** An adapter for several effect kinds whose answers (and params checks) the driver writes. */
class FakeAdapter implements Adapter {
  readonly kinds: readonly string[];
  readonly seen: Array<{ kind: string; params: Params }> = [];
  constructor(readonly id: string, kinds: readonly string[], private readonly answer: (kind: string, params: Params) => CborValue) {
    this.kinds = kinds.map((kind) => `sys/${kind}@1`);
  }
  async execute(intent: AdapterIntent): Promise<AdapterOutcome> {
    const kind = intent.effect_kind.replace(/^sys\//, '').replace(/@1$/, '');
    const params = intent.params as Params;
    this.seen.push({ kind, params });
    return { status: 'ok', payload: this.answer(kind, params) };
  }
}

function expectParams(kind: string, params: Params, expected: Params): void {
  expectEqual(params, expected, `the ${kind} params`);
}

function hostAnswer(kind: string, params: Params): CborValue {
  expectEqual(params['session_id'], HOST_SESSION, `${kind} carries the host session id`);
  const text = (value: string): CborValue => ({ $tag: 'inline_text', $value: { text: value } });
  switch (kind) {
    case 'host.fs.write_file':
      expectParams(kind, params, { session_id: HOST_SESSION, path: 'notes/hello.txt', content: { $tag: 'inline_text', $value: { text: 'hello from agent-tools' } }, create_parents: true, mode: null });
      return { status: 'ok', written_bytes: 22, created: true, new_mtime_ns: 1, error_code: null };
    case 'host.fs.exists':
      expectParams(kind, params, { session_id: HOST_SESSION, path: 'notes/hello.txt' });
      return { status: 'ok', exists: true, error_code: null };
    case 'host.fs.read_file':
      expectParams(kind, params, { session_id: HOST_SESSION, path: 'notes/hello.txt', offset_bytes: null, max_bytes: null, encoding: null, output_mode: null });
      return { status: 'ok', content: text('hello from agent-tools'), truncated: false, size_bytes: 22, mtime_ns: 1, error_code: null, error_message: null };
    case 'host.fs.list_dir':
      expectParams(kind, params, { session_id: HOST_SESSION, path: 'notes', max_results: null, output_mode: null });
      return { status: 'ok', entries: text('hello.txt'), count: 1, truncated: false, error_code: null, summary_text: null };
    case 'host.exec':
      expectParams(kind, params, { session_id: HOST_SESSION, argv: ['echo', 'agent-tools'], cwd: null, timeout_ns: null, env_patch: null, stdin_ref: null, output_mode: null });
      return { exit_code: 0, status: 'ok', stdout: text('agent-tools\n'), stderr: null, started_at_ns: 1, ended_at_ns: 2, error_code: null, error_message: null };
    default:
      throw new Error(`the host fake got ${kind}`);
  }
}

function introspectAnswer(kind: string, params: Params): CborValue {
  switch (kind) {
    case 'introspect.manifest':
      expectParams(kind, params, { consistency: 'head' });
      return { manifest: new Uint8Array([0xa0]), meta: META };
    case 'introspect.workflow_state':
      expectParams(kind, params, { workflow: WORKFLOW, key: null, consistency: 'head' });
      return { state: null, meta: META };
    case 'introspect.list_cells':
      if (params['workflow'] !== WORKFLOW && params['workflow'] !== 'sys/Workspace@1') throw new Error(`list_cells of ${String(params['workflow'])}`);
      return { cells: [], meta: META };
    default:
      throw new Error(`the introspect fake got ${kind}`);
  }
}

function workspaceAnswer(blobs: { textRef: string }) {
  return (kind: string, params: Params): CborValue => {
    switch (kind) {
      case 'workspace.resolve': {
        const known: Record<string, CborValue> = {
          alpha: { exists: true, resolved_version: 3, head: 3, root_hash: ROOT('a') },
          beta: { exists: true, resolved_version: 1, head: 1, root_hash: ROOT('b') },
          draft: { exists: false, resolved_version: null, head: null, root_hash: null },
        };
        const answer = known[String(params['workspace'])];
        if (answer === undefined || params['version'] !== null) throw new Error(`resolve of ${JSON.stringify(params)}`);
        return answer;
      }
      case 'workspace.empty_root':
        expectParams(kind, params, { workspace: 'draft' });
        return { root_hash: ROOT('c') };
      case 'workspace.list':
        expectParams(kind, params, { root_hash: ROOT('a'), path: 'docs', scope: null, cursor: null, limit: 200 });
        return { entries: [{ path: 'docs/readme.txt', kind: 'file', hash: ROOT('f'), size: 12, mode: 420 }], next_cursor: null };
      case 'workspace.read_ref':
        expectParams(kind, params, { root_hash: ROOT('a'), path: 'docs/readme.txt' });
        return { kind: 'file', hash: ROOT('f'), size: 12, mode: 420 };
      case 'workspace.read_bytes':
        expectParams(kind, params, { root_hash: ROOT('a'), path: 'docs/readme.txt', range: null });
        return ENCODER.encode('hello, docs\n');
      case 'workspace.write_ref':
        if (params['path'] === 'draft.txt') {
          expectParams(kind, params, { root_hash: ROOT('c'), path: 'draft.txt', blob_hash: blobs.textRef, mode: null });
          return { new_root_hash: ROOT('d'), blob_hash: blobs.textRef };
        }
        expectParams(kind, params, { root_hash: ROOT('d'), path: 'linked.bin', blob_hash: ROOT('9'), mode: null });
        return { new_root_hash: ROOT('e'), blob_hash: ROOT('9') };
      case 'workspace.diff':
        expectParams(kind, params, { root_a: ROOT('a'), root_b: ROOT('b'), prefix: null });
        return { changes: [{ path: 'docs/readme.txt', kind: 'modified', old_hash: ROOT('f'), new_hash: ROOT('1') }] };
      default:
        throw new Error(`the workspace fake got ${kind}`);
    }
  };
}

function send(world: LadderWorld, at: number, ingress: CborValue): void {
  const records = world.send(INGRESS, { session_id: SESSION, observed_at_ns: at, ingress });
  const fault = records.find((record) => record.body.kind === 'workflow_fault')?.body;
  if (fault?.kind === 'workflow_fault') throw new Error(`ingress ${JSON.stringify((ingress as { $tag: string }).$tag)} faulted: ${fault.failure.message}`);
}

/** The raw (canonical lens) session state. */
function rawState(world: LadderWorld): Record<string, CborValue> {
  const bytes = world.world.state(WORKFLOW, world.world.view.modules.get(WORKFLOW) === undefined ? null : keyBytes(world));
  if (bytes === null) throw new Error('the session has no cell');
  return decodeCanonical(bytes) as Record<string, CborValue>;
}

function keyBytes(world: LadderWorld): Uint8Array {
  const cell = world.world.cells(WORKFLOW)[0];
  if (cell?.key === undefined || cell.key === null) throw new Error('the session has no keyed cell');
  return cell.key;
}

function tagOf(value: CborValue): string {
  return (value as { $tag: string }).$tag;
}

export const driver: LadderDriver = {
  slug: '23-agent-tools',
  world: 'worlds/ladder/23-agent-tools',
  adapterKeys: [BLOB_ADAPTER_ID_DEFAULT, LLM_ADAPTER_ID_DEFAULT, HOST, INTROSPECT, WORKSPACE],
  async run(world) {
    const draftText = ENCODER.encode('draft from agent-tools');
    const host = new FakeAdapter(HOST, ['host.fs.write_file', 'host.fs.exists', 'host.fs.read_file', 'host.fs.list_dir', 'host.exec'], hostAnswer);
    const introspect = new FakeAdapter(INTROSPECT, ['introspect.manifest', 'introspect.workflow_state', 'introspect.list_cells'], introspectAnswer);
    const workspace = new FakeAdapter(WORKSPACE, ['workspace.resolve', 'workspace.empty_root', 'workspace.list', 'workspace.read_ref', 'workspace.read_bytes', 'workspace.write_ref', 'workspace.diff'], workspaceAnswer({ textRef: hashBytes(draftText) }));
    const llm = new LlmAdapter({ providers: { 'openai-responses': { kind: 'scripted', scriptPath: join(world.dir, 'llm-script.json') } } });
    const executor = world.executor([{ adapter: new BlobAdapter() }, { adapter: llm }, { adapter: host }, { adapter: introspect }, { adapter: workspace }]);

    send(world, 1, { $tag: 'HostSessionUpdated', $value: { host_session_id: HOST_SESSION, host_session_status: { $tag: 'Ready' } } });
    const full = builtinRegistry();
    const registry = Object.fromEntries(TOOL_IDS.map((id) => [id, full[id]]));
    send(world, 2, { $tag: 'ToolRegistrySet', $value: { registry: registry as unknown as CborValue, profiles: { 'smoke-host': TOOL_IDS }, default_profile: 'smoke-host' } });
    const input = world.world.cas.put(ENCODER.encode(JSON.stringify({ role: 'user', content: 'Run the scripted host tool validation flow.' })));
    send(world, 3, {
      $tag: 'RunRequested',
      $value: { input_ref: input, run_overrides: { provider: 'openai-responses', model: 'gpt-5.2', reasoning_effort: null, max_tokens: 512, default_prompt_refs: null, default_tool_profile: 'smoke-host', default_tool_enable: null, default_tool_disable: null, default_tool_force: null } },
    });

    for (let round = 0; round < ROUNDS_MAX && tagOf(rawState(world)['lifecycle'] ?? null) === 'Running'; round += 1) {
      executor.dispatch();
      await executor.idle();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await world.until('the run waits for input', () => tagOf(rawState(world)['lifecycle'] ?? null) !== 'Running' && world.world.openIntents().size === 0);
    expectEqual(executor.problems.map((problem) => problem.message), [], 'the executor settled every intent');

    const state = rawState(world);
    expectEqual(tagOf(state['lifecycle'] ?? null), 'WaitingInput', 'the run answered and waits for input');
    const batch = state['active_tool_batch'] as { plan: { execution_plan: { groups: string[][] } }; call_status: Record<string, CborValue>; llm_results: Record<string, { is_error: boolean; output_json: string }> };
    expectEqual(Object.keys(batch.call_status).sort(), [...CALLS].sort(), 'the batch holds the 15 calls');
    expectEqual(Object.entries(batch.call_status).filter(([, status]) => tagOf(status) !== 'Succeeded').map(([id]) => [id, batch.llm_results[id]?.output_json]), [], 'all 15 calls Succeeded');
    expectEqual(batch.plan.execution_plan.groups, [CALLS.slice(0, 11), ['call-workspace_apply'], ['call-workspace_commit'], ['call-workspace_diff'], ['call-shell']], 'the execution groups');

    const intents = world.records(0, 'effect_intent').flatMap((record) => (record.body.kind === 'effect_intent' ? [record.body.effect_kind] : []));
    const toolKinds = [...new Set(intents.filter((kind) => !kind.startsWith('blob.') && kind !== 'llm.generate'))].sort();
    expectEqual(toolKinds, EXPECTED_KINDS, 'exactly the expected effect kinds (no host.session.open, no workspace.write_bytes)');
    expectEqual(intents.filter((kind) => kind === 'llm.generate').length, 2, 'exactly 2 LLM turns');
    expectEqual([host.seen.length, introspect.seen.length, workspace.seen.length], [5, 4, 12], 'the fakes answered 5 host, 4 introspect and 12 workspace effects (resolve 5, empty_root, list, read_ref, read_bytes, write_ref 2, diff)');

    expectEqual(world.state('sys/Workspace@1', 'draft'), { latest: 1, versions: [[1, { root_hash: ROOT('e'), owner: 'agent', created_at: '1970-01-01T00:00:00.000000003Z' }]] },
      'workspace_commit committed draft at version 1 through sys/Workspace@1 (created_at: the RunRequested\'s observed_at_ns, 3)');

    const transcript = (state['conversation_message_refs'] as string[]).map((ref) => JSON.parse(new TextDecoder().decode(world.world.cas.get(ref as never))) as Record<string, unknown>);
    expectEqual(transcript.length, 1 + 1 + 15 + 1, 'the transcript: input, the assistant\'s calls, 15 results, the final answer');
    expectEqual((transcript[1]?.['tool_calls'] as unknown[]).length, 15, 'the assistant message lists the 15 calls');
    expectEqual(transcript.slice(2, 17).map((message) => [message['call_id'], message['is_error']]), CALLS.map((id) => [id, false]), 'one result per call, in call order, none an error');
    expectEqual(transcript[17], { role: 'assistant', content: 'Tools complete: 15 calls, all succeeded.' }, 'the final answer in the transcript');

    send(world, 4, { $tag: 'RunCompleted' });
    const done = rawState(world);
    expectEqual([tagOf(done['lifecycle'] ?? null), done['active_run_id'], done['active_run_config']], ['Completed', null, null], 'RunCompleted: Completed, the run cleared');
    expectEqual(world.world.cells(WORKFLOW).length, 1, 'one session cell');
    expectEqual(world.verifyReceiptSignatures() > 0, true, 'every receipt verifies against the world\'s trusted keys');
  },
};
