// Goal: the vault stores values sealed with AES-256-GCM, versioned, under a key from
// AOS_VAULT_KEY or a 0600 key file; it refuses tampered, moved or wrongly keyed entries with an
// error naming the entry, and never shows a value in its files, errors or listings.
// Method: real files in a temporary root under umask 0 (only the creation mode can give 0600);
// bytes flipped, files moved and keys swapped by hand; every file, error and listing scanned.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashBytes } from '../../../src/cbor/index.ts';
import { NodeError } from '../../../src/node/errors.ts';
import { VAULT_KEY_ENV, vaultKeyFile } from '../../../src/node/vault-key.ts';
import { Vault, vaultDirectory } from '../../../src/node/vault.ts';
import { nodeRefusal } from '../../support/node-refusal.ts';

const SECRET = 'sk-test-9f8e7d6c5b4a39281706f5e4d3c2b1a0';
const ENCODER = new TextEncoder();
const NO_ENV = {};

function withRoot(work: (root: string) => void): void {
  const root = mkdtempSync(join(tmpdir(), 'aos-vault-'));
  const umask = process.umask(0);
  try {
    work(root);
  } finally {
    process.umask(umask);
    rmSync(root, { recursive: true, force: true });
  }
}


function assertNoSecret(text: string | Uint8Array): void {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : Buffer.from(text);
  assert.equal(bytes.indexOf(Buffer.from(SECRET, 'utf8')), -1, 'the secret value appears');
  assert.equal(bytes.indexOf(Buffer.from(SECRET, 'utf8').toString('base64')), -1, 'the secret value appears in base64');
}

function filesUnder(folder: string): string[] {
  return readdirSync(folder, { recursive: true, encoding: 'utf8' }).map((name) => join(folder, name)).filter((path) => statSync(path).isFile());
}

function versionFile(root: string, name: string, version: number): string {
  return join(vaultDirectory(root), Buffer.from(name).toString('hex'), `${version}.json`);
}

test('put and read round-trip; put adds versions; read takes the active one or a given one', () => withRoot((root) => {
  const vault = new Vault(root, { env: NO_ENV });
  const first = vault.put('llm/openai_api', ENCODER.encode(SECRET));
  assert.deepEqual(first, { name: 'llm/openai_api', version: 1, digest: hashBytes(ENCODER.encode(SECRET)) });
  const second = vault.put('llm/openai_api', ENCODER.encode('second-value'));
  assert.equal(second.version, 2);
  assert.equal(Buffer.from(vault.read('llm/openai_api').value).toString(), 'second-value');
  assert.equal(Buffer.from(vault.read('llm/openai_api', 1).value).toString(), SECRET);
  assert.deepEqual(new Vault(root, { env: NO_ENV }).list().entries, [{ name: 'llm/openai_api', versions: [1, 2], active: 2 }]);
}));

test('activate (rotate) makes an earlier version active after checking its digest; old versions are kept', () => withRoot((root) => {
  const vault = new Vault(root, { env: NO_ENV });
  vault.put('token', ENCODER.encode(SECRET));
  vault.put('token', ENCODER.encode('newer'));
  nodeRefusal(() => vault.activate('token', 1, hashBytes(ENCODER.encode('newer'))), 'SECRET_DIGEST_MISMATCH', 'token', 'version 1');
  assert.equal(Buffer.from(vault.read('token').value).toString(), 'newer');
  assert.equal(vault.activate('token', 1, hashBytes(ENCODER.encode(SECRET))).version, 1);
  assert.equal(Buffer.from(new Vault(root, { env: NO_ENV }).read('token').value).toString(), SECRET);
  nodeRefusal(() => vault.activate('token', 7, null), 'VAULT_NO_ENTRY', 'version 7', 'token');
  assert.deepEqual(vault.list().entries, [{ name: 'token', versions: [1, 2], active: 1 }]);
}));

test('a retried put with the same request id returns the version it made', () => withRoot((root) => {
  const vault = new Vault(root, { env: NO_ENV });
  assert.equal(vault.put('token', ENCODER.encode(SECRET), 'abc').version, 1);
  assert.equal(vault.put('token', ENCODER.encode(SECRET), 'abc').version, 1);
  assert.equal(vault.put('token', ENCODER.encode(SECRET), 'def').version, 2);
}));

test('the key file is created with mode 0600; a looser mode is refused with the chmod to fix it', () => withRoot((root) => {
  new Vault(root, { env: NO_ENV }).put('token', ENCODER.encode(SECRET));
  const keyFile = vaultKeyFile(root);
  assert.equal(statSync(keyFile).mode & 0o777, 0o600);
  for (const file of filesUnder(vaultDirectory(root))) assert.equal(statSync(file).mode & 0o777, 0o600, file);
  chmodSync(keyFile, 0o644);
  let caught: unknown;
  try {
    new Vault(root, { env: NO_ENV }).read('token');
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof NodeError && caught.code === 'KEY_INSECURE', String(caught));
  assert.ok(caught.hint?.includes(`chmod 600 ${keyFile}`), caught.hint);
}));

test('reading without any key is refused, and never creates one', () => withRoot((root) => {
  nodeRefusal(() => new Vault(root, { env: NO_ENV }).read('token'), 'VAULT_KEY', VAULT_KEY_ENV, vaultKeyFile(root));
  assert.equal(readdirSync(root).length, 0);
}));

test('the key from AOS_VAULT_KEY is used instead of a file; a malformed one is refused without quoting it', () => withRoot((root) => {
  const env = { [VAULT_KEY_ENV]: randomBytes(32).toString('base64') };
  new Vault(root, { env }).put('token', ENCODER.encode(SECRET));
  assert.equal(statSafe(vaultKeyFile(root)), null);
  assert.equal(Buffer.from(new Vault(root, { env }).read('token').value).toString(), SECRET);
  const bad = 'not-a-key-but-secretish';
  const error = nodeRefusal(() => new Vault(root, { env: { [VAULT_KEY_ENV]: bad } }).read('token'), 'VAULT_KEY', VAULT_KEY_ENV);
  assert.ok(!error.message.includes(bad));
  nodeRefusal(() => new Vault(root, { env: { [VAULT_KEY_ENV]: randomBytes(31).toString('base64') } }).read('token'), 'VAULT_KEY');
}));

test('a wrong key is refused, naming the entry and both key ids, and a put under it is refused too', () => withRoot((root) => {
  new Vault(root, { env: { [VAULT_KEY_ENV]: randomBytes(32).toString('base64') } }).put('token', ENCODER.encode(SECRET));
  const other = { [VAULT_KEY_ENV]: randomBytes(32).toString('base64') };
  nodeRefusal(() => new Vault(root, { env: other }).read('token', 1), 'VAULT_KEY', 'vault entry token version 1', 'written under vault key');
  nodeRefusal(() => new Vault(root, { env: other }).read('token'), 'VAULT_KEY', 'token');
  nodeRefusal(() => new Vault(root, { env: other }).put('token', ENCODER.encode('x')), 'VAULT_KEY', 'token');
}));

test('a flipped byte of ciphertext, nonce or tag is refused, naming the entry', () => withRoot((root) => {
  const vault = new Vault(root, { env: NO_ENV });
  vault.put('token', ENCODER.encode(SECRET));
  const path = versionFile(root, 'token', 1);
  const original = readFileSync(path, 'utf8');
  for (const field of ['ciphertext', 'nonce', 'tag'] as const) {
    const record = JSON.parse(original) as Record<string, string>;
    const bytes = Buffer.from(record[field] ?? '', 'base64');
    bytes[0] = (bytes[0] ?? 0) ^ 0x01;
    writeFileSync(path, JSON.stringify({ ...record, [field]: bytes.toString('base64') }));
    nodeRefusal(() => new Vault(root, { env: NO_ENV }).read('token', 1), 'VAULT_TAMPERED', 'vault entry token version 1', path);
  }
  writeFileSync(path, original);
  assert.equal(Buffer.from(new Vault(root, { env: NO_ENV }).read('token', 1).value).toString(), SECRET);
}));

test('an entry moved to another name or version is refused (name and version are authenticated)', () => withRoot((root) => {
  const vault = new Vault(root, { env: NO_ENV });
  vault.put('alpha', ENCODER.encode(SECRET));
  vault.put('beta', ENCODER.encode('beta-value'));
  vault.put('beta', ENCODER.encode('beta-value-2'));
  writeFileSync(versionFile(root, 'beta', 1), readFileSync(versionFile(root, 'alpha', 1)));
  nodeRefusal(() => new Vault(root, { env: NO_ENV }).read('beta', 1), 'VAULT_TAMPERED', 'vault entry beta version 1');
  renameSync(versionFile(root, 'beta', 2), versionFile(root, 'beta', 3));
  nodeRefusal(() => new Vault(root, { env: NO_ENV }).read('beta', 3), 'VAULT_TAMPERED', 'vault entry beta version 3');
  const record = JSON.parse(readFileSync(versionFile(root, 'alpha', 1), 'utf8')) as Record<string, unknown>;
  writeFileSync(versionFile(root, 'alpha', 1), JSON.stringify({ ...record, name: 'beta' }));
  assert.equal(Buffer.from(new Vault(root, { env: NO_ENV }).read('alpha', 1).value).toString(), SECRET, 'the name field is informational: the AAD comes from where the file is');
  mkdirSync(join(vaultDirectory(root), Buffer.from('gamma').toString('hex')));
  renameSync(join(vaultDirectory(root), Buffer.from('alpha').toString('hex'), 'active.json'), join(vaultDirectory(root), Buffer.from('gamma').toString('hex'), 'active.json'));
  nodeRefusal(() => new Vault(root, { env: NO_ENV }).read('gamma'), 'VAULT_TAMPERED', 'active-version record of vault entry gamma');
}));

test('bad names and oversized values are refused', () => withRoot((root) => {
  const vault = new Vault(root, { env: NO_ENV });
  for (const name of ['', '../x', '/abs', 'a'.repeat(129), 'with space']) nodeRefusal(() => vault.put(name, ENCODER.encode('v')), 'VAULT_BAD_INPUT', 'not valid');
  nodeRefusal(() => vault.put('big', new Uint8Array(64 * 1024 + 1)), 'VAULT_BAD_INPUT', 'VAULT_VALUE_BYTES_MAX');
}));

test('no file the vault writes, no listing and no error holds the value', () => withRoot((root) => {
  const vault = new Vault(root, { env: NO_ENV });
  vault.put('llm/openai_api', ENCODER.encode(SECRET));
  vault.put('llm/openai_api', ENCODER.encode(SECRET));
  vault.activate('llm/openai_api', 1, hashBytes(ENCODER.encode(SECRET)));
  for (const file of filesUnder(join(root, '.aos'))) assertNoSecret(readFileSync(file));
  assertNoSecret(JSON.stringify(vault.list()));
  nodeRefusal(() => vault.activate('llm/openai_api', 2, hashBytes(ENCODER.encode('other'))), 'SECRET_DIGEST_MISMATCH');
  assert.deepEqual(vault.list().warnings, []);
}));

function statSafe(path: string): number | null {
  try {
    return statSync(path).mode;
  } catch {
    return null;
  }
}
