// Goal: no host effect reads or writes outside the session's work dir: ".." segments, absolute
// paths, symlinks (to files, to directories, dangling, relative ones climbing out), cwd, glob
// patterns and bases, grep filters, apply_patch targets and session work dirs are all refused
// with a message, or (for walks) filtered, and nothing outside is read or written.
// Method: one tree with a sentinel file outside the node's session root and symlinks in the
// work dir pointing out (and one pointing inside, as the control that symlinks inside work).
// Every attempt runs as its own test and then checks the outside directory is exactly as it
// was and the receipt does not carry the sentinel's text.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CborObject, CborValue } from '../../../../src/cbor/index.ts';
import { errorMessage, hostTree, inlineText, SENTINEL_TEXT } from './fixture.ts';
import type { HostTree } from './fixture.ts';

let tree: HostTree;

before(async () => {
  tree = await hostTree();
  const work = tree.workdir;
  await mkdir(join(work, 'sub'));
  await writeFile(join(work, 'sub/inside.txt'), 'inside\n');
  await writeFile(join(work, 'keep.txt'), 'keep\n');
  await symlink(tree.outside, join(work, 'out-link'));
  await symlink(join(tree.outside, 'sentinel.txt'), join(work, 'out-file'));
  await symlink(join(tree.outside, 'created-by-escape.txt'), join(work, 'dangling'));
  await symlink('../..', join(work, 'sub/up'));
  await symlink('sub', join(work, 'in-link'));
  await symlink(tree.outside, join(tree.root, 'sessions/sneaky'));
});

after(async () => {
  await tree.cleanup();
});

/** An attempt refused with `code`, a message matching `says`, and nothing outside touched. */
async function refused(kind: string, params: Record<string, CborValue>, code: string, says: RegExp): Promise<void> {
  const result = await tree.run(kind, params);
  assert.equal(result.status, 'error', `${kind} ${JSON.stringify(params, (_, value) => (typeof value === 'bigint' ? String(value) : value))} was refused`);
  const message = errorMessage(result.receipt);
  assert.ok(message.startsWith(code), `error code ${code}, got: ${message}`);
  assert.match(message, says);
  assert.ok(!message.includes('SENTINEL'), 'the refusal does not quote the sentinel');
  await tree.assertOutsideUntouched();
}

const text = (value: string): CborValue => ({ $tag: 'inline_text', $value: { text: value } });
const patch = (value: string): Record<string, CborValue> => ({ patch: text(value) });
const ESCAPE = /outside the session's work dir|"\.\." segment|symlink/;

// ".." and absolute paths
test('01 read_file "../../outside/sentinel.txt" (.. climbing out)', () => refused('host.fs.read_file', { path: '../../outside/sentinel.txt' }, 'path_escape', /"\.\." segment/));
test('02 read_file "sub/../../x" (.. in the middle)', () => refused('host.fs.read_file', { path: 'sub/../../x' }, 'path_escape', /"\.\." segment/));
test('03 read_file with the sentinel\'s absolute path', async () => refused('host.fs.read_file', { path: join(tree.outside, 'sentinel.txt') }, 'path_escape', /outside the session's work dir/));
test('04 read_file "/etc/passwd"', () => refused('host.fs.read_file', { path: '/etc/passwd' }, 'path_escape', /outside the session's work dir/));
test('05 exists "../outside/sentinel.txt" (no existence oracle outside)', () => refused('host.fs.exists', { path: '../outside/sentinel.txt' }, 'path_escape', /"\.\." segment/));
test('06 list_dir ".."', () => refused('host.fs.list_dir', { path: '..' }, 'path_escape', /"\.\." segment/));
test('07 write_file "../escape.txt" with create_parents', () => refused('host.fs.write_file', { path: '../escape.txt', content: text('x'), create_parents: true }, 'path_escape', /"\.\." segment/));
test('08 write_file to an absolute path outside', async () => refused('host.fs.write_file', { path: join(tree.outside, 'new.txt'), content: text('x') }, 'path_escape', /outside the session's work dir/));

// symlinks pointing out
test('09 read_file through a symlink to a file outside', () => refused('host.fs.read_file', { path: 'out-file' }, 'path_escape', /symlink/));
test('10 read_file through a symlinked directory outside', () => refused('host.fs.read_file', { path: 'out-link/sentinel.txt' }, 'path_escape', /symlink/));
test('11 read_file through a relative symlink climbing out ("sub/up" -> "../..")', () => refused('host.fs.read_file', { path: 'sub/up/outside/sentinel.txt' }, 'path_escape', /symlink/));
test('12 write_file overwriting through a symlink to a file outside', () => refused('host.fs.write_file', { path: 'out-file', content: text('pwned') }, 'path_escape', /symlink/));
test('13 write_file creating a file inside a symlinked directory outside', () => refused('host.fs.write_file', { path: 'out-link/new.txt', content: text('x'), create_parents: true }, 'path_escape', /symlink/));
test('14 write_file through a dangling symlink pointing out', () => refused('host.fs.write_file', { path: 'dangling', content: text('x') }, 'path_escape', /symlink whose target does not exist/));
test('15 edit_file through a symlink to a file outside', () => refused('host.fs.edit_file', { path: 'out-file', old_string: 'SENTINEL', new_string: 'x' }, 'path_escape', /symlink/));
test('16 stat of a symlink pointing out', () => refused('host.fs.stat', { path: 'out-link' }, 'path_escape', /symlink/));
test('17 list_dir of a symlinked directory outside', () => refused('host.fs.list_dir', { path: 'out-link' }, 'path_escape', /symlink/));

// cwd
test('18 exec with cwd ".."', () => refused('host.exec', { argv: ['sh', '-c', 'touch escaped'], cwd: '..' }, 'path_escape', /cwd .*"\.\." segment/));
test('19 exec with cwd a symlinked directory outside', () => refused('host.exec', { argv: ['sh', '-c', 'touch escaped'], cwd: 'out-link' }, 'path_escape', /cwd .*symlink/));
test('20 exec with an absolute cwd outside', async () => refused('host.exec', { argv: ['sh', '-c', 'touch escaped'], cwd: tree.outside }, 'path_escape', /cwd .*outside the session's work dir/));

// globs, grep
test('21 glob pattern "../*"', () => refused('host.fs.glob', { pattern: '../*' }, 'path_escape', /"\.\." segment/));
test('22 glob pattern "/etc/*" (absolute)', () => refused('host.fs.glob', { pattern: '/etc/*' }, 'path_escape', /absolute/));
test('23 glob with base path a symlinked directory outside', () => refused('host.fs.glob', { pattern: '*', path: 'out-link' }, 'path_escape', /symlink/));
test('24 grep with base path ".."', () => refused('host.fs.grep', { pattern: 'SENTINEL', path: '..' }, 'path_escape', /"\.\." segment/));
test('25 grep with glob_filter "../**"', () => refused('host.fs.grep', { pattern: 'x', glob_filter: '../**' }, 'path_escape', /"\.\." segment/));
test('26 glob "**/*" over the work dir never lists what symlinks out lead to', async () => {
  const result = await tree.run('host.fs.glob', { pattern: '**/*' });
  assert.equal(result.status, 'ok');
  const paths = inlineText(result.receipt['paths']).split('\n');
  assert.deepEqual(paths, ['keep.txt', 'sub/inside.txt'], 'out-file, dangling, out-link/* and sub/up/* are filtered out; in-link (a symlinked dir) is not entered');
  await tree.assertOutsideUntouched();
});
test('27 grep "SENTINEL" over the work dir finds nothing behind symlinks out', async () => {
  const result = await tree.run('host.fs.grep', { pattern: 'SENTINEL' });
  assert.equal(result.status, 'ok');
  assert.equal(result.receipt['match_count'], 0);
  await tree.assertOutsideUntouched();
});

// apply_patch targets
test('28 apply_patch Add File "../evil.txt"', () => refused('host.fs.apply_patch', patch('*** Begin Patch\n*** Add File: ../evil.txt\n+x\n*** End Patch\n'), 'path_escape', /Add File path .*"\.\." segment/));
test('29 apply_patch Update File through a symlink to a file outside', () => refused('host.fs.apply_patch', patch('*** Begin Patch\n*** Update File: out-file\n@@\n-SENTINEL: nothing may read or change this file\n+pwned\n*** End Patch\n'), 'path_escape', /Update File path .*symlink/));
test('30 apply_patch Move to an absolute path outside', async () => refused('host.fs.apply_patch', patch(`*** Begin Patch\n*** Update File: keep.txt\n*** Move to: ${join(tree.outside, 'moved.txt')}\n@@\n-keep\n+kept\n*** End Patch\n`), 'path_escape', /Move to path .*outside/));
test('31 apply_patch Delete File inside a symlinked directory outside', () => refused('host.fs.apply_patch', patch('*** Begin Patch\n*** Delete File: out-link/sentinel.txt\n*** End Patch\n'), 'path_escape', /Delete File path .*symlink/));
test('32 apply_patch with one good add and one escaping add writes neither', async () => {
  await refused('host.fs.apply_patch', patch('*** Begin Patch\n*** Add File: fine.txt\n+fine\n*** Add File: out-link/evil.txt\n+x\n*** End Patch\n'), 'path_escape', ESCAPE);
  await assert.rejects(stat(join(tree.workdir, 'fine.txt')), /ENOENT/, 'the valid add was not applied');
});
test('33 apply_patch dry run of an escaping patch is refused too', () => refused('host.fs.apply_patch', { ...patch('*** Begin Patch\n*** Add File: ../../outside/x.txt\n+x\n*** End Patch\n'), dry_run: true }, 'path_escape', /"\.\." segment/));

// session work dirs, and odd paths
test('34 session.open with a work dir outside the node\'s roots', async () => {
  const result = await tree.run('host.session.open', { target: { $tag: 'local', $value: { workdir: tree.outside, network_mode: 'none' } } });
  assert.deepEqual([result.status, result.receipt['error_code']], ['error', 'workdir_not_allowed']);
  await tree.assertOutsideUntouched();
});
test('35 session.open with a work dir that is a symlink inside the roots pointing out', async () => {
  const result = await tree.run('host.session.open', { target: { $tag: 'local', $value: { workdir: join(tree.root, 'sessions/sneaky'), network_mode: 'none' } } });
  assert.deepEqual([result.status, result.receipt['error_code']], ['error', 'workdir_not_allowed']);
  assert.match(result.receipt['error_message'] as string, /really .*outside/);
});
test('36 a path with a NUL character', () => refused('host.fs.read_file', { path: 'keep.txt\0/../../outside' }, 'invalid_path', /NUL/));

// controls: symlinks inside, and absolute paths inside, work
test('control: a symlink to a directory inside works, and an absolute path inside works', async () => {
  const read = await tree.run('host.fs.read_file', { path: 'in-link/inside.txt' });
  assert.equal(inlineText(read.receipt['content']), 'inside\n');
  const absolute = await tree.run('host.fs.read_file', { path: join(tree.workdir, 'keep.txt') });
  assert.equal(inlineText(absolute.receipt['content']), 'keep\n');
  const ran = await tree.run('host.exec', { argv: ['pwd'], cwd: 'in-link' });
  assert.equal(inlineText(ran.receipt['stdout']), `${join(tree.workdir, 'sub')}\n`);
  assert.equal(await readFile(join(tree.outside, 'sentinel.txt'), 'utf8'), SENTINEL_TEXT);
  assert.ok(!JSON.stringify((read.receipt as CborObject)['content']).includes('SENTINEL'));
});
