// Goal: an agent evolves its own world (worlds/examples/evolving-agent; DESIGN §8, §10). Driven by
// the scripted provider, aos.agent/SessionWorkflow@1 writes a workflow module in its host work
// dir, bundles it (build_module → host.build_module: the bundle lands in the CAS, its hash
// returned), proposes a patch that adds it and routes the session's lifecycle events to it
// (propose_change → introspect.manifest for the base, then governance.propose under the
// agent's governance grant), reads the shadow report (shadow_change), and asks a human to
// approve (request_approval: a journaled ApprovalRequested event; the agent holds no principal
// key). A human principal approves through the node's governance API (gov_subject → sign →
// gov_decide: what `aos gov approve` does against a node). In a second run the agent applies
// the change (apply_change → governance.apply, its own intent exempt from quiescence); in a
// third it reads the new workflow's state, which logged its runs. Replay-or-die at the end.
// Also: a module that does not bundle is an error result with esbuild's message; an import that
// leaves the work dir is refused; a proposal the grant does not allow is denied.
// Method: the example world staged with the shared agent AIR (worlds/demiurge/agent-air) on the
// embedded default with the ladder kit; real blob, LLM (scripted), host, host.build_module and
// internal (introspect, governance) adapters; the script template rendered with the module's
// hash (bundled here the same way), the routing pre_hash and the module's source.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createPrivateKey } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeCanonical } from '../../src/cbor/index.ts';
import type { CborValue, Hash } from '../../src/cbor/index.ts';
import { sectionHash } from '../../src/air/index.ts';
import { BLOB_ADAPTER_ID_DEFAULT, BlobAdapter } from '../../src/adapters/blob-adapter.ts';
import { HostBuildAdapter } from '../../src/adapters/host/build-module.ts';
import { HOST_ADAPTER_ID_DEFAULT, HostAdapter } from '../../src/adapters/host/host-adapter.ts';
import { bundleInWorkdir } from '../../src/adapters/host/module-bundler.ts';
import { KERNEL_ADAPTER_ID } from '../../src/adapters/kernel-adapter-id.ts';
import { LLM_ADAPTER_ID_DEFAULT, LlmAdapter } from '../../src/adapters/llm/index.ts';
import { governanceRegistry, GOVERNANCE_TOOL_IDS } from '../../src/agent/governance-tools.ts';
import { builtinRegistry } from '../../src/agent/tool-catalog.ts';
import { ApprovalSigner } from '../../src/node/index.ts';
import { governanceOp } from '../../src/node/governance-ops.ts';
import { internalAdapters } from '../../src/node/internal-effects.ts';
import type { EffectExecutor } from '../../src/node/index.ts';
import type { GovernanceSigningFields } from '../../src/kernel/index.ts';
import { LadderWorld } from '../../scripts/ladder-kit.ts';
import { ROOT } from '../support/kernel-fixture.ts';

const WORLD = join(ROOT, 'worlds/examples/evolving-agent');
const AGENT_AIR = join(ROOT, 'worlds/demiurge/agent-air');
const WORKFLOW = 'aos.agent/SessionWorkflow@1';
const SESSION = '44444444-4444-4444-8444-444444444444';
const RUN_LOG = 'evo/RunLog@1';
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const ENCODER = new TextEncoder();
/** Executor rounds one run may take (each settles what is open): far more than the script's turns need. */
const ROUNDS_MAX = 200;
/** The tools the agent is offered: files, the build, reading the world, and the governance tools. */
const TOOL_IDS = ['host.fs.write_file', 'host.fs.read_file', 'introspect.workflow_state', ...GOVERNANCE_TOOL_IDS];

/** The human principal of the example's approval policy (its key derives from a published seed: an example, not a secret). */
function human(): ApprovalSigner {
  const seed = Buffer.alloc(32, 0);
  Buffer.from('aos example evolving-agent human').copy(seed);
  return new ApprovalSigner('human', createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' }));
}

/** The example world with the shared agent AIR beside it (the ladder kit copies one folder). */
function staged(): string {
  const dir = mkdtempSync(join(tmpdir(), 'aos-evolving-'));
  cpSync(WORLD, dir, { recursive: true });
  cpSync(AGENT_AIR, join(dir, 'agent-air'), { recursive: true });
  writeFileSync(join(dir, 'aos.sync.json'), `${JSON.stringify({ air: { imports: [{ dir: 'agent-air' }] }, build: { modules: {} } })}\n`);
  return dir;
}

/** The module's hash as build_module will report it: the same source bundled the same way elsewhere. */
async function moduleHash(): Promise<Hash> {
  const dir = mkdtempSync(join(tmpdir(), 'aos-evolving-build-'));
  try {
    cpSync(join(WORLD, 'agent-work/run-log.ts'), join(dir, 'run-log.ts'));
    const bundled = await bundleInWorkdir(dir, join(dir, 'run-log.ts'));
    assert.ok(bundled.ok, `the example module bundles: ${bundled.ok ? '' : bundled.messages.join('; ')}`);
    return bundled.hash;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The script template with its placeholders filled; written into the world folder. */
function renderScript(world: LadderWorld, fills: Readonly<Record<string, string>>, replies?: unknown[]): string {
  const template = { replies: replies ?? (JSON.parse(readFileSync(join(WORLD, 'llm-script.template.json'), 'utf8')) as { replies: unknown[] }).replies };
  const fill = (value: unknown): unknown => {
    if (typeof value === 'string') {
      const match = /^\{\{(.+)\}\}$/.exec(value);
      if (match === null) return value;
      const filled = fills[match[1] ?? ''];
      assert.ok(filled !== undefined, `the test fills placeholder ${value}`);
      return filled;
    }
    if (Array.isArray(value)) return value.map(fill);
    if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, fill(item)]));
    return value;
  };
  const path = join(world.dir, 'llm-script.json');
  writeFileSync(path, JSON.stringify({ replies: fill(template.replies) }));
  return path;
}

interface Session {
  readonly world: LadderWorld;
  readonly executor: EffectExecutor;
  readonly workRoot: string;
}

async function start(fills: (world: LadderWorld) => Promise<Record<string, string>>, replies?: unknown[]): Promise<Session> {
  const source = staged();
  try {
    const world = await LadderWorld.start(source, [BLOB_ADAPTER_ID_DEFAULT, LLM_ADAPTER_ID_DEFAULT, HOST_ADAPTER_ID_DEFAULT, KERNEL_ADAPTER_ID]);
    const workRoot = join(world.dir, 'work');
    mkdirSync(workRoot);
    const script = renderScript(world, await fills(world), replies);
    const host = new HostAdapter({ roots: [workRoot] });
    const llm = new LlmAdapter({ providers: { scripted: { kind: 'scripted', scriptPath: script } } });
    const executor = world.executor([
      { adapter: new BlobAdapter() }, { adapter: llm }, { adapter: new HostBuildAdapter(host) },
      ...internalAdapters(world.world).map((adapter) => ({ adapter })),
    ]);
    return { world, executor, workRoot };
  } finally {
    rmSync(source, { recursive: true, force: true });
  }
}

function send(world: LadderWorld, at: number, ingress: CborValue): void {
  const records = world.send('aos.agent/SessionIngress@1', { session_id: SESSION, observed_at_ns: at, ingress });
  const fault = records.find((record) => record.body.kind === 'workflow_fault')?.body;
  if (fault?.kind === 'workflow_fault') throw new Error(`ingress ${(ingress as { $tag: string }).$tag} faulted: ${fault.failure.message}`);
}

function rawState(world: LadderWorld): Record<string, CborValue> {
  const cell = world.world.cells(WORKFLOW)[0];
  assert.ok(cell !== undefined && cell.state !== null, 'the session has a cell');
  return decodeCanonical(cell.state) as Record<string, CborValue>;
}

function lifecycle(world: LadderWorld): string {
  return (rawState(world)['lifecycle'] as { $tag: string }).$tag;
}

function registerTools(world: LadderWorld): void {
  const builtin = builtinRegistry();
  const registry = { ...Object.fromEntries(TOOL_IDS.filter((id) => builtin[id] !== undefined).map((id) => [id, builtin[id]])), ...governanceRegistry() };
  send(world, 1, { $tag: 'ToolRegistrySet', $value: { registry: registry as unknown as CborValue, profiles: { evolve: TOOL_IDS }, default_profile: 'evolve' } });
}

/** Starts a run with one user message and drives the executor until the run waits for input. */
async function run(session: Session, at: number, text: string): Promise<void> {
  const { world, executor } = session;
  if (lifecycle(world) === 'WaitingInput') send(world, at - 1, { $tag: 'RunCompleted' });
  const input = world.world.cas.put(ENCODER.encode(JSON.stringify({ role: 'user', content: text })));
  send(world, at, {
    $tag: 'RunRequested',
    $value: { input_ref: input, run_overrides: { provider: 'scripted', model: 'demo-script', reasoning_effort: null, max_tokens: 1024, default_prompt_refs: null, default_tool_profile: 'evolve', default_tool_enable: null, default_tool_disable: null, default_tool_force: null } },
  });
  for (let round = 0; round < ROUNDS_MAX && (lifecycle(world) === 'Running' || world.world.openIntents().size > 0); round += 1) {
    executor.dispatch();
    await executor.idle();
    await new Promise((resolve) => setImmediate(resolve));
  }
  assert.deepEqual(executor.problems.map((problem) => problem.message), [], 'the executor settled every intent');
  assert.equal(lifecycle(world), 'WaitingInput', `run at ${at} answered and waits for input; ${diagnosis(world)}`);
}

/** What went wrong, when a run does not settle: faults, denials, error receipts, open intents, the run's state. */
function diagnosis(world: LadderWorld): string {
  const notes = world.records(0).flatMap((record) => {
    const body = record.body as unknown as Record<string, unknown>;
    if (body['kind'] === 'workflow_fault') return [`fault: ${JSON.stringify(body['failure'])}`];
    if ((body['kind'] === 'policy_decision' || body['kind'] === 'cap_decision') && body['decision'] !== 'allow' && body['allowed'] !== true) return [`${String(body['kind'])}: ${JSON.stringify(body)}`];
    if (body['kind'] === 'effect_receipt' && body['status'] !== 'ok') return [`receipt ${String(body['status'])}: ${JSON.stringify(decodeCanonical(body['payload'] as Uint8Array))}`];
    return [];
  });
  const state = rawState(world);
  return `${notes.join('; ')}; open: ${[...world.world.openIntents().values()].map((intent) => intent.kind).join(',')}; batch: ${JSON.stringify(state['active_tool_batch'] === null ? null : (state['active_tool_batch'] as Record<string, unknown>)['llm_results'])}`;
}

/** The results the model saw this run, by call id: [is_error, the output JSON]. */
function results(world: LadderWorld): Record<string, { is_error: boolean; output: Record<string, unknown> }> {
  const transcript = (rawState(world)['conversation_message_refs'] as string[]).map((ref) => JSON.parse(new TextDecoder().decode(world.world.cas.get(ref as Hash))) as Record<string, unknown>);
  const out: Record<string, { is_error: boolean; output: Record<string, unknown> }> = {};
  for (const message of transcript) {
    if (typeof message['call_id'] === 'string') out[message['call_id']] = { is_error: message['is_error'] === true, output: JSON.parse(String(message['output'])) as Record<string, unknown> };
  }
  return out;
}

function answers(world: LadderWorld): string[] {
  return (rawState(world)['conversation_message_refs'] as string[])
    .map((ref) => JSON.parse(new TextDecoder().decode(world.world.cas.get(ref as Hash))) as Record<string, unknown>)
    .filter((message) => message['role'] === 'assistant' && typeof message['content'] === 'string').map((message) => String(message['content']));
}

test('an agent writes, builds and proposes a workflow; a human approves; the agent applies it and uses it; everything replays', async () => {
  const hash = await moduleHash();
  const session = await start(async (world) => ({
    'file:agent-work/run-log.ts': readFileSync(join(WORLD, 'agent-work/run-log.ts'), 'utf8'),
    'module_hash:evo/RunLog@1': hash,
    routing_pre_hash: sectionHash(world.world.view.manifest, 'routing_events'),
  }));
  const { world } = session;
  try {
    const before = world.world.view.hash;
    registerTools(world);
    await run(session, 10, 'Add a workflow to this world that logs your runs, and use it once it is approved.');

    const first = results(world);
    assert.deepEqual(Object.entries(first).filter(([, result]) => result.is_error).map(([id, result]) => [id, result.output]), [], 'no tool call of run 1 failed');
    const built = first['call-build']?.output['result'] as { status: string; module_hash: string; size_bytes: number };
    assert.deepEqual([built.status, built.module_hash], ['ok', hash], 'build_module returns the bundle\'s hash');
    assert.ok(world.world.cas.has(hash as Hash), 'the bundle is in the world\'s CAS');
    const proposed = first['call-propose']?.output['result'] as { proposal_id: number; base_manifest_hash: string };
    assert.deepEqual([proposed.proposal_id, proposed.base_manifest_hash], [0, before], 'propose_change read the base manifest itself');
    const shadow = first['call-shadow']?.output['result'] as { proposal_id: number; module_effect_allowlists: Array<{ module: string }>; ledger_deltas: unknown[] };
    assert.ok(shadow.module_effect_allowlists.some((entry) => entry.module === RUN_LOG), 'the shadow report shows the candidate with the new module');
    assert.deepEqual(shadow.ledger_deltas, [], 'the shadow report shows no capability or policy change');
    const requested = world.records(0, 'domain_event').filter((record) => record.body.kind === 'domain_event' && record.body.schema === 'aos.agent/ApprovalRequested@1');
    assert.equal(requested.length, 1, 'request_approval journaled an ApprovalRequested event');
    const [proposal] = world.world.proposals();
    assert.deepEqual([proposal?.status, proposal?.author], ['shadowed', `workflow:${WORKFLOW}`], 'the proposal waits for a human');
    assert.equal(world.world.view.hash, before, 'nothing is applied before approval');

    // The human approves as `aos gov approve` does against a node: the node says what to sign, the key signs.
    const signer = human();
    const fields = governanceOp(world.world, 'gov_subject', { proposal_id: 0, decision: 'approve' }, () => {}) as GovernanceSigningFields;
    const signed = signer.signGovernance(fields);
    governanceOp(world.world, 'gov_decide', { proposal_id: 0, decision: 'approve', principal: signed.principal, signature_b64: Buffer.from(signed.signature).toString('base64') }, () => {});
    assert.deepEqual([world.world.proposals()[0]?.status, world.world.proposals()[0]?.approvers], ['approved', [signer.keyId]], 'approved by the human principal\'s key');
    assert.ok(!(world.world.view.modules.get(WORKFLOW)?.abi.workflow?.effects_emitted ?? []).includes('governance.approve'), 'the agent cannot even ask to approve');

    await run(session, 20, 'Proposal 0 was approved. Apply it.');
    const applied = results(world)['call-apply'];
    assert.equal(applied?.is_error, false, `apply_change succeeded: ${JSON.stringify(applied?.output)}`);
    assert.notEqual(world.world.view.hash, before, 'the world runs the new manifest');
    assert.ok(world.world.view.modules.has(RUN_LOG), 'the agent\'s module is in the manifest');
    assert.equal((applied?.output['result'] as { manifest_hash_new: string }).manifest_hash_new, world.world.view.hash);

    await run(session, 30, 'What does your run log say?');
    const inspected = results(world)['call-inspect'];
    assert.equal(inspected?.is_error, false, `inspect_workflow succeeded: ${JSON.stringify(inspected?.output)}`);
    // The model reads the state as JSON, not as CBOR hex.
    const logged = (inspected?.output['result'] as { state: { runs_started: number; runs_ended: number; last_output_ref: string | null } }).state;
    assert.deepEqual([logged.runs_started, logged.runs_ended], [1, 1], 'the run log saw run 2 end and run 3 start (it did not exist before)');
    assert.deepEqual(world.state(RUN_LOG), { runs_started: 1, runs_ended: 2, last_output_ref: rawState(world)['last_output_ref'] }, 'run 3 has ended since the model read the log, and the log saw that too');
    assert.equal(answers(world).at(-1), 'My run log has recorded the run that applied it, and this one has started.');

    assert.ok(world.verifyReceiptSignatures() > 0, 'every receipt verifies');
    world.snapshot();
    const head = world.world.head;
    const replayed = await world.replayOrDie();
    assert.equal(replayed.heights, head.height, 'the whole evolution replays');
  } finally {
    world.close();
    rmSync(session.workRoot, { recursive: true, force: true });
  }
});

test('the model reads why a build or a proposal failed: esbuild\'s message, the world\'s refusal', async () => {
  const replies = [
    { match: { correlation_id: 'run-1-turn-1' }, tool_calls: [
      { id: 'call-write', name: 'write_file', arguments: { path: 'broken.ts', text: 'export const x = ;\n' } },
      { id: 'call-build', name: 'build_module', arguments: { path: 'broken.ts', module: 'evo/Broken@1' } },
    ] },
    { match: { correlation_id: 'run-1-turn-2' }, tool_calls: [
      { id: 'call-propose', name: 'propose_change', arguments: { patches: [{ set_routing_events: { pre_hash: `sha256:${'0'.repeat(64)}`, subscriptions: [] } }], description: 'drop every route' } },
    ] },
    { match: { correlation_id: 'run-1-turn-3' }, text: 'The module does not parse, and the world refused the stale routing change; nothing was proposed.' },
  ];
  const session = await start(async () => ({}), replies);
  const { world } = session;
  try {
    registerTools(world);
    await run(session, 10, 'Try it.');
    const seen = results(world);
    const build = seen['call-build'];
    assert.equal(build?.is_error, true);
    const receipt = build?.output['result'] as { error_code: string; error_message: string };
    assert.equal(receipt.error_code, 'build_failed');
    assert.match(receipt.error_message, /module evo\/Broken@1 \(broken\.ts\) does not bundle:\nbroken\.ts:1: Unexpected ";"/);
    const propose = seen['call-propose'];
    assert.equal(propose?.is_error, true);
    // The refusal names the current pre_hash: a live model can rebase and propose again.
    assert.match(String(propose?.output['detail']), /the governance\.propose step of propose_change settled error: sys\/governance\.propose@1: proposal 0 is rejected: its patch does not compile[^]*STALE_PRE_HASH[^]*pre_hash sha256:0{64} does not match the current routing events \(sha256:[0-9a-f]{64}\)/);
    assert.deepEqual(world.world.proposals().map((proposal) => proposal.status), ['rejected'], 'the world journaled the rejected proposal, and nothing else');
    assert.equal(answers(world).at(-1), 'The module does not parse, and the world refused the stale routing change; nothing was proposed.');
    const replayed = await world.replayOrDie();
    assert.ok(replayed.heights > 0);
  } finally {
    world.close();
    rmSync(session.workRoot, { recursive: true, force: true });
  }
});
