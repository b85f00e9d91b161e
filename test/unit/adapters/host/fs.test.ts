// Goal: each host.fs.* effect does its job on a real directory and answers with its upstream
// receipt shape; large outputs go to the CAS; sessions are refused when unknown, closed or
// expired, and work dirs outside the node's roots are refused.
// Method: a temp tree per test (fixture.ts); receipts checked against their receipt schemas.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HOST_EFFECTS, HostAdapter } from '../../../../src/adapters/index.ts';
import type { CborObject, Hash } from '../../../../src/cbor/index.ts';
import { checkedPayload, MemoryBlobs, testContext, testIntent } from '../../../support/adapter-fixture.ts';
import { errorMessage, hostTree, inlineText, receiptSchemaOf } from './fixture.ts';

test('the adapter executes the twelve host effects and refuses to be built without a root', () => {
  assert.equal(HOST_EFFECTS.length, 12);
  assert.throws(() => new HostAdapter({ roots: [] }), /at least one root directory/);
});

test('write_file then read_file, stat and exists; read windows and create_parents', async () => {
  const tree = await hostTree();
  try {
    const written = await tree.run('host.fs.write_file', { path: 'notes/a.txt', content: { $tag: 'inline_text', $value: { text: 'hello host\n' } }, create_parents: true });
    assert.equal(written.status, 'ok', errorMessage(written.receipt));
    assert.equal(written.receipt['written_bytes'], 11);
    assert.equal(written.receipt['created'], true);
    assert.equal(await readFile(join(tree.workdir, 'notes/a.txt'), 'utf8'), 'hello host\n');

    const read = await tree.run('host.fs.read_file', { path: 'notes/a.txt' });
    assert.equal(inlineText(read.receipt['content']), 'hello host\n');
    assert.equal(read.receipt['truncated'], false);
    assert.equal(read.receipt['size_bytes'], 11);
    const window = await tree.run('host.fs.read_file', { path: 'notes/a.txt', offset_bytes: 6, max_bytes: 4 });
    assert.equal(inlineText(window.receipt['content']), 'host');
    assert.equal(window.receipt['truncated'], true);
    const raw = await tree.run('host.fs.read_file', { path: 'notes/a.txt', encoding: 'bytes' });
    assert.equal((raw.receipt['content'] as CborObject)['$tag'], 'inline_bytes');

    const overwrite = await tree.run('host.fs.write_file', { path: 'notes/a.txt', content: { $tag: 'inline_bytes', $value: { bytes: new Uint8Array([104, 105]) } } });
    assert.equal(overwrite.receipt['created'], false);
    assert.equal(await readFile(join(tree.workdir, 'notes/a.txt'), 'utf8'), 'hi');
    const createNew = await tree.run('host.fs.write_file', { path: 'notes/a.txt', content: { $tag: 'inline_text', $value: { text: 'x' } }, mode: 'create_new' });
    assert.equal(createNew.status, 'error');
    assert.match(errorMessage(createNew.receipt), /^exists: notes\/a\.txt already exists/);
    const noParent = await tree.run('host.fs.write_file', { path: 'deep/er/b.txt', content: { $tag: 'inline_text', $value: { text: 'x' } } });
    assert.match(errorMessage(noParent.receipt), /^not_found: .*create_parents/);

    const fileStat = await tree.run('host.fs.stat', { path: 'notes/a.txt' });
    assert.deepEqual([fileStat.receipt['exists'], fileStat.receipt['is_dir'], fileStat.receipt['size_bytes']], [true, false, 2]);
    const dirStat = await tree.run('host.fs.stat', { path: 'notes' });
    assert.equal(dirStat.receipt['is_dir'], true);
    const missingStat = await tree.run('host.fs.stat', { path: 'nope' });
    assert.deepEqual([missingStat.status, missingStat.receipt['exists']], ['ok', false]);
    assert.equal((await tree.run('host.fs.exists', { path: 'notes/a.txt' })).receipt['exists'], true);
    assert.equal((await tree.run('host.fs.exists', { path: 'notes/b.txt' })).receipt['exists'], false);
    const missingRead = await tree.run('host.fs.read_file', { path: 'nope.txt' });
    assert.deepEqual([missingRead.status, missingRead.receipt['error_code']], ['error', 'not_found']);
    assert.match(errorMessage(missingRead.receipt), /nope\.txt does not exist/);
  } finally {
    await tree.cleanup();
  }
});

test('a read over 16 KiB comes back as a blob with a preview; output_mode inline refuses it', async () => {
  const tree = await hostTree();
  try {
    const big = 'x'.repeat(20 * 1024);
    await writeFile(join(tree.workdir, 'big.txt'), big);
    const read = await tree.run('host.fs.read_file', { path: 'big.txt' });
    const content = read.receipt['content'] as CborObject;
    assert.equal(content['$tag'], 'blob');
    const blob = content['$value'] as CborObject;
    assert.equal(blob['size_bytes'], big.length);
    assert.equal(new TextDecoder().decode(tree.blobs.get(blob['blob_ref'] as Hash)), big);
    assert.equal((blob['preview_bytes'] as Uint8Array).byteLength, 512);
    const inline = await tree.run('host.fs.read_file', { path: 'big.txt', output_mode: 'inline' });
    assert.deepEqual([inline.status, inline.receipt['error_code']], ['error', 'too_large']);
    const small = await tree.run('host.fs.read_file', { path: 'big.txt', max_bytes: 3, output_mode: 'blob' });
    assert.equal((small.receipt['content'] as CborObject)['$tag'], 'blob', 'output_mode blob always stores');
  } finally {
    await tree.cleanup();
  }
});

test('list_dir, glob and grep find what is there, sorted, bounded by max_results', async () => {
  const tree = await hostTree();
  try {
    await mkdir(join(tree.workdir, 'src/lib'), { recursive: true });
    await writeFile(join(tree.workdir, 'src/main.ts'), 'const token = "alpha";\nexport {};\n');
    await writeFile(join(tree.workdir, 'src/lib/util.ts'), 'export const ALPHA = 1;\n');
    await writeFile(join(tree.workdir, 'src/lib/notes.md'), 'alpha notes\n');
    await writeFile(join(tree.workdir, 'config.json'), '{}\n');
    await writeFile(join(tree.workdir, 'bin.dat'), new Uint8Array([0, 97, 108, 112, 104, 97]));
    await symlink('src/main.ts', join(tree.workdir, 'link.ts'));

    const listing = await tree.run('host.fs.list_dir', {});
    assert.equal(inlineText(listing.receipt['entries']), 'bin.dat\nconfig.json\nlink.ts\nsrc/');
    assert.equal(listing.receipt['count'], 4);
    const short = await tree.run('host.fs.list_dir', { path: 'src', max_results: 1 });
    assert.deepEqual([inlineText(short.receipt['entries']), short.receipt['truncated']], ['lib/', true]);

    const ts = await tree.run('host.fs.glob', { pattern: '**/*.ts' });
    assert.equal(inlineText(ts.receipt['paths']), 'link.ts\nsrc/lib/util.ts\nsrc/main.ts');
    const under = await tree.run('host.fs.glob', { pattern: '*.{ts,md}', path: 'src/lib' });
    assert.equal(inlineText(under.receipt['paths']), 'src/lib/notes.md\nsrc/lib/util.ts');
    const top = await tree.run('host.fs.glob', { pattern: '*.json' });
    assert.deepEqual([inlineText(top.receipt['paths']), top.receipt['count']], ['config.json', 1]);

    const grep = await tree.run('host.fs.grep', { pattern: 'alpha' });
    assert.equal(inlineText(grep.receipt['matches']), 'link.ts:1:const token = "alpha";\nsrc/lib/notes.md:1:alpha notes\nsrc/main.ts:1:const token = "alpha";');
    const insensitive = await tree.run('host.fs.grep', { pattern: 'alpha', path: 'src', glob_filter: '*.ts', case_insensitive: true });
    assert.equal(inlineText(insensitive.receipt['matches']), 'src/lib/util.ts:1:export const ALPHA = 1;\nsrc/main.ts:1:const token = "alpha";');
    const capped = await tree.run('host.fs.grep', { pattern: 'a', max_results: 1 });
    assert.equal(capped.receipt['truncated'], true);
    assert.equal(inlineText(capped.receipt['matches']).split('\n').length, 1);
    const bad = await tree.run('host.fs.grep', { pattern: '(' });
    assert.deepEqual([bad.status, bad.receipt['error_code']], ['error', 'invalid_params']);
  } finally {
    await tree.cleanup();
  }
});

test('sessions: unknown, closed and expired ids are refused; work dirs outside the roots are refused', async () => {
  const tree = await hostTree();
  try {
    const unknown = await tree.run('host.fs.exists', { session_id: 'hs-nope', path: 'a' });
    assert.match(errorMessage(unknown.receipt), /^session_not_found: host session "hs-nope" is not open/);
    const outside = await tree.run('host.session.open', { target: { $tag: 'local', $value: { workdir: tree.outside, network_mode: 'none' } } });
    assert.deepEqual([outside.status, outside.receipt['error_code']], ['error', 'workdir_not_allowed']);
    assert.match(outside.receipt['error_message'] as string, /outside the node's host roots/);
    const fresh = await tree.run('host.session.open', { target: { $tag: 'local', $value: { network_mode: 'none' } } });
    assert.equal(fresh.status, 'ok');
    assert.notEqual(fresh.receipt['session_id'], tree.sessionId);

    // A TTL of 1 ns: the fixture's clock advances 1 µs per reading, so the next effect finds it expired.
    const brief = await tree.run('host.session.open', { target: { $tag: 'local', $value: { workdir: tree.workdir, network_mode: 'none' } }, session_ttl_ns: 1 });
    const expired = await tree.run('host.fs.exists', { session_id: brief.receipt['session_id'] as string, path: 'a' });
    assert.match(errorMessage(expired.receipt), /^session_expired: .*expired/);

    const closed = await tree.run('host.session.signal', { signal: 'close' });
    assert.deepEqual([closed.status, closed.receipt['status']], ['ok', 'closed']);
    const after = await tree.run('host.fs.exists', { path: 'a' });
    assert.match(errorMessage(after.receipt), /^session_closed: /);
  } finally {
    await tree.cleanup();
  }
});

test('the same open intent retried finds the same session (at-least-once execution)', async () => {
  const tree = await hostTree();
  try {
    const adapter = new HostAdapter({ roots: [join(tree.root, 'sessions')] });
    const intent = testIntent('sys/host.session.open@1', { target: { $tag: 'local', $value: { workdir: tree.workdir, network_mode: 'none' } } });
    const first = checkedPayload(await adapter.execute(intent, testContext(new MemoryBlobs())), receiptSchemaOf('host.session.open'));
    const again = checkedPayload(await adapter.execute(intent, testContext(new MemoryBlobs())), receiptSchemaOf('host.session.open'));
    assert.equal(first['session_id'], again['session_id']);
    assert.equal(first['status'], 'ready');
    assert.equal((await stat(tree.workdir)).isDirectory(), true);
  } finally {
    await tree.cleanup();
  }
});
