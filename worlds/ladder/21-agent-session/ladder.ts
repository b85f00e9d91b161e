// Ladder 21 (upstream smoke fixture 21-agent-session): aos.agent/SessionWorkflow@1, the agent
// session AgentOS ships (src/agent), keyed by session id, under upstream's AIR: air/ is the
// fixture's, plus two schema refs its manifest leaves out (aos.agent/SharedPendingBlobGet@1 and
// …Put@1, which the session state refers to: upstream's loader merged every imported def, ours
// keeps what the manifest lists); agent-air/ is upstream's agent AIR, imported by aos.sync.json.
// No adapter answers anything: each run's first effect is the auto-open host.session.open (the
// default openai profile lists host tools), and it stays open.
// Upstream's checks: a RunRequested with an empty provider or model is refused and leaves the state
// unchanged; run 1 → Cancel → Cancelled with the run cleared; run 2 (anthropic) → RunCompleted →
// Completed, the run cleared, next_run_seq 2, updated_at 4; one keyed cell; replay.
// Upstream's validation checks were vacuous (its refusals fired for "run already active"); ours
// run on an idle session, where only the provider/model check can refuse, and check the code.
// Also checked: the auto-open's params and grant, the lifecycle events the session emits, the
// transcript kept across the runs, and the cancelled run's late work ignored.
import { decodeCanonical } from '../../../src/cbor/index.ts';
import { expectEqual } from '../../../scripts/ladder-kit.ts';
import type { LadderDriver, LadderWorld } from '../../../scripts/ladder-kit.ts';

const WORKFLOW = 'aos.agent/SessionWorkflow@1';
const INGRESS = 'aos.agent/SessionIngress@1';
const SESSION = '11111111-1111-1111-1111-111111111111';
const INPUT = `sha256:${'a'.repeat(64)}`;
const PROMPT = `sha256:${'e'.repeat(64)}`;

type Json = Record<string, unknown>;

function runRequested(provider: string, model: string): Json {
  return {
    $tag: 'RunRequested',
    $value: {
      input_ref: INPUT,
      run_overrides: {
        provider, model, reasoning_effort: null, max_tokens: 512, default_prompt_refs: [PROMPT], default_tool_profile: null,
        default_tool_enable: ['host.session.open'], default_tool_disable: null, default_tool_force: null,
      },
    },
  };
}

function send(world: LadderWorld, at: number, ingress: Json): ReturnType<LadderWorld['send']> {
  return world.send(INGRESS, { session_id: SESSION, observed_at_ns: at, ingress });
}

function session(world: LadderWorld): Json {
  const state = world.state(WORKFLOW, SESSION) as Json | null;
  if (state === null) throw new Error('the session has no cell');
  return state;
}

/** A variant in the sugar lens: "Tag" for a unit arm, {"Tag": value} otherwise. */
function tagOf(value: unknown): string {
  return typeof value === 'string' ? value : Object.keys(value as Json)[0] ?? '';
}

function faultCode(records: ReturnType<LadderWorld['send']>): string | null {
  const fault = records.find((record) => record.body.kind === 'workflow_fault')?.body;
  return fault?.kind === 'workflow_fault' ? `${fault.failure.kind}:${fault.failure.code ?? ''}` : null;
}

async function validation(world: LadderWorld): Promise<void> {
  send(world, 1, { $tag: 'Noop', $value: null });
  const baseline = JSON.stringify(session(world));
  expectEqual(tagOf(session(world)['lifecycle']), 'Idle', 'a Noop ingress opens an idle session');
  for (const [at, provider, model, code] of [[2, '', 'gpt-5.2', 'missing_provider'], [3, 'openai', '', 'missing_model']] as const) {
    const records = send(world, at, runRequested(provider, model));
    expectEqual(faultCode(records), `failed:${code}`, `RunRequested(${JSON.stringify(provider)}, ${JSON.stringify(model)}) on an idle session is refused`);
    expectEqual(JSON.stringify(session(world)), baseline, `the refused RunRequested(${JSON.stringify(provider)}, ${JSON.stringify(model)}) leaves the state as it was`);
  }
}

async function main(world: LadderWorld): Promise<void> {
  const first = send(world, 1, runRequested('openai', 'gpt-5.2'));
  let state = session(world);
  expectEqual(tagOf(state['lifecycle']), 'Running', 'run 1 is running');
  const intents = first.flatMap((record) => (record.body.kind === 'effect_intent' ? [record.body] : []));
  expectEqual(intents.map((intent) => [intent.effect_kind, intent.grant]), [['host.session.open', 'host']], 'run 1\'s first effect: the auto-open, under the host grant');
  expectEqual(decodeCanonical(intents[0]?.params ?? new Uint8Array()), { target: { $tag: 'local', $value: { mounts: null, workdir: null, env: null, network_mode: 'none' } }, session_ttl_ns: null, labels: null }, 'the auto-open params');

  send(world, 2, { $tag: 'HostCommandReceived', $value: { command_id: 'cmd-cancel', issued_at: 2, command: { $tag: 'Cancel', $value: { reason: 'operator stop' } } } });
  state = session(world);
  expectEqual([tagOf(state['lifecycle']), state['active_run_id'], state['active_run_config']], ['Cancelled', null, null], 'Cancel: Cancelled, the run cleared');

  send(world, 3, runRequested('anthropic', 'claude-sonnet-4-5'));
  state = session(world);
  const config = state['active_run_config'] as Json;
  expectEqual([tagOf(state['lifecycle']), config['provider'], config['model']], ['Running', 'anthropic', 'claude-sonnet-4-5'], 'run 2 runs with the anthropic config');
  expectEqual((state['effective_tools'] as Json)['profile_id'], 'anthropic', 'run 2 offers the anthropic profile');

  send(world, 4, { $tag: 'RunCompleted' });
  state = session(world);
  expectEqual([tagOf(state['lifecycle']), state['active_run_id'], state['active_run_config'], state['next_run_seq'], state['updated_at']], ['Completed', null, null, 2, '1970-01-01T00:00:00.000000004Z'], 'RunCompleted: Completed, the run cleared, next_run_seq 2, updated_at 4 (ns; time in the sugar lens)');
  expectEqual(state['conversation_message_refs'], [INPUT, INPUT], 'the transcript outlives the runs: both inputs');

  const changes = world.records(0, 'domain_event').flatMap((record) => {
    if (record.body.kind !== 'domain_event' || record.body.schema !== 'aos.agent/SessionLifecycleChanged@1') return [];
    const value = decodeCanonical(record.body.value) as { from: { $tag: string }; to: { $tag: string }; run_id: { run_seq: number } | null };
    return [[value.from.$tag, value.to.$tag, value.run_id?.run_seq ?? null]];
  });
  expectEqual(changes, [['Idle', 'Running', 1], ['Running', 'Cancelled', 1], ['Cancelled', 'Running', 2], ['Running', 'Completed', 2]], 'the lifecycle events');
  expectEqual(world.cells(WORKFLOW).length, 1, 'a single keyed cell');
}

export const driver: LadderDriver = {
  slug: '21-agent-session',
  world: 'worlds/ladder/21-agent-session',
  async run(world) {
    await validation(world);
    await world.replayOrDie();
    // The main scenario in a fresh world of the same AIR, as upstream runs two worlds.
    const { LadderWorld: Ladder } = await import('../../../scripts/ladder-kit.ts');
    const fresh = await Ladder.start(import.meta.dirname);
    try {
      await main(fresh);
      await fresh.replayOrDie();
    } finally {
      fresh.close();
    }
  },
};
