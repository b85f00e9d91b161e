// Goal: the node's token rules: a token is always required, on loopback too (any
// local process, an agent's host command included, can reach a loopback node): generated once
// into <root>/.aos/node-token readable by its owner only, and reused by the next start, whatever
// the address; a given token file wins; an empty one is refused.
// Method: call nodeToken on temp roots (nothing is bound).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeToken } from '../../../src/node/node-process.ts';

test('a token is generated (mode 0600) and reused, on loopback as beyond it, or read from a given file', () => {
  const root = mkdtempSync(join(tmpdir(), 'aos-node-token-'));
  try {
    const local = nodeToken({ root, host: '127.0.0.1', port: 0 });
    assert.match(local.token ?? '', /^[0-9a-f]{64}$/, 'a loopback node has a token too');
    assert.equal(local.file, join(root, '.aos/node-token'));
    assert.equal(statSync(local.file).mode & 0o777, 0o600, 'only the owner may read it');
    assert.deepEqual(nodeToken({ root, host: '0.0.0.0', port: 0 }), local, 'the next start reuses it, whatever the address');
    assert.deepEqual(nodeToken({ root, host: '127.0.0.1', port: 0 }), local);
    const given = join(root, 'given.txt');
    writeFileSync(given, '  my-token  \n');
    assert.deepEqual(nodeToken({ root, host: '127.0.0.1', port: 0, tokenFile: given }), { token: 'my-token', file: given });
    writeFileSync(given, '\n');
    assert.throws(() => nodeToken({ root, host: '127.0.0.1', port: 0, tokenFile: given }), /token file .* is empty/);
    assert.throws(() => nodeToken({ root, host: '127.0.0.1', port: 0, tokenFile: join(root, 'missing') }), /token file .* is missing/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
