// Goal: the lifecycle routes answer what `aos world ls|show|create|export|import|fork` print on
// the folders: a world's ls row and show facts; create (genesis) of a folder built in place,
// hosted at once, refused when the name is taken; the export streams exactly the bytes a direct
// export writes; an upload is verified whole before anything is written (a corrupt one leaves no
// world), then hosted; a fork becomes a hosted world. Every write needs the bearer token (401).
// Method: a NodeHost over a counter world (main), its fastify app driven with inject().
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildWorld, writeModuleHashes } from '../../src/cli/build/index.ts';
import { EmbeddedWorld, exportWorld } from '../../src/node/index.ts';
import { NodeHost } from '../../src/node/node-host.ts';
import { BUNDLE_CONTENT_TYPE, EXPORT_SUMMARY_HEADER, worldRow, worldShow } from '../../src/node/node-lifecycle-ops.ts';
import { buildApi } from '../../src/node/server/app.ts';

const ROOT = join(import.meta.dirname, '../..');
const COUNTER = join(ROOT, 'worlds/ladder/00-counter');
const TOKEN = 'tok-lifecycle-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };

async function built(dir: string): Promise<void> {
  cpSync(COUNTER, dir, { recursive: true, filter: (path) => !path.endsWith('.aos') });
  writeModuleHashes(dir, (await buildWorld(dir)).modules);
}

test('lifecycle routes: facts and show, create, export bytes, verified import, fork; writes need the token', async () => {
  const root = mkdtempSync(join(tmpdir(), 'aos-node-api-lifecycle-'));
  const scratch = mkdtempSync(join(tmpdir(), 'aos-node-api-lifecycle-out-'));
  await built(root);
  (await EmbeddedWorld.create(root)).close();
  const host = new NodeHost(root);
  const app = await buildApi(host, { token: TOKEN });
  const get = (url: string) => app.inject({ method: 'GET', url });
  const post = (url: string, payload: object, headers: Record<string, string> = auth) => app.inject({ method: 'POST', url, payload, headers });
  try {
    assert.equal((await post('/worlds/main/events', { schema: 'demo/CounterEvent@1', value: { Start: { target: 2 } } })).statusCode, 200);

    // ls and show: the node answers what the folder commands compute.
    assert.deepEqual((await get('/worlds/main/facts')).json(), JSON.parse(JSON.stringify(worldRow(root))));
    assert.deepEqual((await get('/worlds/main/show')).json(), JSON.parse(JSON.stringify(await worldShow(root))));
    assert.equal((await get('/worlds/nope/show')).statusCode, 404);

    // create: the folder is built in place (by the CLI), the node makes genesis and hosts it.
    mkdirSync(join(root, 'worlds'));
    await built(join(root, 'worlds/fresh'));
    assert.equal((await post('/worlds', { name: 'fresh' }, {})).statusCode, 401, 'create needs the token');
    assert.equal(host.dirOf('fresh'), null, 'nothing was created without the token');
    const created = await post('/worlds', { name: 'fresh' });
    assert.equal(created.statusCode, 200, created.body);
    await built(join(scratch, 'direct-world'));
    const directWorld = await EmbeddedWorld.create(join(scratch, 'direct-world'));
    assert.deepEqual([created.json().manifest, created.json().height], [directWorld.view.hash, directWorld.head.height], 'the genesis a direct create makes');
    directWorld.close();
    assert.deepEqual(host.list().find((world) => world.id === 'fresh'), { id: 'fresh', dir: join(root, 'worlds/fresh'), open: true }, 'hosted and its thread running');
    const again = await post('/worlds', { name: 'fresh' });
    assert.deepEqual([again.statusCode, again.json().error.code], [409, 'WORLD_EXISTS']);
    assert.equal((await post('/worlds', { name: '../up' })).statusCode, 400);

    // export: the bytes a direct export writes, and its summary.
    const direct = exportWorld(root, join(scratch, 'direct.aosbundle'));
    const exported = await get('/worlds/main/export');
    assert.equal(exported.statusCode, 200);
    assert.equal(exported.headers['content-type'], BUNDLE_CONTENT_TYPE);
    assert.deepEqual(exported.rawPayload, readFileSync(direct.file), 'byte for byte the direct export');
    const { file: _file, ...summary } = direct;
    assert.deepEqual(JSON.parse(String(exported.headers[EXPORT_SUMMARY_HEADER])), summary);

    // import: verified whole first; a corrupt bundle writes nothing.
    const bundle = readFileSync(direct.file);
    const upload = (id: string, body: Buffer, headers: Record<string, string> = auth) => app.inject({ method: 'POST', url: `/worlds/${id}/import`, payload: body, headers: { ...headers, 'content-type': BUNDLE_CONTENT_TYPE } });
    assert.equal((await upload('imported', bundle, {})).statusCode, 401, 'import needs the token');
    const corrupt = Buffer.from(bundle);
    corrupt[corrupt.length - 40] = (corrupt[corrupt.length - 40] ?? 0) ^ 0xff;
    const refused = await upload('bad', corrupt);
    assert.deepEqual([refused.statusCode, refused.json().error.code], [400, 'BUNDLE_INVALID'], refused.body);
    assert.equal(existsSync(join(root, 'worlds/bad/.aos')), false, 'a refused bundle leaves no world');
    const imported = await upload('imported', bundle);
    assert.equal(imported.statusCode, 200, imported.body);
    assert.equal(imported.json().world.head_hash, direct.head_hash);
    assert.equal(host.dirOf('imported'), join(root, 'worlds/imported'));
    assert.equal((await upload('imported', bundle)).statusCode, 409, 'the name is taken now');
    const head = (await get('/worlds/imported/journal/head')).json() as { head: string };
    assert.equal(head.head, direct.head_hash, 'the node serves the imported world');

    // fork: into a new hosted world.
    assert.equal((await post('/worlds/main/fork', { name: 'forked' }, {})).statusCode, 401, 'fork needs the token');
    const forked = await post('/worlds/main/fork', { name: 'forked', height: 1 });
    assert.equal(forked.statusCode, 200, forked.body);
    assert.deepEqual([forked.json().height, forked.json().target, forked.json().replay.audit.ok], [1, join(root, 'worlds/forked'), true]);
    assert.equal((await get('/worlds/forked/facts')).json().forked, true);
    assert.equal((await post('/worlds/main/fork', { name: 'forked' })).statusCode, 409);
  } finally {
    await app.close();
    await host.close();
    rmSync(root, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  }
});
