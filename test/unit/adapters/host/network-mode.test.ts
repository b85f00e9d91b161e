// Goal: a host session's network_mode is enforced, not just recorded: the commands of a "none"
// session (the default, and what the agent asks for) cannot reach the network, not even a
// server on loopback; a "host" session's can; a node that cannot isolate refuses to open a
// "none" session rather than run it with the network; an unknown mode is refused.
// No session reaches the machine's services through their Unix sockets in /run (a socket on a
// read-only mount still accepts connections): network is not the machine's daemons; a "host"
// session keeps the DNS files that link into /run.
// Method: a loopback TCP server started here (and a Unix socket server in /run), and host.exec
// of a Node one-liner that connects to it, in sessions of each mode (Linux network namespaces
// and an empty /run, made by the bubblewrap exec sandbox).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { BubblewrapSandbox } from '../../../../src/adapters/host/exec-sandbox.ts';
import { errorMessage, hostTree, inlineText, skipWithoutSandbox } from './fixture.ts';

const CONNECT = `const s = require('net').connect(Number(process.argv[1]), '127.0.0.1');
s.on('connect', () => { console.log('connected'); s.end(); });
s.on('error', (e) => console.log('refused ' + e.code));`;

const CONNECT_PATH = `const s = require('net').connect(process.argv[1]);
s.on('connect', () => { console.log('connected'); s.end(); });
s.on('error', (e) => console.log('refused ' + e.code));`;

async function withServer(work: (port: number) => Promise<void>): Promise<void> {
  const server = createServer((socket) => socket.end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await work((server.address() as AddressInfo).port);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

async function withSocketServer(path: string, work: () => Promise<void>): Promise<void> {
  const server = createServer((socket) => socket.end());
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(path, resolve));
  try {
    await work();
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

test('commands of a network_mode "none" session reach no network, those of a "host" session do', async (t) => {
  if (skipWithoutSandbox(t)) return;
  const tree = await hostTree();
  try {
    await withServer(async (port) => {
      const isolated = await tree.run('host.exec', { argv: [process.execPath, '-e', CONNECT, String(port)] });
      assert.equal(isolated.status, 'ok', errorMessage(isolated.receipt));
      assert.match(inlineText(isolated.receipt['stdout']), /^refused E[A-Z]+/, 'the "none" session could not connect');
      const opened = await tree.run('host.session.open', { target: { $tag: 'local', $value: { workdir: tree.workdir, network_mode: 'host' } } });
      assert.equal(opened.status, 'ok', errorMessage(opened.receipt));
      const shared = await tree.run('host.exec', { session_id: opened.receipt['session_id'] as string, argv: [process.execPath, '-e', CONNECT, String(port)] });
      assert.equal(inlineText(shared.receipt['stdout']), 'connected\n', 'the "host" session shares the node network');
      const unnamed = await tree.run('host.session.open', { target: { $tag: 'local', $value: { workdir: tree.workdir, network_mode: '' } } });
      assert.equal(unnamed.status, 'ok', errorMessage(unnamed.receipt));
      const byDefault = await tree.run('host.exec', { session_id: unnamed.receipt['session_id'] as string, argv: [process.execPath, '-e', CONNECT, String(port)] });
      assert.equal(byDefault.status, 'ok', errorMessage(byDefault.receipt));
      assert.match(inlineText(byDefault.receipt['stdout']), /^refused/, 'a session whose mode is empty has no network');
    });
  } finally {
    await tree.cleanup();
  }
});

test('a node that cannot isolate refuses "none" sessions, saying what to do; unknown modes are refused', async (t) => {
  const tree = await hostTree({ execSandbox: new BubblewrapSandbox({ program: '/nonexistent/bwrap' }) }).catch((error: unknown) => error as Error);
  assert.ok(tree instanceof Error, 'the fixture opens a "none" session, which this node must refuse');
  assert.match(tree.message, /bubblewrap sandbox, which this node cannot create \(\/nonexistent\/bwrap: .*ENOENT/);
  assert.match(tree.message, /apt-get install bubblewrap/);
  if (skipWithoutSandbox(t)) return;
  const host = await hostTree().catch((error: unknown) => error as Error);
  assert.ok(!(host instanceof Error), 'a node that can isolate opens the session');
  try {
    const odd = await host.run('host.session.open', { target: { $tag: 'local', $value: { workdir: host.workdir, network_mode: 'bridge' } } });
    assert.deepEqual([odd.status, odd.receipt['error_code']], ['error', 'unsupported']);
    assert.match(odd.receipt['error_message'] as string, /network_mode "bridge" is not supported.*"none" or "host"/);
  } finally {
    await host.cleanup();
  }
});

test('no command reaches a service through its Unix socket in /run, in either mode; a "host" session keeps the DNS files that link into /run', async (t) => {
  if (skipWithoutSandbox(t)) return;
  try {
    accessSync('/run', constants.W_OK);
  } catch {
    t.skip('/run is not writable by this user, so no test socket can be put there (run the tests as root, as CI does)');
    return;
  }
  const path = `/run/aos-test-${process.pid}.sock`;
  // A resolver file that links into /run, as /etc/resolv.conf does under systemd-resolved.
  const resolverDir = await mkdtemp('/run/aos-test-resolve-');
  const resolverLink = join(await mkdtemp('/var/tmp/aos-test-etc-'), 'resolv.conf');
  await writeFile(join(resolverDir, 'stub-resolv.conf'), 'nameserver 127.0.0.53\n');
  await symlink(join(resolverDir, 'stub-resolv.conf'), resolverLink);
  const tree = await hostTree({ execSandbox: new BubblewrapSandbox({ resolverFiles: [resolverLink] }) });
  try {
    await withSocketServer(path, async () => {
      const isolated = await tree.run('host.exec', { argv: [process.execPath, '-e', CONNECT_PATH, path] });
      assert.equal(isolated.status, 'ok', errorMessage(isolated.receipt));
      assert.match(inlineText(isolated.receipt['stdout']), /^refused ENOENT/, 'the "none" session sees no socket in /run');
      const opened = await tree.run('host.session.open', { target: { $tag: 'local', $value: { workdir: tree.workdir, network_mode: 'host' } } });
      assert.equal(opened.status, 'ok', errorMessage(opened.receipt));
      const sessionId = opened.receipt['session_id'] as string;
      const shared = await tree.run('host.exec', { session_id: sessionId, argv: [process.execPath, '-e', CONNECT_PATH, path] });
      assert.match(inlineText(shared.receipt['stdout']), /^refused ENOENT/, 'nor does the "host" session: network is not the machine\'s daemons');
      const resolver = await tree.run('host.exec', { session_id: sessionId, argv: ['cat', resolverLink] });
      assert.equal(inlineText(resolver.receipt['stdout']), 'nameserver 127.0.0.53\n', 'the "host" session reads its DNS configuration through the link');
      const noResolver = await tree.run('host.exec', { argv: ['sh', '-c', `cat ${resolverLink} || echo GONE`] });
      assert.equal(inlineText(noResolver.receipt['stdout']), 'GONE\n', 'a "none" session has no use for it');
    });
  } finally {
    await rm(resolverDir, { recursive: true, force: true });
    await rm(dirname(resolverLink), { recursive: true, force: true });
    await tree.cleanup();
  }
});
