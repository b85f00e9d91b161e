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
import { testPrincipal } from '../support/principal-keys.ts';

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

test('governance through the control API: propose, shadow, decisions signed on the client (forgeries refused), apply, a 409 naming what blocks it', async () => {
  // The governor fixture: principals alice and robot (quorum 2), test/Holder@1 stores blobs. The
  // node holds no blob key here, so a Holder blob.put stays open: the work that blocks an apply.
  const root = mkdtempSync(join(tmpdir(), 'aos-node-gov-'));
  await world(join(ROOT, 'test/fixtures/worlds/governor'), root);
  const host = new NodeHost(root);
  const app = await buildApi(host, { token: TOKEN });
  const alice = testPrincipal('alice');
  const robot = testPrincipal('robot');
  const mallory = testPrincipal('mallory');
  const post = (url: string, payload: unknown, headers: Record<string, string> = auth) => app.inject({ method: 'POST', url, headers, payload: payload as Record<string, unknown> });
  const gov = '/worlds/main/governance';
  /** Signs a decision on the client, as `aos gov approve` does, from the fields the node gives. */
  const signed = async (id: number, signer: ReturnType<typeof testPrincipal>, as = signer) => {
    const fields = await app.inject({ method: 'GET', url: `${gov}/proposals/${id}/signing?decision=approve` });
    assert.equal(fields.statusCode, 200, fields.body);
    const decision = signer.signGovernance({ ...fields.json(), reason: null });
    return { decision: 'approve', principal: as.keyId, signature_b64: Buffer.from(decision.signature).toString('base64') };
  };
  const propose = async (name: string) => {
    const info = await app.inject({ method: 'GET', url: '/worlds/main' });
    const base = info.json().manifest as string;
    const node = { $kind: 'defpolicy', name, rules: [{ when: { origin_kind: 'workflow', origin_name: 'test/Governor@1' }, decision: 'allow' }] };
    return post(`${gov}/proposals`, { document_json: JSON.stringify({ version: '1', base_manifest_hash: base, patches: [{ add_def: { kind: 'defpolicy', node } }] }), description: `add ${name}`, author: 'cli' });
  };
  try {
    const unauthorised = await post(`${gov}/proposals`, { document_json: '{}' }, {});
    assert.equal(unauthorised.statusCode, 401);
    assert.equal((await post(`${gov}/proposals/0/apply`, {}, { authorization: 'Bearer wrong' })).statusCode, 401);
    assert.equal((await post(`${gov}/proposals/0/decisions`, { decision: 'approve', principal: alice.keyId, signature_b64: `${'A'.repeat(86)}==` }, {})).statusCode, 401);

    const proposed = await propose('test/extra@1');
    assert.equal(proposed.statusCode, 200, proposed.body);
    assert.deepEqual([proposed.json().proposal_id, proposed.json().touches], [0, ['defpolicy', 'manifest_refs']]);
    const stale = await post(`${gov}/proposals`, { document_json: JSON.stringify({ version: '1', base_manifest_hash: `sha256:${'1'.repeat(64)}`, patches: [] }) });
    assert.equal(stale.statusCode, 409, 'a patch that does not compile is journaled as rejected and refused');
    assert.equal(stale.json().error.code, 'PROPOSAL_REJECTED');
    assert.equal((await post(`${gov}/proposals`, { document_json: '{}', author: 'workflow:test/Governor@1' })).statusCode, 400, 'the API cannot write a workflow\'s name as author');

    const early = await post(`${gov}/proposals/0/decisions`, await signed(0, alice));
    assert.equal(early.statusCode, 409, 'approvers approve what a shadow run showed');
    assert.match(early.json().error.message, /has not been shadowed yet/);
    const shadowed = await post(`${gov}/proposals/0/shadow`, { inputs: 10 });
    assert.equal(shadowed.statusCode, 200, shadowed.body);
    assert.match(shadowed.json().report_hash, /^sha256:/);
    assert.equal(shadowed.json().report.proposal_id, 0);

    const forged = await post(`${gov}/proposals/0/decisions`, await signed(0, mallory, alice));
    assert.equal(forged.statusCode, 409, 'a signature by another key in alice\'s name is refused');
    assert.equal(forged.json().error.code, 'GOVERNANCE_REFUSED');
    assert.match(forged.json().error.message, /signature that does not verify/);
    const outsider = await post(`${gov}/proposals/0/decisions`, await signed(0, mallory));
    assert.equal(outsider.statusCode, 409);
    assert.match(outsider.json().error.message, /is not a principal of this world's approval_policy/);
    assert.equal((await post(`${gov}/proposals/0/decisions`, { decision: 'approve', principal: alice.keyId, signature_b64: 'AAAA' })).statusCode, 400, 'a signature must be 64 bytes of base64');

    const first = await post(`${gov}/proposals/0/decisions`, await signed(0, alice));
    assert.equal(first.statusCode, 200, first.body);
    assert.deepEqual([first.json().principal, first.json().status], [{ name: 'alice', public_key: alice.keyId }, 'shadowed']);
    assert.match(first.json().missing[0], /needs 2 approval\(s\), it has 1/);
    const second = await post(`${gov}/proposals/0/decisions`, await signed(0, robot));
    assert.equal(second.json().status, 'approved');
    const applied = await post(`${gov}/proposals/0/apply`, {});
    assert.equal(applied.statusCode, 200, applied.body);
    assert.equal(applied.json().manifest_hash, (await app.inject({ method: 'GET', url: '/worlds/main' })).json().manifest);

    // The second change is blocked by the Holder's blob.put, which this node cannot run.
    const more = await propose('test/more@1');
    const id = more.json().proposal_id as number;
    assert.equal(id, 2, 'after 0 (applied) and 1 (rejected: stale base)');
    await post(`${gov}/proposals/${id}/shadow`, {});
    await post(`${gov}/proposals/${id}/decisions`, await signed(id, alice));
    await post(`${gov}/proposals/${id}/decisions`, await signed(id, robot));
    assert.equal((await post('/worlds/main/events', { schema: 'test/HolderEvent@1', value: { Put: 'held' } })).statusCode, 200);
    const intent = (await app.inject({ method: 'GET', url: '/worlds/main/effects' })).json().open[0].intent_hash as string;
    const blocked = await post(`${gov}/proposals/${id}/apply`, {});
    assert.equal(blocked.statusCode, 409);
    assert.equal(blocked.json().error.code, 'APPLY_BLOCKED');
    assert.ok(blocked.json().error.message.includes(`test/Holder@1 waits on 1 intent(s); open intents: blob.put ${intent}`), blocked.json().error.message);
    const shown = await app.inject({ method: 'GET', url: `${gov}/proposals/${id}` });
    assert.deepEqual([shown.json().status, shown.json().blockers.intents.map((entry: { intent_hash: string }) => entry.intent_hash)], ['approved', [intent]]);
    const listed = await app.inject({ method: 'GET', url: `${gov}/summaries` });
    assert.deepEqual(listed.json().proposals.map((row: { status: string }) => row.status), ['applied', 'rejected', 'approved']);
    assert.equal((await app.inject({ method: 'GET', url: `${gov}/proposals/7` })).statusCode, 404);
  } finally {
    await app.close();
    await host.close();
    rmSync(root, { recursive: true, force: true });
  }
});
