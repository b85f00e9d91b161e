// Goal: the node's secrets resolver gives a declared defsecret's value from its binding
// (env:NAME → environment, then the root's .env; other bindings → the vault), refuses
// undeclared secrets, grants outside allowed_caps and digest mismatches, and never puts a value
// in an error; the .env reader handles quotes, comments, export, empty values, no interpolation.
// Method: a temporary root with a .env file and a vault under a key from the test environment;
// each refusal's message checked for what it names and scanned for the value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DefSecret } from '../../../src/air/index.ts';
import { hashBytes } from '../../../src/cbor/index.ts';
import { parseDotenv } from '../../../src/node/dotenv.ts';
import { NodeSecrets } from '../../../src/node/secrets.ts';
import { VAULT_KEY_ENV } from '../../../src/node/vault-key.ts';
import { Vault } from '../../../src/node/vault.ts';
import { nodeRefusal } from '../../support/node-refusal.ts';

const SECRET = 'sk-live-0123456789abcdef0123456789abcdef';
const ENV = { [VAULT_KEY_ENV]: randomBytes(32).toString('base64') };

function secret(name: string, binding: string, extra: Partial<DefSecret> = {}): DefSecret {
  return { $kind: 'defsecret', name, binding_id: binding, allowed_caps: ['cap_llm'], ...extra };
}

function withRoot(work: (root: string) => void): void {
  const root = mkdtempSync(join(tmpdir(), 'aos-secrets-'));
  try {
    work(root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}


test('env: bindings read the environment first, then the root\'s .env', () => withRoot((root) => {
  writeFileSync(join(root, '.env'), `OPENAI_API_KEY=${SECRET}\nOTHER=from-file\n`);
  const secrets = [secret('llm/openai_api@1', 'env:OPENAI_API_KEY'), secret('llm/other@1', 'env:OTHER')];
  assert.equal(new NodeSecrets({ root, secrets, env: ENV }).resolve('llm/openai_api@1'), SECRET);
  assert.equal(new NodeSecrets({ root, secrets, env: { ...ENV, OTHER: 'from-env' } }).resolve('llm/other@1'), 'from-env');
}));

test('an unset variable is refused, saying where it was looked for', () => withRoot((root) => {
  const resolver = new NodeSecrets({ root, secrets: [secret('llm/openai_api@1', 'env:OPENAI_API_KEY')], env: ENV });
  nodeRefusal(() => resolver.resolve('llm/openai_api@1'), 'SECRET_UNAVAILABLE', 'llm/openai_api@1', 'OPENAI_API_KEY', join(root, '.env'));
  writeFileSync(join(root, '.env'), 'OPENAI_API_KEY=\n');
  nodeRefusal(() => resolver.resolve('llm/openai_api@1'), 'SECRET_UNAVAILABLE', 'is empty', join(root, '.env'));
}));

test('vault bindings (bare or vault:) read the active version of the entry', () => withRoot((root) => {
  new Vault(root, { env: ENV }).put('llm/openai_api', new TextEncoder().encode(SECRET));
  const secrets = [secret('llm/openai_api@1', 'llm/openai_api'), secret('llm/prefixed@1', 'vault:llm/openai_api'), secret('llm/missing@1', 'llm/missing')];
  const resolver = new NodeSecrets({ root, secrets, env: ENV });
  assert.equal(resolver.resolve('llm/openai_api@1'), SECRET);
  assert.equal(resolver.resolve('llm/prefixed@1'), SECRET);
  nodeRefusal(() => resolver.resolve('llm/missing@1'), 'SECRET_UNAVAILABLE', 'llm/missing@1', 'vault entry llm/missing', 'aos vault put');
}));

test('undeclared secrets and grants outside allowed_caps are refused', () => withRoot((root) => {
  const resolver = new NodeSecrets({ root, secrets: [secret('llm/openai_api@1', 'env:K')], env: { ...ENV, K: SECRET } });
  nodeRefusal(() => resolver.resolve('llm/anthropic_api@1'), 'SECRET_NOT_ALLOWED', 'llm/anthropic_api@1', 'not declared', 'llm/openai_api@1');
  assert.equal(resolver.forGrant('cap_llm').resolve('llm/openai_api@1'), SECRET);
  nodeRefusal(() => resolver.forGrant('cap_http').resolve('llm/openai_api@1'), 'SECRET_NOT_ALLOWED', '"cap_http"', '"cap_llm"');
}));

test('a declared expected_digest must match the value', () => withRoot((root) => {
  const good = secret('a@1', 'env:K', { expected_digest: hashBytes(new TextEncoder().encode(SECRET)) });
  const bad = secret('b@1', 'env:K', { expected_digest: hashBytes(new TextEncoder().encode('other')) });
  const resolver = new NodeSecrets({ root, secrets: [good, bad], env: { K: SECRET } });
  assert.equal(resolver.resolve('a@1'), SECRET);
  nodeRefusal(() => resolver.resolve('b@1'), 'SECRET_DIGEST_MISMATCH', 'b@1', 'environment variable K');
  nodeRefusal(() => new NodeSecrets({ root, secrets: [secret('c@1', 'env:1BAD')], env: {} }).resolve('c@1'), 'SECRET_UNAVAILABLE', 'env:1BAD');
}));

test('.env: quotes, comments, export, empty values, no interpolation, last wins', () => {
  const text = [
    '# a comment', '', '  export EXPORTED=yes', 'PLAIN = value with spaces   # trailing comment', 'HASH=abc#def',
    "SINGLE='literal $HOME \\n # not a comment'", 'DOUBLE="line\\nnext \\"q\\" $HOME"', 'EMPTY=', 'EMPTY_QUOTED=""',
    'DUP=first', 'DUP=second', 'QUOTED_COMMENT="x" # ok', '\r',
  ].join('\r\n');
  assert.deepEqual(Object.fromEntries(parseDotenv(text, '.env')), {
    EXPORTED: 'yes', PLAIN: 'value with spaces', HASH: 'abc#def', SINGLE: 'literal $HOME \\n # not a comment',
    DOUBLE: 'line\nnext "q" $HOME', EMPTY: '', EMPTY_QUOTED: '', DUP: 'second', QUOTED_COMMENT: 'x',
  });
});

test('.env: malformed lines are refused with their line number and never their text', () => {
  const cases: Array<[string, string]> = [
    [`not a line ${SECRET}`, 'line 1 is not KEY=value'], [`K="${SECRET}`, 'does not close'], [`K='${SECRET}' trailing`, 'after its closing quote'],
    [`\nK="${SECRET}\\q"`, 'line 2 has an unknown escape'], [`1K=${SECRET}`, 'line 1 is not KEY=value'],
  ];
  for (const [text, fragment] of cases) nodeRefusal(() => parseDotenv(text, '/w/.env'), 'DOTENV_INVALID', '/w/.env', fragment);
});
