// Goal: the local node as a new user runs it: `aos node up --background` serves the world
// folder, a second `up` reuses it, another root on the same port is refused by name; while it
// runs, the world commands go through it (found from --root, or with --node) and print exactly
// what they print on the folder directly once it is down; effects sent through the node are
// executed by it; reads and writes need the node's token (generated, on loopback too, or a given
// file): without it they are refused (but /health), and the token is printed and logged nowhere.
// Method: spawn bin/aos.js on copies of the counter and runner worlds; compare the outputs of
// the same reads through the node and directly on the same journal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aos, ok, ROOT, stopQuietly } from '../support/cli-spawn.ts';

const TOKEN = 'e2e-token-7f3a9c21d4b8e6f0';



function worldCopy(from: string, keys: readonly string[] = []): string {
  const dir = mkdtempSync(join(tmpdir(), 'aos-node-e2e-'));
  cpSync(join(ROOT, from), dir, { recursive: true, filter: (path) => !path.endsWith('.aos') });
  for (const name of keys) ok('key', 'gen', '--name', name, '--role', 'adapter', '--root', dir);
  ok('world', 'create', '--root', dir);
  return dir;
}


/** The reads whose output must not depend on whether a node serves them. */
function reads(dir: string): string[] {
  const outputs: string[] = [];
  for (const json of [[], ['--json']]) {
    outputs.push(ok('world', 'state', 'demo/CounterSM@1', '--root', dir, ...json));
    outputs.push(ok('world', 'cells', 'demo/CounterSM@1', '--root', dir, ...json));
    outputs.push(ok('journal', 'tail', '--root', dir, ...json));
    outputs.push(ok('journal', 'tail', '--from', '1', '--limit', '2', '--kind', 'domain_event', '--root', dir, ...json));
    outputs.push(ok('journal', 'head', '--root', dir, ...json));
    outputs.push(ok('receipts', 'ls', '--root', dir, ...json));
  }
  return outputs;
}

test('node up/status/down; commands through the node print what they print directly; a port of another root is refused', async () => {
  const dir = worldCopy('worlds/ladder/00-counter');
  const other = worldCopy('worlds/ladder/00-counter');
  const second = join(dir, 'worlds/second');
  cpSync(join(ROOT, 'worlds/ladder/00-counter'), second, { recursive: true, filter: (path) => !path.endsWith('.aos') });
  ok('world', 'create', '--root', second);
  try {
    assert.equal(aos('node', 'status', '--root', dir).code, 1, 'no node yet');
    const up = JSON.parse(ok('node', 'up', '--root', dir, '--port', '0', '--background', '--json')) as { url: string; pid: number; port: number; reused: boolean; token_file: string | null };
    assert.equal(up.reused, false);
    assert.match(up.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(up.token_file, join(dir, '.aos/node-token'), 'a node without --token-file makes its own token, on loopback too');
    const again = JSON.parse(ok('node', 'up', '--root', dir, '--port', '0', '--background', '--json')) as { url: string; pid: number; reused: boolean };
    assert.deepEqual([again.reused, again.url, again.pid], [true, up.url, up.pid], 'a second up on the same root reuses the running node');
    const status = JSON.parse(ok('node', 'status', '--root', dir, '--json')) as { running: boolean; worlds: Array<{ id: string }> };
    assert.equal(status.running, true);
    assert.deepEqual(status.worlds.map((world) => world.id), ['main', 'second']);

    const conflict = aos('node', 'up', '--root', other, '--port', String(up.port));
    assert.equal(conflict.code, 1);
    assert.match(conflict.stderr, new RegExp(`port ${up.port} is served by the AgentOS node of ${dir.replaceAll('/', '\\/')}`));
    assert.match(conflict.stderr, /aos node down --root/);

    // Writes through the node (found from --root), then a read with an explicit --node.
    assert.match(ok('world', 'send', '--root', dir, '--schema', 'demo/CounterEvent@1', '--value-json', '{"Start":{"target":3}}'), /^journaled at height 2 \(1 record\), head sha256:/);
    ok('world', 'send', '--root', dir, '--schema', 'demo/CounterEvent@1', '--value-json', '{"$tag":"Tick"}');
    const explicit = JSON.parse(ok('world', 'state', 'demo/CounterSM@1', '--node', up.url, '--root', '/nonexistent', '--token-file', up.token_file ?? '', '--json')) as { state: unknown };
    assert.deepEqual(explicit.state, { pc: 'Counting', remaining: 2 });
    // Any local process can reach a loopback node (a host command of an agent session too): a
    // read or a write without the token, which the CLI above read from the profile, is refused.
    const stranger = aos('world', 'send', '--node', up.url, '--root', '/nonexistent', '--schema', 'demo/CounterEvent@1', '--value-json', '{"$tag":"Tick"}');
    assert.equal(stranger.code, 1, 'a write without the token is refused');
    assert.match(stranger.stderr, /writes to this node need its token: no bearer token was sent/);
    const peeker = aos('world', 'state', 'demo/CounterSM@1', '--node', up.url, '--root', '/nonexistent');
    assert.equal(peeker.code, 1, 'a read without the token is refused');
    assert.match(peeker.stderr, /requests to this node need its token: no bearer token was sent/);
    const health = await fetch(`${up.url}/health`);
    assert.equal(health.status, 200, '/health stays open');
    const bad = aos('world', 'send', '--root', dir, '--schema', 'demo/Nope@1', '--value-json', '{}');
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /schema demo\/Nope@1 is not defined in this world[\s\S]*demo\/CounterEvent@1/);
    const throughNode = reads(dir);
    const run = aos('world', 'run', '--root', dir);
    assert.equal(run.code, 1, 'no second executor beside the node');
    assert.match(run.stderr, /serves this world and already executes its effects/);
    assert.match(ok('world', 'send', '--root', second, '--schema', 'demo/CounterEvent@1', '--value-json', '{"Start":{"target":9}}'), /^journaled at height 2/, 'a world under <root>/worlds/ goes through the node too');

    const down = JSON.parse(ok('node', 'down', '--root', dir, '--json')) as { stopped: boolean; pid: number };
    assert.deepEqual([down.stopped, down.pid], [true, up.pid]);
    assert.equal(aos('node', 'status', '--root', dir).code, 1, 'stopped');
    assert.ok(!existsSync(join(dir, '.aos/node.json')), 'the pidfile is gone');
    const log = readFileSync(join(dir, '.aos/node.log'), 'utf8');
    for (const path of ['/worlds/second/events', '/worlds/main/events', '/worlds/main/state?workflow=', '/worlds/main/cells?', '/worlds/main/journal?from=1&limit=2&kind=domain_event', '/worlds/main/journal/head', '/worlds/main/receipts']) {
      assert.ok(log.includes(path), `the node served ${path} (its log says so)`);
    }

    const direct = reads(dir);
    assert.deepEqual(throughNode, direct, 'the same output through the node and directly');
    const unreachable = aos('world', 'state', 'demo/CounterSM@1', '--node', up.url, '--root', dir);
    assert.equal(unreachable.code, 1);
    assert.match(unreachable.stderr, /cannot reach the node at http:\/\/127\.0\.0\.1/);
    assert.equal(aos('replay', '--verify', '--root', dir).code, 0, 'the journal the node wrote replays');
  } finally {
    stopQuietly(dir);
    stopQuietly(other);
    rmSync(dir, { recursive: true, force: true });
    rmSync(other, { recursive: true, force: true });
  }
});

test('a node with a token: writes need it, the CLI reads it from the profile, and it is printed and logged nowhere; open work is re-attached and run by the node', () => {
  const dir = worldCopy('test/fixtures/worlds/runner', ['blob.default', 'timer.default']);
  const tokenFile = join(dir, 'token.txt');
  writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
  try {
    // Sent before any node runs: its blob.put is open work the node must pick up when it starts.
    ok('world', 'send', '--root', dir, '--schema', 'test/RunnerOp@1', '--value-json', '{"Store":{"bytes":"aGVsbG8=","then_wait_ns":1000000}}');
    const upText = ok('node', 'up', '--root', dir, '--port', '0', '--background', '--token-file', tokenFile);
    const url = /at (http:\/\/127\.0\.0\.1:\d+)/.exec(upText)?.[1];
    assert.ok(url !== undefined, upText);
    assert.match(upText, /required for every request but \/health, in .*token\.txt/);
    const sent = ok('world', 'send', '--root', dir, '--schema', 'test/RunnerOp@1', '--value-json', '{"Store":{"bytes":"aGk=","then_wait_ns":1000000}}', '--json');
    assert.equal((JSON.parse(sent) as { records: number }).records > 0, true, 'the CLI sent the token from the profile\'s token file');
    const refused = aos('world', 'send', '--node', url, '--root', dir, '--schema', 'test/RunnerOp@1', '--value-json', '{"Store":{"bytes":"aGk=","then_wait_ns":1}}', '--json');
    assert.equal(refused.code, 1, 'no token: refused');
    assert.equal((JSON.parse(refused.stderr) as { error: { code: string } }).error.code, 'UNAUTHORIZED');
    const wrongFile = join(dir, 'wrong.txt');
    writeFileSync(wrongFile, 'not-the-token\n');
    assert.match(aos('world', 'send', '--node', url, '--token-file', wrongFile, '--root', dir, '--schema', 'test/RunnerOp@1', '--value-json', '{"Store":{"bytes":"aGk=","then_wait_ns":1}}').stderr, /not this node's/);

    // The node executes both blob.puts (one re-attached at start) and the timers their receipts open, without `aos world run`.
    let receipts: Array<{ status: string; signature: string }> = [];
    for (const deadline = Date.now() + 30_000; receipts.length < 4 && Date.now() < deadline;) {
      receipts = (JSON.parse(ok('receipts', 'ls', '--root', dir, '--json')) as { receipts: typeof receipts }).receipts;
    }
    assert.deepEqual(receipts.map((receipt) => [receipt.status, receipt.signature]), Array.from({ length: 4 }, () => ['ok', 'verified']));
    const status = ok('node', 'status', '--root', dir);
    for (const output of [upText, sent, status, ok('node', 'status', '--root', dir, '--json')]) assert.ok(!output.includes(TOKEN), 'the token is never printed');
    ok('node', 'down', '--root', dir);
    assert.ok(!readFileSync(join(dir, '.aos/node.log'), 'utf8').includes(TOKEN), 'the token is never logged');
    assert.deepEqual((JSON.parse(ok('world', 'state', 'test/Runner@1', '--root', dir, '--json')) as { state: { settled: string[] } }).state.settled.filter((entry) => entry === 'blob.put:ok').length, 2);
    assert.equal(aos('replay', '--verify', '--root', dir).code, 0, 'the journal the node wrote replays');
  } finally {
    stopQuietly(dir);
    rmSync(dir, { recursive: true, force: true });
  }
});
