// Goal: a host.exec command acts only on its session's work dir. It cannot write anywhere else
// (a sibling directory, /etc, the node's own folders), while the system stays readable; its /tmp
// is its own; it cannot read the node's secrets (keys, vault, journal, CAS, .env files) nor the
// credential stores in users' home folders (SSH keys, cloud logins, registry tokens), while
// their siblings stay readable; a work dir inside or holding one is refused; a node without
// bubblewrap refuses host.exec, saying what to install, and never runs the command unconfined,
// while its fs tools keep working.
// Method: the real sandbox (bubblewrap; these tests skip, saying so, where it is missing) over a
// temp tree; /var/tmp holds a stand-in for a node root outside /tmp (which the sandbox replaces).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { BubblewrapSandbox } from '../../../../src/adapters/host/exec-sandbox.ts';
import { credentialPaths, machineHomes } from '../../../../src/adapters/host/credential-stores.ts';
import { nodeSecretPaths } from '../../../../src/node/node-effects.ts';
import { errorMessage, hostTree, inlineText, skipWithoutSandbox } from './fixture.ts';

/** A directory outside /tmp, so the sandbox shows it (read-only) rather than hiding it with its private /tmp. */
const VISIBLE_SCRATCH = '/var/tmp';

test('a command writes in its work dir and nowhere else; the system stays readable', async (t) => {
  if (skipWithoutSandbox(t)) return;
  const tree = await hostTree();
  const visible = await mkdtemp(join(VISIBLE_SCRATCH, 'aos-sandbox-'));
  try {
    await writeFile(join(visible, 'readable.txt'), 'readable\n');
    const inside = await tree.run('host.exec', { argv: ['sh', '-c', 'echo made > made.txt && cat made.txt'] });
    assert.equal(inlineText(inside.receipt['stdout']), 'made\n');
    assert.equal(await readFile(join(tree.workdir, 'made.txt'), 'utf8'), 'made\n', 'the write reached the real work dir');
    const script = (target: string): string => `echo escaped > ${target} && echo WROTE || echo REFUSED`;
    for (const target of ['/etc/aos-sandbox-escaped', join(visible, 'escaped.txt'), join(process.cwd(), 'aos-sandbox-escaped')]) {
      const ran = await tree.run('host.exec', { argv: ['sh', '-c', script(target)] });
      assert.equal(ran.status, 'ok', errorMessage(ran.receipt));
      assert.equal(inlineText(ran.receipt['stdout']), 'REFUSED\n', `writing ${target} is refused`);
      // A checkout under /tmp (a CI clone) is hidden by the command's private /tmp instead.
      assert.match(inlineText(ran.receipt['stderr']), target.startsWith('/tmp/') ? /Directory nonexistent|No such file or directory/ : /Read-only file system/);
    }
    // The work dir's siblings lie in /tmp, which the command sees as its own empty tmpfs: whatever
    // it writes there stays in that tmpfs.
    for (const target of [join(tree.outside, 'escaped.txt'), join(tree.root, 'escaped.txt')]) {
      const ran = await tree.run('host.exec', { argv: ['sh', '-c', script(target)] });
      assert.equal(ran.status, 'ok', errorMessage(ran.receipt));
    }
    assert.equal(existsSync(join(process.cwd(), 'aos-sandbox-escaped')), false);
    await tree.assertOutsideUntouched();
    assert.equal(existsSync('/etc/aos-sandbox-escaped'), false);
    assert.deepEqual(await readdir(visible), ['readable.txt'], 'nothing was written next to the readable file');
    const reads = await tree.run('host.exec', { argv: ['cat', join(visible, 'readable.txt'), '/etc/os-release'] });
    assert.equal(reads.receipt['exit_code'], 0, inlineText(reads.receipt['stderr']));
    assert.match(inlineText(reads.receipt['stdout']), /^readable\n/, 'files outside the work dir are readable');
  } finally {
    await rm(visible, { recursive: true, force: true });
    await tree.cleanup();
  }
});

test('/tmp is private: a command neither sees the node\'s /tmp nor leaves files in it', async (t) => {
  if (skipWithoutSandbox(t)) return;
  const tree = await hostTree();
  const name = `aos-sandbox-tmp-${process.pid}-${Date.now()}`;
  const hostFile = join(tmpdir(), `${name}-host`);
  try {
    await writeFile(hostFile, 'the node\'s\n');
    const ran = await tree.run('host.exec', { argv: ['sh', '-c', `echo scratch > /tmp/${name} && cat /tmp/${name}; cat ${hostFile} || echo UNSEEN`] });
    assert.equal(inlineText(ran.receipt['stdout']), 'scratch\nUNSEEN\n', 'its own /tmp works; the node\'s files in /tmp are not there');
    assert.equal(existsSync(join(tmpdir(), name)), false, 'the command\'s /tmp file did not reach the node\'s /tmp');
  } finally {
    await rm(hostFile, { force: true });
    await tree.cleanup();
  }
});

test('the node\'s secret folders and files are hidden, their siblings stay readable; a work dir inside or holding one is refused', async (t) => {
  if (skipWithoutSandbox(t)) return;
  const hidden: string[] = [];
  const tree = await hostTree({ execSandbox: new BubblewrapSandbox({ hiddenPaths: () => hidden }) });
  const nodeRoot = await mkdtemp(join(VISIBLE_SCRATCH, 'aos-node-'));
  try {
    // A node root outside /tmp: its .aos and its .env (provider keys) are hidden, its other
    // folders readable.
    await mkdir(join(nodeRoot, '.aos', 'keys'), { recursive: true });
    await writeFile(join(nodeRoot, '.aos', 'keys', 'host.local.key'), 'PRIVATE KEY\n');
    await writeFile(join(nodeRoot, '.env'), 'OPENAI_API_KEY=sk-SECRET\n');
    await mkdir(join(nodeRoot, 'air'));
    await writeFile(join(nodeRoot, 'air', 'manifest.json'), '{}\n');
    await writeFile(join(tree.workdir, 'notes.txt'), 'notes\n');
    hidden.push(join(nodeRoot, '.aos'), join(nodeRoot, '.env'), join(tree.root, 'not-created-yet'));
    const ran = await tree.run('host.exec', { argv: ['sh', '-c', `cat ${join(nodeRoot, '.aos', 'keys', 'host.local.key')}; cat ${join(nodeRoot, '.env')}; ls -A ${join(nodeRoot, '.aos')}; echo planted > ${join(nodeRoot, '.aos', 'planted')}; cat notes.txt ${join(nodeRoot, 'air', 'manifest.json')}`] });
    assert.equal(ran.status, 'ok', errorMessage(ran.receipt));
    assert.doesNotMatch(inlineText(ran.receipt['stdout']), /PRIVATE KEY|sk-SECRET/, 'no secret was read');
    assert.equal(await readFile(join(nodeRoot, '.env'), 'utf8'), 'OPENAI_API_KEY=sk-SECRET\n', 'the .env file is untouched');
    assert.match(inlineText(ran.receipt['stderr']), /host\.local\.key: No such file or directory/);
    assert.match(inlineText(ran.receipt['stdout']), /notes\n\{\}\n$/, 'the siblings of the hidden folder are readable');
    assert.deepEqual(await readdir(join(nodeRoot, '.aos')), ['keys'], 'a write into the hidden folder did not reach it');

    // A world root used as a work dir: the session's work dir now holds a state folder, so every
    // effect of the session is refused, the fs tools as much as commands, and nothing is read.
    await mkdir(join(tree.workdir, '.aos'));
    await writeFile(join(tree.workdir, '.aos', 'vault.key'), 'VAULT KEY\n');
    hidden.push(join(tree.workdir, '.aos'));
    for (const [kind, params] of [['host.fs.read_file', { path: '.aos/vault.key' }], ['host.fs.list_dir', { path: '.' }], ['host.exec', { argv: ['cat', '.aos/vault.key'] }]] as const) {
      const refused = await tree.run(kind, params);
      assert.deepEqual([refused.status, refused.receipt['error_code']], ['error', 'workdir_not_allowed'], `${kind} is refused`);
      assert.match(errorMessage(refused.receipt), /contains .*\.aos, which holds the node's secrets .*choose a work dir that does not contain a world's \.aos folder/);
      assert.doesNotMatch(JSON.stringify(refused.receipt), /VAULT KEY/);
    }
    await mkdir(join(tree.workdir, '.aos', 'inner'));
    const inside = await tree.run('host.session.open', { target: { $tag: 'local', $value: { workdir: 'work/.aos/inner', network_mode: 'host' } } });
    assert.deepEqual([inside.status, inside.receipt['error_code']], ['error', 'workdir_not_allowed']);
    assert.match(inside.receipt['error_message'] as string, /is inside .*\.aos, which holds the node's secrets .*choose a work dir outside it/);
  } finally {
    await rm(nodeRoot, { recursive: true, force: true });
    await tree.cleanup();
  }
});

test('the credential stores in users\' home folders are hidden from commands; a home used as a work dir is refused', async (t) => {
  if (skipWithoutSandbox(t)) return;
  const home = await mkdtemp(join(VISIBLE_SCRATCH, 'aos-home-'));
  const sandbox = new BubblewrapSandbox({ homes: () => [home] });
  const tree = await hostTree({ execSandbox: sandbox });
  try {
    await mkdir(join(home, '.ssh'));
    await writeFile(join(home, '.ssh', 'id_ed25519'), 'SSH PRIVATE KEY\n');
    await writeFile(join(home, '.npmrc'), '//registry.npmjs.org/:_authToken=npm_SECRET\n');
    await mkdir(join(home, '.config', 'gcloud'), { recursive: true });
    await writeFile(join(home, '.config', 'gcloud', 'credentials.db'), 'GCLOUD SECRET\n');
    await writeFile(join(home, '.config', 'app.toml'), 'visible settings\n');
    await writeFile(join(home, '.profile'), 'visible profile\n');
    const paths = ['.ssh/id_ed25519', '.npmrc', '.config/gcloud/credentials.db', '.config/app.toml', '.profile'].map((path) => join(home, path));
    const ran = await tree.run('host.exec', { argv: ['sh', '-c', `for f in ${paths.join(' ')}; do cat "$f"; done; ls -A ${join(home, '.ssh')}; echo planted > ${join(home, '.ssh', 'planted')}`] });
    assert.equal(ran.status, 'ok', errorMessage(ran.receipt));
    const stdout = inlineText(ran.receipt['stdout']);
    assert.doesNotMatch(stdout, /SSH PRIVATE KEY|npm_SECRET|GCLOUD SECRET/, 'no credential was read');
    assert.equal(stdout, 'visible settings\nvisible profile\n', 'the rest of the home stays readable');
    assert.deepEqual(await readdir(join(home, '.ssh')), ['id_ed25519'], 'a write into the hidden store did not reach it');

    // The fs tools read through no sandbox: a work dir holding a store, or inside one, is refused.
    assert.throws(() => sandbox.checkWorkdir(home), /work dir .*aos-home-\w+ contains .*\.ssh, a user's credential store .*choose a project folder that holds no credentials/);
    assert.throws(() => sandbox.checkWorkdir(join(home, '.config', 'gcloud', 'cache')), /is inside .*gcloud, which holds a user's credential store and is hidden from host commands/);
    sandbox.checkWorkdir(join(home, '.config', 'app'));
  } finally {
    await rm(home, { recursive: true, force: true });
    await tree.cleanup();
  }
});

test('by default the credential stores of the node user\'s home, root\'s and every home under /home are hidden', () => {
  const homes = machineHomes();
  assert.ok(homes.includes(homedir()) && homes.includes('/root'), `the node user's and root's homes are covered (${homes.join(', ')})`);
  const paths = credentialPaths([homedir()]);
  for (const store of ['.ssh', '.aws', '.npmrc', '.kube', '.docker', '.gnupg', '.git-credentials']) assert.ok(paths.includes(join(homedir(), store)), `${store} is hidden`);
});

test('a node without bubblewrap refuses host.exec, saying what to install; its fs tools still work', async () => {
  const tree = await hostTree({ network: 'host', execSandbox: new BubblewrapSandbox({ program: '/nonexistent/bwrap' }) });
  try {
    const ran = await tree.run('host.exec', { argv: ['sh', '-c', 'echo ran > ran.txt'] });
    assert.deepEqual([ran.status, ran.receipt['error_code'], ran.receipt['exit_code']], ['error', 'unsupported', -1]);
    assert.match(ran.receipt['error_message'] as string, /bubblewrap sandbox, which this node cannot create \(\/nonexistent\/bwrap: .*\), so no command runs; install bubblewrap \(apt-get install bubblewrap\)/);
    assert.equal(existsSync(join(tree.workdir, 'ran.txt')), false, 'the command did not run unconfined');
    await writeFile(join(tree.workdir, 'kept.txt'), 'kept\n');
    const listed = await tree.run('host.fs.list_dir', { path: '.' });
    assert.equal(listed.status, 'ok', errorMessage(listed.receipt));
    assert.match(JSON.stringify(listed.receipt), /kept\.txt/);
    const read = await tree.run('host.fs.read_file', { path: 'kept.txt' });
    assert.equal(read.status, 'ok', errorMessage(read.receipt));
  } finally {
    await tree.cleanup();
  }
});

test('a node hides its own state folder and .env, its node root\'s, and every sibling world\'s', async () => {
  const root = await mkdtemp(join(tmpdir(), 'aos-node-root-'));
  try {
    await mkdir(join(root, 'worlds', 'alpha'), { recursive: true });
    await mkdir(join(root, 'worlds', 'beta'));
    const secretsOf = (dir: string) => [join(dir, '.aos'), join(dir, '.env')];
    const all = [...secretsOf(root), ...secretsOf(join(root, 'worlds', 'alpha')), ...secretsOf(join(root, 'worlds', 'beta'))].sort();
    assert.deepEqual(nodeSecretPaths(join(root, 'worlds', 'alpha')).sort(), all);
    assert.deepEqual(nodeSecretPaths(root).sort(), all);
    const lone = join(root, 'lone');
    assert.deepEqual(nodeSecretPaths(lone), secretsOf(lone));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
