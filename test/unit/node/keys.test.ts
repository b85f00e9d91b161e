// Goal: the key store in <root>/.aos/keys creates private keys with mode 0600 from the start,
// never overwrites a key, refuses unsafe names, notices loose modes and damaged files (saying
// exactly how to fix them), and never shows a private key in a listing or an error.
// Method: real files in a temporary root; umask 0 so only the mode given at creation can make
// 0600; chmod, symlinks and swapped files for the damage; fast-check (a failure prints its
// seed and path) over arbitrary names; every output and error scanned for the secret bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parsePublicKeyId, verifyReceiptSignature } from '../../../src/kernel/index.ts';
import type { Hash } from '../../../src/cbor/index.ts';
import { generateKey, keysDirectory, listKeys, loadApprovalSigner, loadSigner, NodeError } from '../../../src/node/index.ts';
import { checkKeyName } from '../../../src/node/key-name.ts';
import { nodeRefusal } from '../../support/node-refusal.ts';

const NOW = () => new Date('2030-01-02T03:04:05.678Z');

function withRoot(work: (root: string) => void): void {
  const root = mkdtempSync(join(tmpdir(), 'aos-keys-'));
  try {
    work(root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}


/** The ways a private key file's secret could leak into text: PEM body, raw seed in hex and base64. */
function secretsOf(privateKeyFile: string): string[] {
  const pem = readFileSync(privateKeyFile, 'utf8');
  const seed = Buffer.from(createPrivateKey(pem).export({ format: 'jwk' }).d ?? '', 'base64url');
  assert.equal(seed.length, 32);
  const body = pem.split('\n').filter((line) => line !== '' && !line.startsWith('-----')).join('');
  return [body, seed.toString('hex'), seed.toString('base64'), seed.toString('base64url')];
}

function assertNoSecret(text: string, secrets: readonly string[]): void {
  for (const secret of secrets) assert.ok(!text.includes(secret), `the text shows a private key: ${text}`);
}

test('gen: private key 0600 even under umask 0, public files 0644, folder 0700, metadata from the node clock', () => {
  withRoot((root) => {
    const before = process.umask(0);
    try {
      const key = generateKey(root, { name: 'http', role: 'adapter', now: NOW });
      assert.equal(statSync(key.private_key_file).mode & 0o777, 0o600);
      assert.equal(statSync(key.public_key_file).mode & 0o777, 0o644);
      assert.equal(statSync(join(keysDirectory(root), 'http.json')).mode & 0o777, 0o644);
      assert.equal(statSync(keysDirectory(root)).mode & 0o777, 0o700);
      assert.deepEqual(key, {
        name: 'http', role: 'adapter', public_key: key.public_key, created_at: '2030-01-02T03:04:05.678Z',
        private_key_file: join(root, '.aos/keys/http.key'), public_key_file: join(root, '.aos/keys/http.pub'),
      });
      assert.match(key.public_key, /^ed25519:[0-9a-f]{64}$/);
      assert.match(readFileSync(key.private_key_file, 'utf8'), /^-----BEGIN PRIVATE KEY-----\n/);
      assert.deepEqual(JSON.parse(readFileSync(join(keysDirectory(root), 'http.json'), 'utf8')), { name: 'http', role: 'adapter', public_key: key.public_key, created_at: '2030-01-02T03:04:05.678Z' });
      assert.deepEqual(listKeys(root), { directory: keysDirectory(root), keys: [key], warnings: [] });
    } finally {
      process.umask(before);
    }
  });
});

test('gen refuses to overwrite a key, or the leftovers of an interrupted one, and changes nothing', () => {
  withRoot((root) => {
    const key = generateKey(root, { name: 'http', role: 'adapter', now: NOW });
    const before = readFileSync(key.private_key_file);
    nodeRefusal(() => generateKey(root, { name: 'http', role: 'principal' }), 'KEY_EXISTS', 'a key named http already exists', key.private_key_file, 'choose another --name', 'never overwritten');
    assert.deepEqual(readFileSync(key.private_key_file), before);
    assert.deepEqual(readdirSync(keysDirectory(root)).sort(), ['http.json', 'http.key', 'http.pub']);
    writeFileSync(join(keysDirectory(root), 'half.key'), 'partial', { mode: 0o600 });
    nodeRefusal(() => generateKey(root, { name: 'half', role: 'adapter' }), 'KEY_EXISTS', join(keysDirectory(root), 'half.key'));
    assert.equal(readFileSync(join(keysDirectory(root), 'half.key'), 'utf8'), 'partial');
  });
});

const BAD_NAMES: ReadonlyArray<readonly [string, string]> = [
  ['', 'it is empty'],
  ['../escape', 'it contains a path separator'],
  ['a/b', 'it contains a path separator'],
  ['a\\b', 'it contains a path separator'],
  ['..', 'it contains ".."'],
  ['a..b', 'it contains ".."'],
  ['.hidden', 'it starts with "."'],
  ['-flag', 'it starts with "-"'],
  ['Alice', 'uppercase'],
  ['a b', 'it contains " "'],
  ['café', 'it contains "é"'],
  ['nul\u0000', 'it contains "\\u0000"'],
  ['x'.repeat(65), 'it has 65 characters; the most is 64'],
];

test('bad names and roles are refused, naming the input, and nothing is written', () => {
  withRoot((root) => {
    for (const [name, problem] of BAD_NAMES) {
      const error = nodeRefusal(() => generateKey(root, { name, role: 'adapter' }), 'BAD_KEY_NAME', `key name ${JSON.stringify(name.length > 80 ? `${name.slice(0, 77)}...` : name)} is not allowed`, problem, 'lowercase letters');
      assert.ok(error.hint?.includes('at most 64 characters'));
      nodeRefusal(() => loadSigner(root, name), 'BAD_KEY_NAME', problem);
    }
    nodeRefusal(() => generateKey(root, { name: 'ok', role: 'root' }), 'BAD_INPUT', 'key role "root" is not known', '--role adapter or --role principal');
    nodeRefusal(() => generateKey(join(root, 'missing'), { name: 'ok', role: 'adapter' }), 'BAD_INPUT', 'is not a folder');
    assert.deepEqual(readdirSync(root), []);
  });
});

test('any name is accepted only if it is a plain file name inside the keys folder', () => {
  fc.assert(fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[a-z0-9._\/-]{0,70}$/)), (name) => {
    try {
      checkKeyName(name);
    } catch (error) {
      assert.ok(error instanceof NodeError && error.code === 'BAD_KEY_NAME', String(error));
      return;
    }
    assert.match(name, /^[a-z0-9][a-z0-9._-]{0,63}$/);
    assert.ok(!name.includes('..'));
  }), { numRuns: 5_000 });
});

test('loose modes: ls warns with the exact chmod, loadSigner refuses until it is fixed', () => {
  withRoot((root) => {
    const key = generateKey(root, { name: 'http', role: 'adapter', now: NOW });
    for (const mode of [0o640, 0o604, 0o660, 0o644, 0o601]) {
      chmodSync(key.private_key_file, mode);
      const listing = listKeys(root);
      assert.equal(listing.keys.length, 1, 'the key is still listed');
      assert.equal(listing.warnings.length, 1);
      assert.ok(listing.warnings[0]?.includes(`has mode 0${mode.toString(8)}`), listing.warnings[0]);
      assert.ok(listing.warnings[0]?.includes(`chmod 600 ${key.private_key_file}`), listing.warnings[0]);
      nodeRefusal(() => loadSigner(root, 'http'), 'KEY_INSECURE', `private key ${key.private_key_file} has mode 0${mode.toString(8)}`, `chmod 600 ${key.private_key_file}`);
    }
    chmodSync(key.private_key_file, 0o400);
    assert.deepEqual(listKeys(root).warnings, [], 'stricter than 0600 is fine');
    chmodSync(key.private_key_file, 0o600);
    assert.equal(loadSigner(root, 'http').keyId, key.public_key);
    chmodSync(keysDirectory(root), 0o777);
    assert.ok(listKeys(root).warnings.some((warning) => warning.includes(`chmod 700 ${keysDirectory(root)}`)));
  });
});

test('a symlinked private key is refused, even one pointing at a 0600 file', () => {
  withRoot((root) => {
    const key = generateKey(root, { name: 'http', role: 'adapter', now: NOW });
    const elsewhere = join(root, 'elsewhere.key');
    writeFileSync(elsewhere, readFileSync(key.private_key_file), { mode: 0o600 });
    unlinkSync(key.private_key_file);
    symlinkSync(elsewhere, key.private_key_file);
    nodeRefusal(() => loadSigner(root, 'http'), 'KEY_INSECURE', 'is a symbolic link');
    assert.ok(listKeys(root).warnings.some((warning) => warning.includes('is a symbolic link')));
  });
});

test('loadSigner: an adapter key signs receipts that verify under its listed public key; other roles and names are refused', () => {
  withRoot((root) => {
    generateKey(root, { name: 'blob.local', role: 'adapter', now: NOW });
    generateKey(root, { name: 'alice', role: 'principal', now: NOW });
    const listed = listKeys(root).keys;
    assert.deepEqual(listed.map((key) => [key.name, key.role]), [['alice', 'principal'], ['blob.local', 'adapter']]);
    const signer = loadSigner(root, 'blob.local');
    assert.equal(signer.adapterId, 'blob.local');
    const fields = { intent_hash: `sha256:${'01'.repeat(32)}` as Hash, adapter_id: 'blob.local', status: 'ok', payload_hash: `sha256:${'02'.repeat(32)}` as Hash, cost_cents: 0 };
    assert.ok(verifyReceiptSignature(parsePublicKeyId(listed[1]?.public_key ?? ''), fields, signer.sign(fields)));
    nodeRefusal(() => loadSigner(root, 'alice'), 'KEY_ROLE', 'key alice is a principal key', '--role adapter');
    nodeRefusal(() => loadSigner(root, 'nobody'), 'NO_KEY', 'no key named nobody', 'aos key ls', 'aos key gen');
  });
});

test('damaged or swapped files are reported, never trusted', () => {
  withRoot((root) => {
    const a = generateKey(root, { name: 'a', role: 'adapter', now: NOW });
    const b = generateKey(root, { name: 'b', role: 'adapter', now: NOW });
    // a's private key replaced by b's: the recorded public key no longer matches.
    writeFileSync(a.private_key_file, readFileSync(b.private_key_file));
    nodeRefusal(() => loadSigner(root, 'a'), 'KEY_CORRUPT', `private key ${a.private_key_file} does not match the public key ${a.public_key}`);
    // b's public file replaced by a's private key: a private key does not pass for a public one.
    writeFileSync(b.public_key_file, readFileSync(b.private_key_file));
    writeFileSync(join(keysDirectory(root), 'c.json'), '{not json');
    writeFileSync(join(keysDirectory(root), 'orphan.key'), 'x', { mode: 0o600 });
    const listing = listKeys(root);
    assert.deepEqual(listing.keys.map((key) => key.name), ['a']);
    assert.ok(listing.warnings.some((warning) => warning.includes(`public key ${b.public_key_file} does not hold ${b.public_key}`)), listing.warnings.join('\n'));
    assert.ok(listing.warnings.some((warning) => warning.includes('c.json is not valid JSON')));
    assert.ok(listing.warnings.some((warning) => warning.includes('orphan.key has no metadata file')));
    writeFileSync(a.private_key_file, 'not a key');
    nodeRefusal(() => loadSigner(root, 'a'), 'KEY_CORRUPT', 'is not a PEM private key');
  });
});

test('no listing, signer rendering or error message shows a private key', () => {
  withRoot((root) => {
    const key = generateKey(root, { name: 'http', role: 'adapter', now: NOW });
    const secrets = secretsOf(key.private_key_file);
    assertNoSecret(JSON.stringify(listKeys(root)), secrets);
    assertNoSecret(`${String(loadSigner(root, 'http'))} ${JSON.stringify(loadSigner(root, 'http'))}`, secrets);
    const texts: string[] = [];
    const collect = (action: () => unknown) => {
      try {
        action();
      } catch (error) {
        assert.ok(error instanceof NodeError, String(error));
        texts.push(error.message, error.hint ?? '', String(error.stack), error.cause instanceof Error ? `${error.cause.message} ${String(error.cause.stack)}` : String(error.cause ?? ''));
      }
    };
    collect(() => generateKey(root, { name: 'http', role: 'adapter' }));
    chmodSync(key.private_key_file, 0o644);
    collect(() => loadSigner(root, 'http'));
    texts.push(...listKeys(root).warnings);
    chmodSync(key.private_key_file, 0o600);
    writeFileSync(key.public_key_file, readFileSync(key.private_key_file));
    texts.push(...listKeys(root).warnings);
    writeFileSync(join(keysDirectory(root), 'http.json'), readFileSync(key.private_key_file));
    collect(() => loadSigner(root, 'http'));
    texts.push(...listKeys(root).warnings);
    assert.ok(texts.length >= 6, texts.join('\n'));
    assertNoSecret(texts.join('\n'), secrets);
  });
});

test('loadApprovalSigner takes a key name in the root, or the path of a principal key file in another root; anything else is refused', () => {
  withRoot((world) => withRoot((person) => {
    const alice = generateKey(person, { name: 'alice', role: 'principal', now: NOW });
    const byFile = loadApprovalSigner(world, alice.private_key_file);
    assert.equal(byFile.keyId, alice.public_key, 'a key file from another root signs as its principal');
    generateKey(world, { name: 'bob', role: 'principal', now: NOW });
    assert.equal(loadApprovalSigner(world, 'bob').name, 'bob');
    nodeRefusal(() => loadApprovalSigner(world, join(person, 'alice.key')), 'BAD_INPUT', 'not a private key file made by aos key gen', '.aos/keys');
    nodeRefusal(() => loadApprovalSigner(world, 'alice'), 'NO_KEY', 'no key named alice');
    const adapter = generateKey(person, { name: 'blob.default', role: 'adapter', now: NOW });
    nodeRefusal(() => loadApprovalSigner(world, adapter.private_key_file), 'KEY_ROLE', 'approvals are signed with principal keys');
  }));
});
