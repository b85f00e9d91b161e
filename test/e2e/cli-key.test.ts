// Goal: `aos key gen` and `aos key ls` work as a new user runs them: readable output, --json
// shapes, a 0600 private key, clear refusals (existing key, bad name, bad role, loose mode),
// and no private key bytes in anything the CLI prints.
// Method: spawn bin/aos.js (the build in dist/, or the sources through tsx) in a temporary root.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '../..');

function aos(...args: string[]): { code: number; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(ROOT, 'bin/aos.js'), ...args], { encoding: 'utf8', cwd: ROOT });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

interface KeyJson { name: string; role: string; public_key: string; created_at: string; private_key_file: string; public_key_file: string }

test('key gen, then key ls --json lists it; the private key is 0600 and never printed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aos-key-'));
  try {
    const gen = aos('key', 'gen', '--root', dir, '--name', 'http', '--role', 'adapter', '--json');
    assert.equal(gen.code, 0, gen.stderr);
    const key = JSON.parse(gen.stdout) as KeyJson;
    assert.deepEqual(Object.keys(key), ['name', 'role', 'public_key', 'created_at', 'private_key_file', 'public_key_file']);
    assert.equal(key.name, 'http');
    assert.equal(key.role, 'adapter');
    assert.match(key.public_key, /^ed25519:[0-9a-f]{64}$/);
    assert.ok(!Number.isNaN(Date.parse(key.created_at)));
    assert.equal(key.private_key_file, join(dir, '.aos/keys/http.key'));
    assert.equal(statSync(key.private_key_file).mode & 0o777, 0o600);

    const principal = aos('key', 'gen', '--root', dir, '--name', 'alice', '--role', 'principal');
    assert.equal(principal.code, 0, principal.stderr);
    assert.match(principal.stdout, /^created principal key alice: ed25519:[0-9a-f]{64}\n {2}private key .*alice\.key \(mode 0600/);

    const ls = aos('key', 'ls', '--root', dir, '--json');
    assert.equal(ls.code, 0, ls.stderr);
    const listing = JSON.parse(ls.stdout) as { directory: string; keys: KeyJson[]; warnings: string[] };
    assert.deepEqual(Object.keys(listing), ['directory', 'keys', 'warnings']);
    assert.deepEqual(listing.keys.map((entry) => [entry.name, entry.role]), [['alice', 'principal'], ['http', 'adapter']]);
    assert.deepEqual(listing.keys[1], key);
    assert.deepEqual(listing.warnings, []);

    const text = aos('key', 'ls', '--root', dir);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^NAME +ROLE +PUBLIC KEY +CREATED\nalice +principal +ed25519:[0-9a-f]{64} +\S+\nhttp +adapter +ed25519:/);

    const pem = readFileSync(key.private_key_file, 'utf8');
    const body = pem.split('\n').filter((line) => line !== '' && !line.startsWith('-----')).join('');
    for (const output of [gen, principal, ls, text]) assert.ok(!`${output.stdout}${output.stderr}`.includes(body), 'the private key was printed');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('refusals: an existing name, a bad name, a bad role, a loose mode; each says what to do', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aos-key-'));
  try {
    assert.equal(aos('key', 'gen', '--root', dir, '--name', 'http', '--role', 'adapter').code, 0);
    const again = aos('key', 'gen', '--root', dir, '--name', 'http', '--role', 'adapter', '--json');
    assert.equal(again.code, 1);
    const error = (JSON.parse(again.stderr) as { error: { code: string; message: string; hint: string } }).error;
    assert.equal(error.code, 'KEY_EXISTS');
    assert.match(error.message, /a key named http already exists/);
    assert.match(error.hint, /choose another --name/);

    const bad = aos('key', 'gen', '--root', dir, '--name', '../evil', '--role', 'adapter');
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^error: key name "\.\.\/evil" is not allowed: it contains a path separator\nhint: use lowercase letters/);
    const role = aos('key', 'gen', '--root', dir, '--name', 'x', '--role', 'admin');
    assert.equal(role.code, 1);
    assert.match(role.stderr, /key role "admin" is not known\nhint: use --role adapter or --role principal/);
    assert.equal(aos('key', 'gen', '--root', dir, '--name', 'x').code, 2, 'a missing --role is a usage error');

    const file = join(dir, '.aos/keys/http.key');
    chmodSync(file, 0o644);
    const ls = aos('key', 'ls', '--root', dir);
    assert.equal(ls.code, 0, ls.stderr);
    assert.ok(ls.stdout.includes(`warning: private key ${file} has mode 0644; group or others can read it: make it readable by its owner only: chmod 600 ${file}`), ls.stdout);
    const json = JSON.parse(aos('key', 'ls', '--root', dir, '--json').stdout) as { warnings: string[] };
    assert.ok(json.warnings[0]?.includes(`chmod 600 ${file}`));

    const empty = aos('key', 'ls', '--root', join(dir, 'nothing-here'));
    assert.equal(empty.code, 0);
    assert.match(empty.stdout, /^no keys in .*nothing-here\/\.aos\/keys; create one with `aos key gen/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('key rotate: the world trusts the new key and retires the old; files swapped, 0600 kept, --json and text output, unknown names refused', async () => {
  const { cpSync } = await import('node:fs');
  const { buildWorld, writeModuleHashes } = await import('../../src/cli/build/index.ts');
  const { EmbeddedWorld } = await import('../../src/node/index.ts');
  const dir = mkdtempSync(join(tmpdir(), 'aos-key-rotate-'));
  try {
    cpSync(join(ROOT, 'test/fixtures/worlds/runner'), dir, { recursive: true });
    writeModuleHashes(dir, (await buildWorld(dir)).modules);
    const gen = aos('key', 'gen', '--root', dir, '--name', 'blob.default', '--role', 'adapter', '--json');
    assert.equal(gen.code, 0, gen.stderr);
    const old = JSON.parse(gen.stdout) as KeyJson;
    (await EmbeddedWorld.create(dir)).close();

    const rotated = aos('key', 'rotate', 'blob.default', '--root', dir, '--json');
    assert.equal(rotated.code, 0, rotated.stderr);
    const done = JSON.parse(rotated.stdout) as { adapter_id: string; trusted: string; retired: string; retired_files: string; height: number };
    assert.deepEqual([done.adapter_id, done.retired, typeof done.height], ['blob.default', old.public_key, 'number']);
    assert.notEqual(done.trusted, old.public_key);
    assert.equal(statSync(join(dir, '.aos/keys/blob.default.key')).mode & 0o777, 0o600);
    assert.equal(statSync(`${done.retired_files}.key`).mode & 0o777, 0o600);
    const ls = JSON.parse(aos('key', 'ls', '--root', dir, '--json').stdout) as { keys: KeyJson[]; warnings: string[] };
    assert.deepEqual(ls.keys.map((key) => key.public_key), [done.trusted]);
    assert.deepEqual(ls.warnings, []);

    const again = aos('key', 'rotate', 'blob.default', '--root', dir);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /^rotated adapter key blob.default: now ed25519:[0-9a-f]{64}\n {2}retired (ed25519:[0-9a-f]{64}) from height \d+: receipts it signs from now on are refused/);
    assert.ok(again.stdout.includes(`retired ${done.trusted}`), 'the second rotation retires the first one\'s key');
    const world = await EmbeddedWorld.open(dir, { readOnly: true });
    try {
      assert.deepEqual(world.tail(0, 100, 'key_rotation').length, 2);
    } finally {
      world.close();
    }
    const missing = aos('key', 'rotate', 'nobody', '--root', dir);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /no adapter key named nobody/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
