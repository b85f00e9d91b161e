// Goal: layers only import downward (DESIGN §2): cbor → air → sandbox/store → kernel → adapters → node → cli; sdk and agent on top.
// Method: scan every import specifier under src/ and compare the rank of the importing and imported folders.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';

const SRC = join(import.meta.dirname, '../../src');
const RANK: Record<string, number> = { cbor: 0, air: 1, sandbox: 2, store: 2, kernel: 3, adapters: 4, node: 5, cli: 6, sdk: 7, agent: 7 };

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

test('no module imports from a higher layer', () => {
  const violations: string[] = [];
  for (const file of files(SRC)) {
    const layer = relative(SRC, file).split('/')[0] ?? '';
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)) {
      const target = relative(SRC, resolve(dirname(file), match[1] ?? ''));
      const targetLayer = target.split('/')[0] ?? '';
      if (targetLayer === layer || target.startsWith('..')) continue;
      const from = RANK[layer];
      const to = RANK[targetLayer];
      assert.ok(from !== undefined, `unknown layer folder src/${layer}`);
      if (to === undefined || to > from || (to === from && targetLayer !== layer)) violations.push(`${relative(SRC, file)} imports ${target}`);
    }
  }
  assert.deepEqual(violations, []);
});

