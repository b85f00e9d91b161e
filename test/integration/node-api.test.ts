// Goal: the local node's control API serves a world as the CLI does: events acknowledged once
// durable, state and cells, journal pages and a live server-sent tail, receipts of effects the
// node executed on its own; writes need the bearer token (none or a wrong one → 401, reads stay
// open on loopback); bad input is a 400 naming the field; the token never reaches the log.
// Method: a NodeHost over copies of the counter and runner worlds, its fastify app driven with
// inject() and then over a real loopback socket with fetch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { buildWorld, writeModuleHashes } from '../../src/cli/build/index.ts';
import { EmbeddedWorld, generateKey } from '../../src/node/index.ts';
import { NodeHost } from '../../src/node/node-host.ts';
import { buildApi } from '../../src/node/server/app.ts';

const ROOT = join(import.meta.dirname, '../..');
const TOKEN = 'tok-0123456789abcdef-secret';
const auth = { authorization: `Bearer ${TOKEN}` };

async function world(from: string, dir: string, adapterKeys: readonly string[] = []): Promise<void> {
  cpSync(from, dir, { recursive: true, filter: (path) => !path.endsWith('.aos') });
  for (const name of adapterKeys) generateKey(dir, { name, role: 'adapter' });
  writeModuleHashes(dir, (await buildWorld(dir)).modules);
  (await EmbeddedWorld.create(dir)).close();
}

/** A node root whose own folder is the counter world and whose worlds/runner is the runner world. */
async function nodeRoot(): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), 'aos-node-api-'));
  await world(join(ROOT, 'worlds/ladder/00-counter'), root);
  mkdirSync(join(root, 'worlds'));
  await world(join(ROOT, 'test/fixtures/worlds/runner'), join(root, 'worlds/runner'), ['blob.default', 'timer.default']);
  return root;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('the control API with inject(): auth on writes, events, state, cells, journal, effects executed by the node, clear 400s and 404s', async () => {
  const root = await nodeRoot();
  const logged: string[] = [];
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => logged.push(chunk.toString('utf8')));
  const host = new NodeHost(root);
  const app = await buildApi(host, { token: TOKEN, logger: { stream } });
  try {
    const health = await app.inject({ method: 'GET', url: '/health' });
    assert.equal(health.statusCode, 200);
    assert.equal(health.json().service, 'aos-node');
    assert.deepEqual(health.json().root, root);
    assert.deepEqual((await app.inject({ method: 'GET', url: '/worlds' })).json().worlds.map((entry: { id: string }) => entry.id), ['main', 'runner']);

    const event = { schema: 'demo/CounterEvent@1', value: { Start: { target: 2 } } };
    const none = await app.inject({ method: 'POST', url: '/worlds/main/events', payload: event });
    assert.equal(none.statusCode, 401, 'a write without a token is refused');
    assert.match(none.json().error.message, /need its token: no bearer token was sent/);
    const wrong = await app.inject({ method: 'POST', url: '/worlds/main/events', payload: event, headers: { authorization: `Bearer ${TOKEN}x` } });
    assert.equal(wrong.statusCode, 401, 'a wrong token is refused');
    assert.ok(!wrong.body.includes(TOKEN), 'a refusal never echoes a token');
    assert.equal((await app.inject({ method: 'GET', url: '/worlds/main/journal/head' })).json().next_height, 2, 'nothing was journaled by the refused writes');

    const sent = await app.inject({ method: 'POST', url: '/worlds/main/events', payload: event, headers: auth });
    assert.equal(sent.statusCode, 200, sent.body);
    assert.equal(sent.json().height, 2);
    assert.equal(sent.json().records, 1);
    await app.inject({ method: 'POST', url: '/worlds/main/events', payload: { schema: 'demo/CounterEvent@1', value: { $tag: 'Tick' } }, headers: auth });
    const state = await app.inject({ method: 'GET', url: '/worlds/main/state?workflow=demo/CounterSM@1' });
    assert.deepEqual(state.json(), { workflow: 'demo/CounterSM@1', key: null, state: { pc: 'Counting', remaining: 1 } });
    assert.equal((await app.inject({ method: 'GET', url: '/worlds/main/cells?workflow=demo/CounterSM@1' })).json().cells[0].status, 'running');
    const page = (await app.inject({ method: 'GET', url: '/worlds/main/journal?from=1&limit=2' })).json();
    assert.deepEqual(page.records.map((record: { height: number; kind: string }) => [record.height, record.kind]), [[1, 'trusted_keys'], [2, 'domain_event']]);
    assert.equal(page.next_from, 3);
    assert.equal(page.records[1].prev, page.records[0].hash, 'records carry the hash chain');

    // Bad input: a 400 naming the field; unknown world and schema say what exists.
    const missing = await app.inject({ method: 'POST', url: '/worlds/main/events', payload: { schema: 'demo/CounterEvent@1' }, headers: auth });
    assert.equal(missing.statusCode, 400);
    assert.match(missing.json().error.message, /body\.value is required/);
    const badValue = await app.inject({ method: 'POST', url: '/worlds/main/events', payload: { schema: 'demo/CounterEvent@1', value: { Start: { target: 'three' } } }, headers: auth });
    assert.equal(badValue.statusCode, 400);
    assert.match(badValue.json().error.message, /value.*target/);
    const badSchema = await app.inject({ method: 'POST', url: '/worlds/main/events', payload: { schema: 'demo/Nope@1', value: {} }, headers: auth });
    assert.equal(badSchema.statusCode, 400);
    assert.match(badSchema.json().error.hint, /demo\/CounterEvent@1/);
    const badLimit = await app.inject({ method: 'GET', url: '/worlds/main/journal?limit=0' });
    assert.equal(badLimit.statusCode, 400);
    assert.match(badLimit.json().error.message, /querystring\.limit must be >= 1/);
    const nobody = await app.inject({ method: 'GET', url: '/worlds/nobody/journal/head' });
    assert.equal(nobody.statusCode, 404);
    assert.match(nobody.json().error.hint, /its worlds: main, runner/);
    assert.equal((await app.inject({ method: 'POST', url: '/worlds/main/events', payload: '{"schema": ', headers: { ...auth, 'content-type': 'application/json' } })).statusCode, 400, 'malformed JSON');

    // Effects: the runner's blob.put, then the timer its receipt opens, run in the node without being asked.
    const store = await app.inject({ method: 'POST', url: '/worlds/runner/events', payload: { schema: 'test/RunnerOp@1', value: { Store: { bytes: 'aGVsbG8=', then_wait_ns: 1_000_000 } } }, headers: auth });
    assert.equal(store.statusCode, 200, store.body);
    const settled = await until('both receipts', async () => {
      const runner = (await app.inject({ method: 'GET', url: '/worlds/runner/state?workflow=test/Runner@1' })).json() as { state: { settled: string[] } };
      return runner.state.settled.length === 2 ? runner.state.settled : undefined;
    });
    assert.deepEqual(settled, ['blob.put:ok', 'timer.set:ok']);
    const receipts = (await app.inject({ method: 'GET', url: '/worlds/runner/receipts' })).json() as { receipts: Array<{ status: string; signature: string; intent_hash: string }> };
    assert.deepEqual(receipts.receipts.map((receipt) => [receipt.status, receipt.signature]), [['ok', 'verified'], ['ok', 'verified']]);
    assert.equal((await app.inject({ method: 'GET', url: `/worlds/runner/receipts/${receipts.receipts[0]!.intent_hash}` })).json().adapter_id, 'blob.default');

    // CAS round trip; the document lists the routes.
    const put = await app.inject({ method: 'POST', url: '/worlds/runner/cas', payload: Buffer.from('blob bytes'), headers: { ...auth, 'content-type': 'application/octet-stream' } });
    assert.equal(put.statusCode, 200, put.body);
    assert.equal((await app.inject({ method: 'GET', url: `/worlds/runner/cas/${put.json().hash as string}` })).body, 'blob bytes');
    const openapi = (await app.inject({ method: 'GET', url: '/openapi.json' })).json() as { openapi: string; paths: Record<string, Record<string, { security?: unknown }>> };
    assert.equal(openapi.openapi, '3.1.0');
    assert.ok(openapi.paths['/worlds/{id}/events']?.post?.security !== undefined, 'writes are documented as needing the token');
    assert.ok(openapi.paths['/worlds/{id}/journal/stream']?.get !== undefined);
  } finally {
    await app.close();
    await host.close();
    rmSync(root, { recursive: true, force: true });
  }
  const log = logged.join('');
  assert.ok(log.includes('/worlds/main/events'), 'requests are logged');
  assert.ok(!log.includes(TOKEN), 'the token never reaches the log');
});

test('over a real socket: a token-less node takes writes on loopback; the journal stream replays then tails live', async () => {
  const root = await nodeRoot();
  const host = new NodeHost(root);
  const app = await buildApi(host, { token: null });
  try {
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    const controller = new AbortController();
    const response = await fetch(`${url}/worlds/main/journal/stream?from=1`, { signal: controller.signal });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /text\/event-stream/);
    const reader = response.body!.getReader();
    const events: Array<{ id: number; kind: string }> = [];
    let buffered = '';
    const readUntil = async (count: number) => {
      while (events.length < count) {
        const chunk = await reader.read();
        if (chunk.done) throw new Error('the stream ended');
        buffered += new TextDecoder().decode(chunk.value);
        for (let end = buffered.indexOf('\n\n'); end >= 0; end = buffered.indexOf('\n\n')) {
          const block = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          const id = /^id: (\d+)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (id !== undefined && data !== undefined) events.push({ id: Number(id), kind: (JSON.parse(data) as { kind: string }).kind });
        }
      }
    };
    await readUntil(1);
    assert.deepEqual(events, [{ id: 1, kind: 'trusted_keys' }], 'the stream starts at `from`');
    const sent = await fetch(`${url}/worlds/main/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ schema: 'demo/CounterEvent@1', value: { Start: { target: 1 } } }) });
    assert.equal(sent.status, 200, 'no token configured: loopback writes are open');
    await readUntil(2);
    assert.deepEqual(events[1], { id: 2, kind: 'domain_event' }, 'a new record is streamed as it is journaled');
    controller.abort();
  } finally {
    await app.close();
    await host.close();
    rmSync(root, { recursive: true, force: true });
  }
});

test('an exposed node (protectReads) needs the token for reads too; trace, effects, approvals, governance, workspaces and secret bindings answer', async () => {
  const root = await nodeRoot();
  const host = new NodeHost(root);
  const app = await buildApi(host, { token: TOKEN, protectReads: true });
  try {
    assert.equal((await app.inject({ method: 'GET', url: '/worlds' })).statusCode, 401, 'reads need the token when exposed');
    assert.equal((await app.inject({ method: 'GET', url: '/worlds', headers: { authorization: `Basic ${TOKEN}` } })).statusCode, 401, 'only a bearer token counts');
    assert.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200, 'health stays open');
    const sent = await app.inject({ method: 'POST', url: '/worlds/main/events', payload: { schema: 'demo/CounterEvent@1', value_json: '{"Start":{"target":1}}' }, headers: auth });
    assert.equal(sent.statusCode, 200, sent.body);
    const both = await app.inject({ method: 'POST', url: '/worlds/main/events', payload: { schema: 'demo/CounterEvent@1', value: {}, value_json: '{}' }, headers: auth });
    assert.match(both.json().error.message, /value or body\.value_json, not both/);
    const event = (await app.inject({ method: 'GET', url: '/worlds/main/journal?kind=domain_event', headers: auth })).json().records[0] as { body: { event_hash: string } };
    const trace = (await app.inject({ method: 'GET', url: `/worlds/main/trace?event=${event.body.event_hash}`, headers: auth })).json() as { root: { height: number }; nodes: unknown[]; diagnosis: { outcome: string } };
    assert.equal(trace.root.height, 2);
    assert.equal(typeof trace.diagnosis.outcome, 'string');
    const noEvent = await app.inject({ method: 'GET', url: `/worlds/main/trace?event=sha256:${'0'.repeat(64)}`, headers: auth });
    assert.equal(noEvent.statusCode, 400);
    assert.match(noEvent.json().error.message, /no domain event with hash/);
    for (const path of ['effects', 'approvals', 'governance/proposals', 'workspaces']) {
      const answer = await app.inject({ method: 'GET', url: `/worlds/main/${path}`, headers: auth });
      assert.equal(answer.statusCode, 200, `${path}: ${answer.body}`);
    }
    assert.deepEqual((await app.inject({ method: 'GET', url: '/worlds/main/approvals', headers: auth })).json(), { pending: [] });
    const bindings = await app.inject({ method: 'GET', url: '/secrets/bindings', headers: auth });
    assert.equal(bindings.statusCode, 200, bindings.body);
    assert.deepEqual(bindings.json().bindings, []);
  } finally {
    await app.close();
    await host.close();
    rmSync(root, { recursive: true, force: true });
  }
});
