// Goal: a secret a world uses reaches the service that needs it and no byte the world keeps or
// prints: not the journal (SQLite file, WAL, shared memory), not the CAS, not a receipt, not a
// snapshot, not stdout/stderr, not an executor problem; also when a model repeats the key back.
// Method: the secret-scan fixture world (test/fixtures/worlds/secret-scan) runs four
// fetch-then-generate chains end to end, through the real HTTP adapter (a loopback server) and
// the real LLM adapter (the openai SDK against the loopback fake LLM server). Each llm.generate
// takes its key from another source: a secret ref in the params to a defsecret bound to the
// node's environment, to the root's .env, or to the vault; or no ref, so the provider's
// configured apiKeySecret names it (that reply echoes the key, as a careless model might). The
// fake server records the bearer token of each request, so the test fails if a key never
// arrives. Then every file under the world root, the captured stdout/stderr and the executor's
// problems are scanned for each key's UTF-8, UTF-16, hex and base64 forms (secret-scan.ts), once
// live and once after reopen and replay. The first test checks that the scan finds each form.
// sys/HttpRequestParams@1 headers are text, with no secret ref arm: an http.request cannot
// carry a secret without journaling it, so the secrets here travel on llm.generate only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeCanonical } from '../../src/cbor/index.ts';
import type { Hash } from '../../src/cbor/index.ts';
import { HTTP_ADAPTER_ID_DEFAULT, HttpAdapter, LLM_ADAPTER_ID_DEFAULT, LlmAdapter } from '../../src/adapters/index.ts';
import { NodeSecrets } from '../../src/node/index.ts';
import type { EffectExecutor } from '../../src/node/index.ts';
import { Vault } from '../../src/node/vault.ts';
import { LadderWorld, LoopbackServer } from '../../scripts/ladder-kit.ts';
import { FakeLlmServer } from '../support/fake-llm-server.ts';
import { secretFindingsUnder, secretForms, secretFormsIn } from '../support/secret-scan.ts';

const FIXTURE = join(import.meta.dirname, '../fixtures/worlds/secret-scan');
const WORKFLOW = 'demo/SecretFetch@1';
const EVENT = 'demo/SecretFetchEvent@1';
const DOCUMENT = 'A document to summarize; it holds no secret.';
/** Rounds of dispatch-then-idle a chain gets to settle (it has two effects). */
const SETTLE_ROUNDS_MAX = 20;

/** One chain: where its key comes from, the Start's api_key alias (null: the provider's configured secret), and the key. */
interface Chain { readonly source: string; readonly alias: string | null; readonly key: string }
const CHAINS: readonly Chain[] = [
  { source: 'environment', alias: 'scan/env_key', key: 'sk-scan-env-7c4e1a9b2d8f43e6a5b0c1d2e3f4a5b6' },
  { source: '.env', alias: 'scan/dotenv_key', key: 'sk-scan-dotenv-0b9a8c7d6e5f4a3b2c1d0e9f8a7b6c5d' },
  { source: 'vault', alias: 'scan/vault_key', key: 'sk-scan-vault-5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b' },
  { source: 'provider configuration', alias: null, key: 'sk-scan-provider-1f2e3d4c5b6a79880a1b2c3d4e5f6a7b' },
];

/** Tees everything written to stdout and stderr until `stop` is called. */
function captureOutput(): { stop: () => Buffer } {
  const chunks: Buffer[] = [];
  const streams = [process.stdout, process.stderr];
  const originals = streams.map((stream) => stream.write);
  for (const [index, stream] of streams.entries()) {
    const original = originals[index];
    assert.ok(original !== undefined);
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
      chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk));
      return (original as (...args: unknown[]) => boolean).call(stream, chunk, ...rest);
    }) as typeof stream.write;
  }
  return {
    stop: () => {
      streams.forEach((stream, index) => { stream.write = originals[index] ?? stream.write; });
      return Buffer.concat(chunks);
    },
  };
}

async function settle(world: LadderWorld, executor: EffectExecutor, what: string): Promise<void> {
  const done = (): boolean => world.world.openIntents().size === 0 && (world.state(WORKFLOW) as { phase: string }).phase === 'idle';
  for (let round = 0; round < SETTLE_ROUNDS_MAX && !done(); round += 1) {
    executor.dispatch();
    await executor.idle();
    await new Promise((resolve) => setImmediate(resolve));
  }
  await world.until(what, done);
}

/** Every key in no file under the world root (the .env file, the dotenv key's own source, aside) and not in `output`. */
function assertNoKeyLeaked(world: LadderWorld, output: Uint8Array, when: string): void {
  for (const chain of CHAINS) {
    const except = chain.source === '.env' ? ['.env'] : [];
    assert.deepEqual(secretFindingsUnder(world.dir, chain.key, except), [], `${when}: the ${chain.source} key in the world folder`);
    assert.deepEqual(secretFormsIn(output, chain.key), [], `${when}: the ${chain.source} key in stdout/stderr`);
  }
}

test('the scan finds a secret in every form it looks for, at any offset, and nothing in clean bytes', () => {
  const secret = CHAINS[0]?.key ?? '';
  for (const { form, needle } of secretForms(secret)) {
    assert.ok(secretFormsIn(Buffer.concat([Buffer.from('prefix '), needle, Buffer.from(' suffix')]), secret).includes(form), `the ${form} form`);
  }
  for (let offset = 0; offset < 6; offset += 1) {
    const surrounded = Buffer.concat([Buffer.alloc(offset, 0x41), Buffer.from(secret), Buffer.from('tail')]);
    for (const encoding of ['base64', 'base64url', 'hex'] as const) {
      assert.notDeepEqual(secretFormsIn(surrounded.toString(encoding), secret), [], `${encoding} after ${offset} other bytes`);
    }
  }
  assert.deepEqual(secretFormsIn(Buffer.from(CHAINS[1]?.key ?? ''), secret), [], 'another key is not this one');
  assert.throws(() => secretForms('short'), /at least 12 characters/);
});

test('secrets from the environment, .env, the vault and the provider configuration reach the LLM server and no byte of the world or its output', async () => {
  const world = await LadderWorld.start(FIXTURE, [HTTP_ADAPTER_ID_DEFAULT, LLM_ADAPTER_ID_DEFAULT]);
  const server = await LoopbackServer.start(() => ({ status: 200, headers: { 'content-type': 'text/plain' }, body: DOCUMENT }));
  const fake = await FakeLlmServer.start();
  const output = captureOutput();
  let captured: Buffer | undefined;
  try {
    const key = (source: string): string => CHAINS.find((chain) => chain.source === source)?.key ?? '';
    writeFileSync(join(world.dir, '.env'), `AOS_SCAN_DOTENV_KEY=${key('.env')}\n`);
    new Vault(world.dir, { env: {} }).put('scan/llm_key', new TextEncoder().encode(key('vault')));
    const secrets = new NodeSecrets({
      root: world.dir, secrets: [...world.world.view.authority.secrets.values()],
      env: { AOS_SCAN_ENV_KEY: key('environment'), AOS_SCAN_PROVIDER_KEY: key('provider configuration') },
    });
    const llm = new LlmAdapter({ providers: { fake: { kind: 'openai-chat', baseUrl: fake.openAiBaseUrl, apiKeySecret: 'scan/provider_key@1' } } });
    const executor = world.executor([{ adapter: new HttpAdapter() }, { adapter: llm }], { secrets });

    for (const chain of CHAINS) {
      const echoed = chain.alias === null ? ` (called with ${chain.key})` : '';
      fake.reply({ kind: 'text', text: `A summary${echoed}.`, usage: { prompt: 9, completion: 4 } });
      world.send(EVENT, { Start: { url: `${server.origin}/doc.txt`, api_key: chain.alias } });
      await settle(world, executor, `the ${chain.source} chain`);
    }
    assert.deepEqual(executor.problems, []);
    assert.deepEqual(fake.requests.map((request) => request.headers.authorization), CHAINS.map((chain) => `Bearer ${chain.key}`), 'each chain\'s key reached the LLM server');
    assert.equal(server.requests.length, CHAINS.length);

    const intents = world.records(0, 'effect_intent').flatMap((record) => (record.body.kind === 'effect_intent' && record.body.effect_kind === 'llm.generate' ? [record.body] : []));
    assert.deepEqual(intents.map((intent) => (decodeCanonical(intent.params) as { api_key: unknown }).api_key),
      CHAINS.map((chain) => (chain.alias === null ? null : { $tag: 'secret', $value: { alias: chain.alias, version: 1 } })), 'the journal holds refs, never values');
    const receipts = world.records(0, 'effect_receipt').filter((record) => record.body.kind === 'effect_receipt' && record.body.adapter_id === LLM_ADAPTER_ID_DEFAULT);
    assert.deepEqual(receipts.map((record) => (record.body.kind === 'effect_receipt' ? record.body.status : '')), CHAINS.map(() => 'ok'));
    const outputs = (world.state(WORKFLOW) as { outputs: string[] }).outputs;
    const echoedOutput = new TextDecoder().decode(world.world.cas.get(outputs[CHAINS.length - 1] as Hash) ?? new Uint8Array());
    assert.equal(echoedOutput, JSON.stringify({ assistant_text: 'A summary (called with [redacted]).' }), 'the key the model repeated is redacted in the output the CAS keeps');
    assert.equal(world.verifyReceiptSignatures(), 2 * CHAINS.length);

    assertNoKeyLeaked(world, Buffer.from(JSON.stringify(executor.problems)), 'live');
    await world.replayOrDie();
    captured = output.stop();
    assertNoKeyLeaked(world, captured, 'after reopen and replay');
  } finally {
    captured ??= output.stop();
    await fake.close();
    await server.close();
    world.close();
  }
});
