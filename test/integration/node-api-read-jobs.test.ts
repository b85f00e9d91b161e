// Goal: the node's long read-only jobs (the audit with its replay, behind `aos audit verify` and
// `aos replay --verify`; the export) leave the API responsive: while one runs, a cheap request to
// the same world is answered first; the job's answer is still right; errors keep their code and hint.
// Method: a NodeHost over the 12-performance ladder world filled with thousands of events (its
// audit replays them all), driven with inject(). Only the order in which answers arrive is
// compared, never times. One read could slip into an await of a job that runs on the main
// thread, so a long chain of reads, one after another, must all be answered before the job's
// answer: that needs the event loop free throughout (the audit on the main thread let fewer than
// 60 of them through, the export fewer than 30).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { valueFromJson } from '../../src/air/index.ts';
import { encodeCanonical } from '../../src/cbor/index.ts';
import { buildWorld, writeModuleHashes } from '../../src/cli/build/index.ts';
import { EmbeddedWorld } from '../../src/node/index.ts';
import { NodeHost, WorldOpError } from '../../src/node/node-host.ts';
import { ReadJobPool, runReadJob } from '../../src/node/read-job.ts';
import { buildApi } from '../../src/node/server/app.ts';

const ROOT = join(import.meta.dirname, '../..');
/** Enough events that the audit's replay is long next to one read of the world's head. */
const EVENTS = 3_000;
const SEND_GROUP = 500;
/** Reads of the world's head, one after another, answered while one job runs. */
const CHEAP_READS = 500;

/** The 12-performance world in `dir`, with EVENTS events journaled. */
async function bigWorld(dir: string): Promise<void> {
  cpSync(join(ROOT, 'worlds/ladder/12-performance'), dir, { recursive: true, filter: (path) => !path.endsWith('.aos') });
  writeModuleHashes(dir, (await buildWorld(dir)).modules);
  const world = await EmbeddedWorld.create(dir);
  try {
    const value = encodeCanonical(valueFromJson({ cell: '', inc: 1 }, { ref: 'demo/PerfEvent@1' }, world.view.index, { path: 'event' }), { selfDescribe: false });
    const group = Array.from({ length: SEND_GROUP }, () => ({ schema: 'demo/PerfEvent@1', value }));
    for (let sent = 0; sent < EVENTS; sent += SEND_GROUP) {
      for (const result of world.sendBatch(group)) assert.ok('records' in result, 'every event is admitted');
    }
  } finally {
    world.close();
  }
}

test('read jobs run off the main thread: a cheap request is answered while an audit or an export runs, and their answers stay right', async () => {
  const root = mkdtempSync(join(tmpdir(), 'aos-node-read-jobs-'));
  await bigWorld(root);
  const host = new NodeHost(root);
  const app = await buildApi(host, { token: null });
  const get = (url: string) => app.inject({ method: 'GET', url });
  try {
    const head = (await get('/worlds/main/journal/head')).json() as { next_height: number; head: string };
    assert.ok(head.next_height > EVENTS, 'the world holds the events');
    /** Starts the job at `url`, reads the head CHEAP_READS times meanwhile; the order of the answers and the job's. */
    const readWhile = async (url: string) => {
      const answered: string[] = [];
      const job = get(url).then((response) => { answered.push(url); return response; });
      for (let read = 0; read < CHEAP_READS; read += 1) assert.deepEqual((await get('/worlds/main/journal/head')).json(), head);
      answered.push('reads');
      return { answered, response: await job };
    };

    const { answered: audit, response: audited } = await readWhile('/worlds/main/audit');
    assert.deepEqual(audit, ['reads', '/worlds/main/audit'], `${CHEAP_READS} reads of the head were answered while the audit ran (it answered ${audited.statusCode})`);
    assert.equal(audited.statusCode, 200, audited.body);
    const result = audited.json();
    assert.deepEqual([result.report.ok, result.approvals.ok, result.replay, result.replay_code], [true, true, { ok: true, heights: head.next_height, snapshots: 0, head: head.head }, null]);

    const { answered: exported, response: bundle } = await readWhile('/worlds/main/export');
    assert.deepEqual(exported, ['reads', '/worlds/main/export'], `${CHEAP_READS} reads of the head were answered while the export ran (it answered ${bundle.statusCode})`);
    assert.equal(bundle.statusCode, 200, bundle.body);
    const summary = JSON.parse(String(bundle.headers['aos-export-summary'])) as { bytes: number; head_height: number; head_hash: string };
    assert.deepEqual([summary.bytes, summary.head_height, summary.head_hash], [bundle.rawPayload.length, head.next_height, head.head]);
  } finally {
    await app.close();
    await host.close();
    rmSync(root, { recursive: true, force: true });
  }
});

test('a read-job pool is full while its jobs run; a failed job keeps its error\'s code and hint', async () => {
  const root = mkdtempSync(join(tmpdir(), 'aos-read-job-'));
  try {
    const pool = new ReadJobPool(1);
    const running = pool.run({ kind: 'audit', dir: join(root, 'nothing-here') });
    assert.equal(pool.full, true, 'the job holds the only slot');
    await assert.rejects(running, (error: unknown) => {
      assert.ok(error instanceof WorldOpError, String(error));
      assert.equal(error.code, 'NO_WORLD');
      assert.match(error.message, /nothing-here holds no world/);
      assert.match(error.hint ?? '', /aos world create/);
      return true;
    });
    assert.equal(pool.full, false, 'a failed job gives its slot back');
    await assert.rejects(runReadJob({ kind: 'export', dir: join(root, 'nothing-here'), file: join(root, 'out.aosbundle') }), { code: 'NO_WORLD' });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
