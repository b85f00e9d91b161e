// Goal: the routes the CLI's converted commands use answer as those commands need: the world's
// schemas; approvals signed on the client (the node fetches what to sign, admits the signed
// decision, refuses a forgery); the trace walk chosen by hash or correlation, with the CLI's
// refusals as 400s; the workspace registry and pushes (blobs must be in the CAS first); adapter
// key rotation; the audit with its replay. Every write needs the bearer token (401 without it).
// Method: a NodeHost over a counter world (main) and a guarded world with an approval policy
// (worlds/guarded), its fastify app driven with inject().
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildWorld, writeModuleHashes } from '../../src/cli/build/index.ts';
import { EmbeddedWorld, generateKey } from '../../src/node/index.ts';
import { NodeHost } from '../../src/node/node-host.ts';
import { buildApi } from '../../src/node/server/app.ts';
import { testPrincipal } from '../support/principal-keys.ts';

const ROOT = join(import.meta.dirname, '../..');
const TOKEN = 'tok-cli-commands-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };
const ZERO_HASH = `sha256:${'0'.repeat(64)}`;

async function world(from: string, dir: string, edit?: (manifest: Record<string, unknown>) => Record<string, unknown>): Promise<void> {
  cpSync(from, dir, { recursive: true, filter: (path) => !path.endsWith('.aos') });
  generateKey(dir, { name: 'timer', role: 'adapter' });
  if (edit !== undefined) {
    const file = join(dir, 'air/manifest.air.json');
    writeFileSync(file, JSON.stringify(edit(JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>)));
  }
  writeModuleHashes(dir, (await buildWorld(dir)).modules);
  (await EmbeddedWorld.create(dir)).close();
}

test('CLI command routes: schemas, client-signed approvals, trace selection, workspaces, key rotation, audit; writes need the token', async () => {
  const root = mkdtempSync(join(tmpdir(), 'aos-node-api-cli-'));
  const alice = testPrincipal('alice');
  await world(join(ROOT, 'worlds/ladder/00-counter'), root);
  mkdirSync(join(root, 'worlds'));
  await world(join(ROOT, 'test/fixtures/worlds/guarded'), join(root, 'worlds/guarded'), (manifest) => ({ ...manifest, approval_policy: { principals: [{ name: 'alice', public_key: alice.keyId }], quorum: 1 } }));
  const host = new NodeHost(root);
  const app = await buildApi(host, { token: TOKEN });
  const get = (url: string) => app.inject({ method: 'GET', url });
  const post = (url: string, payload: object, headers: Record<string, string> = auth) => app.inject({ method: 'POST', url, payload, headers });
  try {
    const schemas = (await get('/worlds/main/schemas')).json() as { schemas: Array<{ name: string; type: unknown }> };
    assert.ok(schemas.schemas.some((entry) => entry.name === 'demo/CounterEvent@1' && typeof entry.type === 'object'), 'the world\'s schemas, with their types');

    // Approvals: what to sign comes from the node; only the signed decision goes back.
    const guarded = '/worlds/guarded';
    assert.equal((await post(`${guarded}/events`, { schema: 'test/GuardedEvent@1', value: { id: 'a', op: { Wait: 5 } } })).statusCode, 200);
    const [pending] = (await get(`${guarded}/approvals`)).json().pending as Array<{ intent_hash: string }>;
    assert.ok(pending !== undefined);
    const subject = (await get(`${guarded}/approvals/${pending.intent_hash}/subject?decision=approve`)).json();
    assert.deepEqual([subject.intent_hash, subject.decision], [pending.intent_hash, 'approve']);
    assert.match(subject.intent_record, /^sha256:[0-9a-f]{64}$/);
    const signed = alice.sign(subject);
    const decision = { decision: 'approve', principal: signed.principal, signature_b64: Buffer.from(signed.signature).toString('base64') };
    assert.equal((await post(`${guarded}/approvals/${pending.intent_hash}/signed`, decision, {})).statusCode, 401, 'a signed decision still needs the token');
    const forged = await post(`${guarded}/approvals/${pending.intent_hash}/signed`, { ...decision, signature_b64: Buffer.alloc(64, 1).toString('base64') });
    assert.equal(forged.statusCode, 409, forged.body);
    assert.equal(forged.json().error.code, 'APPROVAL_REFUSED');
    const admitted = await post(`${guarded}/approvals/${pending.intent_hash}/signed`, decision);
    assert.equal(admitted.statusCode, 200, admitted.body);
    assert.deepEqual([admitted.json().outcome, admitted.json().quorum], ['approved', 1]);
    assert.equal((await get(`${guarded}/approvals/${pending.intent_hash}/subject?decision=deny`)).statusCode, 409, 'no longer waiting');
    assert.equal((await get(`${guarded}/approvals/${ZERO_HASH}/subject?decision=maybe`)).statusCode, 400, 'the decision is approve or deny');

    // The trace walk, by hash and by correlation; the selection's refusals are 400s with the CLI's codes.
    const events = (await get(`${guarded}/journal?kind=domain_event`)).json().records as Array<{ height: number; body: { event_hash: string } }>;
    const byHash = (await get(`${guarded}/trace/select?event=${events[0]?.body.event_hash}`)).json();
    assert.deepEqual([byHash.root_height, byHash.matches, byHash.truncated], [events[0]?.height, 1, false]);
    assert.ok(byHash.nodes.length > 1 && byHash.edges.length > 0 && typeof byHash.diagnosis.outcome === 'string', 'the graph and its diagnosis');
    const correlated = (await get(`${guarded}/trace/select?${new URLSearchParams({ schema: 'test/GuardedEvent@1', correlate_by: 'id', value: '"a"' })}`)).json();
    assert.equal(correlated.root_height, byHash.root_height);
    for (const [query, code] of [
      [`event=${ZERO_HASH}&schema=test/GuardedEvent@1`, 'AMBIGUOUS_SELECTION'], ['event=nope', 'BAD_OPTION'], ['schema=test/GuardedEvent@1', 'BAD_OPTION'],
      [`event=${ZERO_HASH}`, 'NO_SUCH_EVENT'], ['schema=test/Nope@1&correlate_by=id&value=%22a%22', 'UNKNOWN_SCHEMA'], ['schema=test/GuardedEvent@1&correlate_by=nope&value=%22a%22', 'BAD_PATH'],
    ] as const) {
      const refused = await get(`${guarded}/trace/select?${query}`);
      assert.deepEqual([refused.statusCode, refused.json().error.code], [400, code], query);
    }

    // Workspaces: the counter world keeps none; a push names blobs that must be in the CAS first.
    assert.deepEqual((await get('/worlds/main/workspace-registry')).json(), { dir: root, enabled: false, workspaces: [] });
    const push = { owner: 'tester', files: [{ path: 'README.md', hash: ZERO_HASH }] };
    assert.equal((await post('/worlds/main/workspaces/docs/push', push, {})).statusCode, 401, 'a push needs the token');
    const noWorkspaces = await post('/worlds/main/workspaces/docs/push', push);
    assert.equal(noWorkspaces.statusCode, 400);
    assert.match(noWorkspaces.json().error.message, /does not list sys\/Workspace@1/);
    assert.equal((await post('/worlds/main/workspaces/docs/push', { owner: 'tester', files: [{ path: 'README.md', hash: 'sha256:zz' }] })).statusCode, 400, 'a hash is checked');

    // Key rotation journals a key_rotation through the world's thread.
    assert.equal((await post(`${guarded}/keys/timer/rotate`, {}, {})).statusCode, 401, 'a rotation needs the token');
    assert.equal((await post(`${guarded}/keys/nobody/rotate`, {})).statusCode, 404, 'an unknown key');
    const rotated = await post(`${guarded}/keys/timer/rotate`, {});
    assert.equal(rotated.statusCode, 200, rotated.body);
    assert.equal(rotated.json().adapter_id, 'timer');
    assert.equal((await get(`${guarded}/journal?kind=key_rotation`)).json().records.length, rotated.json().height === null ? 0 : 1);

    // The audit, on what the node journaled: approvals signed on the client verify.
    const audit = await get(`${guarded}/audit`);
    assert.equal(audit.statusCode, 200, audit.body);
    assert.deepEqual([audit.json().report.ok, audit.json().approvals.ok, audit.json().approvals.verified, audit.json().replay.ok, audit.json().replay_code], [true, true, 1, true, null]);
    assert.equal((await get('/worlds/nowhere/audit')).statusCode, 404);
  } finally {
    await app.close();
    await host.close();
    rmSync(root, { recursive: true, force: true });
  }
});
