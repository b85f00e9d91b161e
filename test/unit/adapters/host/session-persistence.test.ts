// Goal: host sessions survive a node restart: open work re-attached after a restart names
// sessions opened before it, and they still work (same work dir, same network mode); a session
// closed before the restart stays closed; an expired one is forgotten; a session whose work dir
// is outside the restarted node's roots is refused; a damaged session file is refused with a
// message naming it and what to do.
// Method: two host adapters on one session file, the second standing for the restarted node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdapterError, HostAdapter } from '../../../../src/adapters/index.ts';
import { FileSessionStore } from '../../../../src/adapters/host/session-file.ts';
import type { CborObject, CborValue } from '../../../../src/cbor/index.ts';
import { checkedPayload, MemoryBlobs, testContext, testIntent } from '../../../support/adapter-fixture.ts';
import { errorMessage, inlineText, receiptSchemaOf } from './fixture.ts';

const NOW = 1_700_000_000_000_000_000n;
let keys = 0;

async function run(adapter: HostAdapter, kind: string, params: Record<string, CborValue>): Promise<{ status: string; receipt: CborObject }> {
  const intent = { ...testIntent(`sys/${kind}@1`, params), idempotency_key: Uint8Array.of(++keys, 9, 9) };
  const outcome = await adapter.execute(intent, testContext(new MemoryBlobs()));
  return { status: outcome.status, receipt: checkedPayload(outcome, receiptSchemaOf(kind)) };
}

test('sessions outlive a restart; closed ones stay closed, expired ones are forgotten, moved roots refuse them', async () => {
  const root = await realpath(await mkdtemp(join(tmpdir(), 'aos-host-persist-')));
  try {
    const roots = [join(root, 'work')];
    await mkdir(join(root, 'work/task'), { recursive: true });
    await writeFile(join(root, 'work/task/notes.txt'), 'kept\n');
    const store = new FileSessionStore(join(root, '.aos/host-sessions.json'));
    const first = new HostAdapter({ roots, envPassthrough: ['PATH'], sessionStore: store, now: () => NOW });
    const open = (ttl: bigint) => run(first, 'host.session.open', { target: { $tag: 'local', $value: { workdir: join(root, 'work/task'), network_mode: 'none' } }, session_ttl_ns: ttl });
    const kept = (await open(3_600_000_000_000n)).receipt['session_id'] as string;
    const closed = (await open(3_600_000_000_000n)).receipt['session_id'] as string;
    const brief = (await open(1n)).receipt['session_id'] as string;
    assert.equal((await run(first, 'host.session.signal', { session_id: closed, signal: 'close' })).status, 'ok');

    const restarted = new HostAdapter({ roots, envPassthrough: ['PATH'], sessionStore: new FileSessionStore(store.file), now: () => NOW + 1_000_000n });
    const read = await run(restarted, 'host.fs.read_file', { session_id: kept, path: 'notes.txt' });
    assert.equal(read.status, 'ok', errorMessage(read.receipt));
    assert.equal(inlineText(read.receipt['content']), 'kept\n', 'the restarted node reads the same work dir');
    const ran = await run(restarted, 'host.exec', { session_id: kept, argv: ['sh', '-c', 'pwd'] });
    assert.equal(inlineText(ran.receipt['stdout']), `${join(root, 'work/task')}\n`);
    assert.match(String((await run(restarted, 'host.fs.exists', { session_id: closed, path: 'notes.txt' })).receipt['error_code']), /^session_closed/);
    assert.match(String((await run(restarted, 'host.fs.exists', { session_id: brief, path: 'notes.txt' })).receipt['error_code']), /^session_not_found/, 'an expired session is forgotten on load');

    const moved = new HostAdapter({ roots: [join(root, 'elsewhere')], sessionStore: new FileSessionStore(store.file), now: () => NOW });
    await mkdir(join(root, 'elsewhere'));
    const refused = await run(moved, 'host.fs.read_file', { session_id: kept, path: 'notes.txt' });
    assert.deepEqual([refused.status, refused.receipt['error_code']], ['error', 'workdir_not_allowed']);
    assert.match(errorMessage(refused.receipt), /outside this node's host roots now/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('a damaged session file is refused, naming the file and what to do', async () => {
  const root = await realpath(await mkdtemp(join(tmpdir(), 'aos-host-persist-')));
  try {
    const file = join(root, 'host-sessions.json');
    for (const text of ['{not json', '{"id": 1}', '[{"id": "hs-1", "workdir": "/x"}]']) {
      await writeFile(file, text);
      assert.throws(() => new HostAdapter({ roots: [root], sessionStore: new FileSessionStore(file) }),
        (error: unknown) => error instanceof AdapterError && error.message.includes(file) && /delete it to forget the sessions/.test(error.message), text);
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
