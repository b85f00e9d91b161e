// The agent smoke of the live lane (upstream smokes 20-chat-live and 22-agent-live, on our
// Demiurge world): a task whose answer needs two files read, then a follow-up question in the
// same session, each through the node's routes (real blob, host and LLM adapters, the API key
// from the world's defsecret), ending with replay-or-die. agent-live.test.ts runs it against the
// real provider when its key is set, and always against the loopback fake LLM server (the same
// code, the provider's base URL pointed at the fake), so the live path is exercised without a key.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LlmAdapter } from '../../src/adapters/llm/llm-adapter.ts';
import type { LlmProviderOptions } from '../../src/adapters/llm/llm-options.ts';
import { loadSigner, NodeSecrets } from '../../src/node/index.ts';
import type { ExecutorRoute } from '../../src/node/index.ts';
import { LLM_ADAPTER_ID, LLM_API_KEY_SECRETS, nodeRoutes } from '../../src/node/node-effects.ts';
import { DemiurgeWorld, taskConfig } from '../support/demiurge-task.ts';
import type { SessionMessage } from '../support/demiurge-task.ts';

export type SmokeProviderName = keyof typeof LLM_API_KEY_SECRETS;

/** A provider the smoke can run on: the world's provider name, a model its LLM grant allows, and the variable holding the key. */
export interface SmokeProvider {
  readonly name: SmokeProviderName;
  readonly model: string;
  readonly keyVariable: 'OPENAI_API_KEY' | 'ANTHROPIC_API_KEY';
}

/** Models from the Demiurge LLM grant (worlds/demiurge/air/manifest.air.json); AOS_LIVE_OPENAI_MODEL / AOS_LIVE_ANTHROPIC_MODEL pick another allowed one. */
export const SMOKE_PROVIDERS: Readonly<Record<SmokeProviderName, SmokeProvider>> = Object.freeze({
  'openai-responses': { name: 'openai-responses', model: process.env['AOS_LIVE_OPENAI_MODEL'] ?? 'gpt-5-mini', keyVariable: 'OPENAI_API_KEY' },
  anthropic: { name: 'anthropic', model: process.env['AOS_LIVE_ANTHROPIC_MODEL'] ?? 'claude-sonnet-4-5', keyVariable: 'ANTHROPIC_API_KEY' },
});

/** The two numbers the task's files hold, their sum (the answer) and three times it (the follow-up's answer). */
export const SMOKE_NUMBERS = Object.freeze({ a: 4817, b: 5293, sum: 10110, tripled: 30330 });
export const SMOKE_TASK = 'The work dir holds two files, a.txt and b.txt, each holding one whole number. Read both files with your tools (do not guess), then reply with the sum of the two numbers and nothing else.';
export const SMOKE_FOLLOW_UP = 'Now multiply that sum by 3. Reply with the result and nothing else.';
const TASK_ID = '71111111-2222-3333-4444-555555555555';
/** Tokens a turn may use: room for a reasoning model's thinking before its short answer. */
const SMOKE_MAX_TOKENS = 4096;
/** The follow-up's observed_at_ns: after every ingress timestamp Demiurge gave the task (it counts up from the task's). */
const FOLLOW_UP_OBSERVED_AT_NS = 1_000_000;

export interface SmokeRun {
  /** Tool calls the model made in the task's run, by tool name, in order. */
  readonly toolCalls: string[];
  /** Tool results that were errors. */
  readonly toolErrors: number;
  readonly answer: string;
  readonly followUp: string;
  /** The session's lifecycle after the follow-up (WaitingInput: it answered). */
  readonly lifecycle: string;
  readonly replay: { heights: number; snapshots: number };
}

/** Where the smoke's LLM calls go: the provider's own API (null), or a loopback base URL. */
export interface SmokeTarget {
  readonly baseUrl: string | null;
  /** The environment the world's secrets resolve from; default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** The node's routes; for a loopback target, its LLM route is the same adapter with the provider's base URL replaced. */
function smokeRoutes(demiurge: DemiurgeWorld, provider: SmokeProvider, target: SmokeTarget): ExecutorRoute[] {
  const routes = nodeRoutes(demiurge.world);
  if (target.baseUrl === null) return routes;
  const options: LlmProviderOptions = { kind: provider.name, apiKeySecret: LLM_API_KEY_SECRETS[provider.name], baseUrl: target.baseUrl };
  const llm = new LlmAdapter({ id: LLM_ADAPTER_ID, providers: { [provider.name]: options } });
  return [...routes.filter((route) => route.adapter.id !== LLM_ADAPTER_ID), { adapter: llm, signer: loadSigner(demiurge.root, LLM_ADAPTER_ID) }];
}

function lastAnswer(transcript: readonly SessionMessage[]): string {
  const last = transcript.at(-1);
  return last?.role === 'assistant' && typeof last.content === 'string' ? last.content : '';
}

/** Runs the smoke; throws with the reason when the task or the follow-up does not finish. */
export async function runAgentSmoke(provider: SmokeProvider, target: SmokeTarget): Promise<SmokeRun> {
  const demiurge = await DemiurgeWorld.create();
  try {
    writeFileSync(join(demiurge.workdir, 'a.txt'), `${SMOKE_NUMBERS.a}\n`);
    writeFileSync(join(demiurge.workdir, 'b.txt'), `${SMOKE_NUMBERS.b}\n`);
    const routes = smokeRoutes(demiurge, provider, target);
    const secrets = new NodeSecrets({ root: demiurge.root, secrets: [...demiurge.world.view.authority.secrets.values()], ...(target.env === undefined ? {} : { env: target.env }) });

    demiurge.submit(TASK_ID, SMOKE_TASK, taskConfig(provider.name, provider.model, { max_tokens: SMOKE_MAX_TOKENS }));
    const problems = await demiurge.settle(routes, { secrets });
    if (problems.length > 0) throw new Error(`the executor could not settle the task: ${problems.join('; ')}`);
    const finished = demiurge.finished(TASK_ID);
    if (finished.length !== 1 || finished[0]?.['status'] !== 'Succeeded') throw new Error(`the task did not succeed: ${JSON.stringify(finished)}`);
    const transcript = demiurge.transcript(TASK_ID);
    const calls = transcript.flatMap((message) => message.tool_calls ?? []);
    const results = transcript.filter((message) => message.type === 'function_call_output');
    const answer = lastAnswer(transcript);

    demiurge.followUp(TASK_ID, SMOKE_FOLLOW_UP, { provider: provider.name, model: provider.model, maxTokens: SMOKE_MAX_TOKENS }, FOLLOW_UP_OBSERVED_AT_NS);
    const followProblems = await demiurge.settle(routes, { secrets });
    if (followProblems.length > 0) throw new Error(`the executor could not settle the follow-up: ${followProblems.join('; ')}`);
    const after = demiurge.transcript(TASK_ID);
    const lifecycle = (demiurge.session(TASK_ID)['lifecycle'] as { $tag: string }).$tag;
    const followUp = after.length > transcript.length ? lastAnswer(after) : '';

    const replay = await demiurge.replayOrDie();
    return { toolCalls: calls.map((call) => call.name), toolErrors: results.filter((result) => result.is_error === true).length, answer, followUp, lifecycle, replay };
  } finally {
    demiurge.close();
  }
}

/** Whether `text` names `value`, written with or without thousands separators ("10,110", "10 110"). */
export function mentions(text: string, value: number): boolean {
  return text.replace(/(\d)[,.\s\u00a0\u202f](?=\d{3}(?!\d))/g, '$1').includes(String(value));
}
