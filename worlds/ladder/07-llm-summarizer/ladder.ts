// Ladder 07 (upstream smoke fixture 07-llm-summarizer): Start{url} fetches a document with
// http.request; its body becomes the one message of an llm.generate (provider "mock", model
// "mock-summarizer", max_tokens 512); the llm receipt makes the workflow Done with the summary's
// output_ref and the token counts. Upstream mocks both replies and checks one request, an llm
// intent, last_summary set, and replay. We run both effects for real:
// - the HTTP adapter against a loopback server (the grant's host is 127.0.0.1 instead of
//   example.com);
// - the LLM adapter, through the official openai SDK over real HTTP, against the loopback fake
//   LLM server (test/support/fake-llm-server.ts). The intent's provider stays "mock": provider
//   names are the node's to map, and this driver maps "mock" to an openai-chat provider whose
//   base URL is the fake server's, so the AIR and module keep upstream's params.
// - The provider's API key is a defsecret (llm/mock_api@1, bound to env:AOS_LADDER_MOCK_LLM_API_KEY,
//   allowed for cap_llm) that the node resolves at execution from the environment the driver
//   gives it: the module's api_key stays null, as upstream's.
// AIR changes: the http grant's host (above), and the defsecret (air/secrets.air.json, listed in
// the manifest's secrets).
// Also checked: the requests both servers got (the GET; the chat completion's model, message,
// max_tokens, temperature and the key as a bearer token), the journal's shape (each effect decided
// by its own grant and policy rule, then settled before the next), the llm params upstream's module
// sends, the receipt payload (output_ref naming the output envelope with the fake's summary in the
// CAS, raw_output_ref the fake's exact response, token usage 120/42/162, provider_id), the final
// state (tokens from the reply), Start while busy ignored, a snapshot mid-run, both receipts
// ed25519-signed, no fault or open work; the key's bytes (UTF-8, UTF-16, hex, base64) nowhere in
// the world folder (journal and WAL, CAS, snapshots); and, in two fresh worlds whose cap_llm
// grant is narrowed (models {other-model}; max_tokens 256), the module's llm.generate denied by
// the grant (model_not_allowed; max_tokens_exceeded) before the fake LLM server hears anything.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeCanonical, hashBytes } from '../../../src/cbor/index.ts';
import type { Hash } from '../../../src/cbor/index.ts';
import { HTTP_ADAPTER_ID_DEFAULT, HttpAdapter, LLM_ADAPTER_ID_DEFAULT, LlmAdapter } from '../../../src/adapters/index.ts';
import { NodeSecrets } from '../../../src/node/index.ts';
import type { EffectExecutor } from '../../../src/node/index.ts';
import type { SealedRecord } from '../../../src/kernel/index.ts';
import { expectEqual, kindsOf, LadderWorld, LoopbackServer } from '../../../scripts/ladder-kit.ts';
import type { LadderDriver, LoopbackReply, LoopbackRequest } from '../../../scripts/ladder-kit.ts';
import { FakeLlmServer } from '../../../test/support/fake-llm-server.ts';
import { secretFindingsUnder } from '../../../test/support/secret-scan.ts';

const WORKFLOW = 'demo/LlmSummarizer@1';
const EVENT = 'demo/LlmSummarizerEvent@1';
const WORLD = import.meta.dirname;
const DECIDED = ['cap_decision', 'policy_decision', 'effect_intent'];
/** Upstream's two-sentence document. */
const DOCUMENT = 'AOS keeps workflows and workflows separate. Summaries should be deterministic so reviewers can trust the replay path.';
const SUMMARY = 'Workflows stay separate, and deterministic summaries keep the replay path trustworthy.';
/** Upstream's token counts. */
const USAGE = { prompt: 120, completion: 42 } as const;
const API_KEY_SECRET = 'llm/mock_api@1';
const API_KEY_VARIABLE = 'AOS_LADDER_MOCK_LLM_API_KEY';
const ENCODER = new TextEncoder();
/**
 * The key the node resolves; the fake server must receive it, and no byte of the world folder
 * may hold it. Derived, so that not even this source (copied into the world folder) holds it.
 */
const API_KEY = `sk-ladder07-${hashBytes(ENCODER.encode('ladder 07 mock provider key')).slice('sha256:'.length, 'sha256:'.length + 40)}`;
/** Rounds of dispatch-then-idle before a run must be settled: one per effect in the chain, and a margin. */
const SETTLE_ROUNDS_MAX = 20;

const DOCUMENT_REF = hashBytes(ENCODER.encode(DOCUMENT));

function story(request: LoopbackRequest): LoopbackReply {
  if (request.path !== '/story.txt') return { status: 404, headers: { 'content-type': 'text/plain' }, body: 'not found' };
  return { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: DOCUMENT };
}

/** The executor both runs use: http, and the LLM adapter with provider "mock" at the fake server, its key from the defsecret. */
function startExecutor(world: LadderWorld, fake: FakeLlmServer): EffectExecutor {
  const secrets = new NodeSecrets({ root: world.dir, secrets: [...world.world.view.authority.secrets.values()], env: { [API_KEY_VARIABLE]: API_KEY } });
  const llm = new LlmAdapter({ providers: { mock: { kind: 'openai-chat', baseUrl: fake.openAiBaseUrl, apiKeySecret: API_KEY_SECRET } } });
  return world.executor([{ adapter: new HttpAdapter() }, { adapter: llm }], { secrets });
}

/** Dispatches and waits for the executor until `done` holds (each receipt may open the next effect). */
async function settle(world: LadderWorld, executor: EffectExecutor, what: string, done: () => boolean): Promise<void> {
  for (let round = 0; round < SETTLE_ROUNDS_MAX && !done(); round += 1) {
    executor.dispatch();
    await executor.idle();
    await new Promise((resolve) => setImmediate(resolve));
  }
  await world.until(what, done);
}

function pcOf(world: LadderWorld): string {
  return (world.state(WORKFLOW) as { pc: string } | null)?.pc ?? 'none';
}

/** The decisions and intent of one effect: its grant allows it, the policy rule `rule` allows it. */
function checkDecided(records: readonly SealedRecord[], grant: string, rule: number, effectKind: string): { intentHash: Hash; params: unknown } {
  const [cap, policy, intent] = records.map((record) => record.body);
  if (cap?.kind !== 'cap_decision' || policy?.kind !== 'policy_decision' || intent?.kind !== 'effect_intent') throw new Error(`expected ${DECIDED.join(', ')}, got ${kindsOf(records).join(', ')}`);
  expectEqual([cap.grant, cap.decision, cap.intent_hash], [grant, 'allow', intent.intent_hash], `the ${effectKind} cap decision`);
  expectEqual([policy.policy, policy.rule_index, policy.decision], ['demo/llm-policy@1', rule, 'allow'], `the ${effectKind} policy decision`);
  expectEqual([intent.effect_kind, intent.grant], [effectKind, grant], `the ${effectKind} intent`);
  return { intentHash: intent.intent_hash, params: decodeCanonical(intent.params) };
}

/** The llm.generate params upstream's module sends (temperature is dec128 0: tag 2000 around its BID bytes). */
function expectedLlmParams(): unknown {
  return {
    correlation_id: null, provider: 'mock', model: 'mock-summarizer', message_refs: [DOCUMENT_REF],
    runtime: {
      temperature: { tag: 2000, value: new Uint8Array([0x30, 0x40, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]) }, top_p: null, max_tokens: 512, tool_refs: null, tool_choice: null,
      reasoning_effort: null, stop_sequences: null, metadata: null, provider_options_ref: null, response_format_ref: null,
    },
    api_key: null,
  };
}

/** The receipt of the llm intent: ok from the LLM adapter; output_ref names the summary's envelope; usage from the reply. */
function checkLlmReceipt(world: LadderWorld, record: SealedRecord | undefined, intentHash: Hash, fake: FakeLlmServer): Hash {
  const receipt = record?.body;
  if (receipt?.kind !== 'effect_receipt') throw new Error('the llm intent has no receipt');
  expectEqual([receipt.intent_hash, receipt.adapter_id, receipt.status, receipt.usage], [intentHash, LLM_ADAPTER_ID_DEFAULT, 'ok', { prompt_tokens: 120, completion_tokens: 42 }], 'the llm receipt');
  const payload = decodeCanonical(receipt.payload) as { output_ref: Hash; raw_output_ref: Hash; token_usage: unknown; finish_reason: unknown; cost_cents: unknown; provider_id: unknown };
  expectEqual([payload.token_usage, payload.finish_reason, payload.cost_cents, payload.provider_id], [{ prompt: 120, completion: 42, total: 162 }, { reason: 'stop', raw: 'stop' }, null, 'mock'], 'the llm receipt payload');
  const envelope = world.world.cas.get(payload.output_ref);
  expectEqual(new TextDecoder().decode(envelope ?? new Uint8Array()), JSON.stringify({ assistant_text: SUMMARY }), 'output_ref names the output envelope holding the fake server\'s summary, in the CAS');
  expectEqual(new TextDecoder().decode(world.world.cas.get(payload.raw_output_ref) ?? new Uint8Array()), fake.responses[0], 'raw_output_ref names the fake server\'s response byte for byte');
  return payload.output_ref;
}

async function summarizeRun(world: LadderWorld, server: LoopbackServer, fake: FakeLlmServer): Promise<void> {
  const executor = startExecutor(world, fake);
  fake.reply({ kind: 'text', text: SUMMARY, usage: USAGE, id: 'chatcmpl-ladder07' });
  const started = world.send(EVENT, { Start: { url: `${server.origin}/story.txt` } });
  expectEqual(kindsOf(started), ['domain_event', ...DECIDED], 'Start journals the event, the decisions, then http.request');
  const fetch = checkDecided(started.slice(1), 'cap_http_fetch', 0, 'http.request');
  expectEqual(fetch.params, { method: 'GET', url: `${server.origin}/story.txt`, headers: {}, body_ref: null }, 'the http params');
  expectEqual(kindsOf(world.send(EVENT, { Start: { url: `${server.origin}/other` } })), ['domain_event'], 'Start while Fetching emits nothing');
  world.snapshot();
  const from = world.world.head.height;
  await settle(world, executor, 'the summary', () => pcOf(world) === 'Done' && world.world.openIntents().size === 0);

  const chain = world.records(from);
  expectEqual(kindsOf(chain), ['effect_receipt', ...DECIDED, 'effect_receipt'], 'the fetch\'s receipt opens the llm.generate, whose receipt settles the chain');
  expectEqual([chain[0]?.body.kind === 'effect_receipt' ? [chain[0].body.intent_hash, chain[0].body.status] : []], [[fetch.intentHash, 'ok']], 'the fetch settles ok');
  const generate = checkDecided(chain.slice(1, 4), 'cap_llm', 1, 'llm.generate');
  expectEqual(generate.params, expectedLlmParams(), 'the llm.generate params (upstream\'s)');
  expectEqual(world.world.cas.get(DOCUMENT_REF), ENCODER.encode(DOCUMENT), 'the fetched document in the CAS under the message ref');
  const summary = checkLlmReceipt(world, chain[4], generate.intentHash, fake);

  expectEqual([server.requests.length, server.requests[0]?.method, server.requests[0]?.path], [1, 'GET', '/story.txt'], 'exactly one request collected (upstream\'s check)');
  const asked = fake.requests[0];
  expectEqual([fake.requests.length, asked?.method, asked?.path, asked?.headers.authorization], [1, 'POST', '/v1/chat/completions', `Bearer ${API_KEY}`], 'one chat completion, carrying the key from the defsecret');
  expectEqual([asked?.body?.['model'], asked?.body?.['messages'], asked?.body?.['max_tokens'], asked?.body?.['temperature']], ['mock-summarizer', [{ role: 'user', content: DOCUMENT }], 512, 0], 'the chat completion asks for the grant\'s model with the document as the message');
  expectEqual(world.state(WORKFLOW), { pc: 'Done', next_request_id: 1, pending_request: null, last_summary: summary, last_tokens_prompt: 120, last_tokens_completion: 42, last_cost_millis: 0 }, 'final state (upstream\'s expect, with our summary\'s ref)');

  expectEqual(world.verifyReceiptSignatures(), 2, 'both receipts verify against the world\'s trusted http and llm keys');
  expectEqual([world.records(0, 'workflow_fault').length, world.records(0, 'receipt_rejected').length, world.world.openIntents().size, executor.problems.length], [0, 0, 0, 0], 'no fault, rejection or open work');
  expectEqual(secretFindingsUnder(world.dir, API_KEY), [], 'the API key in no byte of the world folder');
}

/** A fresh world whose cap_llm grant is narrowed: the module's llm.generate is denied by the grant with `code`. */
async function narrowedRun(server: LoopbackServer, fake: FakeLlmServer, grant: { models: string[]; max_tokens: number }, code: string): Promise<void> {
  const source = mkdtempSync(join(tmpdir(), 'aos-ladder-07-'));
  let world: LadderWorld | undefined;
  try {
    cpSync(WORLD, source, { recursive: true, filter: (path) => !path.includes(join(WORLD, '.aos')) });
    const file = join(source, 'air', 'manifest.air.json');
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as { defaults: { cap_grants: Array<{ name: string; params: unknown }> } };
    const llmGrant = manifest.defaults.cap_grants.find((candidate) => candidate.name === 'cap_llm');
    if (llmGrant === undefined) throw new Error('the manifest has no cap_llm grant');
    llmGrant.params = { record: { models: { set: grant.models.map((text) => ({ text })) }, max_tokens: { nat: grant.max_tokens } } };
    writeFileSync(file, JSON.stringify(manifest, null, 2));
    world = await LadderWorld.start(source, [HTTP_ADAPTER_ID_DEFAULT, LLM_ADAPTER_ID_DEFAULT]);
    const executor = startExecutor(world, fake);
    const asked = fake.requests.length;
    world.send(EVENT, { Start: { url: `${server.origin}/story.txt` } });
    const from = world.world.head.height;
    const narrowed = world;
    await settle(narrowed, executor, 'the fetch', () => narrowed.world.openIntents().size === 0);
    const records = world.records(from);
    expectEqual(kindsOf(records), ['effect_receipt', 'cap_decision', 'workflow_fault'], `${code}: the fetch's receipt makes the module emit llm.generate, which the grant denies`);
    const cap = records[1]?.body;
    expectEqual(cap?.kind === 'cap_decision' ? [cap.grant, cap.effect_kind, cap.decision, cap.code] : [], ['cap_llm', 'llm.generate', 'deny', code], `${code}: the cap decision`);
    expectEqual([pcOf(world), fake.requests.length - asked, executor.problems.length], ['Fetching', 0, 0], `${code}: the denied step changed no state, and the LLM server heard nothing`);
    await world.replayOrDie();
  } finally {
    world?.close();
    rmSync(source, { recursive: true, force: true });
  }
}

export const driver: LadderDriver = {
  slug: '07-llm-summarizer',
  world: 'worlds/ladder/07-llm-summarizer',
  adapterKeys: [HTTP_ADAPTER_ID_DEFAULT, LLM_ADAPTER_ID_DEFAULT],
  async run(world) {
    const server = await LoopbackServer.start(story);
    const fake = await FakeLlmServer.start();
    try {
      await summarizeRun(world, server, fake);
      await narrowedRun(server, fake, { models: ['other-model'], max_tokens: 2048 }, 'model_not_allowed');
      await narrowedRun(server, fake, { models: ['mock-summarizer'], max_tokens: 256 }, 'max_tokens_exceeded');
    } finally {
      await fake.close();
      await server.close();
    }
  },
};
