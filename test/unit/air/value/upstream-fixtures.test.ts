// Goal: the cap grant params of every upstream fixture manifest (canonical JSON lens) read
// against their cap's schema, and come back out unchanged in meaning through both lenses.
// Method: load each fixture's defcaps and defschemas plus the built-in catalog, read each
// grant's params with valueFromJson, and round-trip them through the canonical and sugar lenses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { TypeAst } from '../../../../src/air/type-ast.ts';
import { valueFromJson, valueToCanonicalJson, valueToSugarJson } from '../../../../src/air/value/index.ts';
import { assertSameBytes, schemasOf } from './support.ts';

const UPSTREAM = join(import.meta.dirname, '../../../fixtures/upstream-air');

interface Def { readonly $kind: string; readonly name: string; readonly type?: TypeAst; readonly schema?: TypeAst }
interface Grant { readonly name: string; readonly cap: string; readonly params?: unknown }

function defsIn(folder: string): Def[] {
  return readdirSync(folder).filter((name) => name.endsWith('.air.json')).flatMap((name) => {
    const json: unknown = JSON.parse(readFileSync(join(folder, name), 'utf8'));
    return (Array.isArray(json) ? json : [json]) as Def[];
  });
}

function airFolders(): string[] {
  const root = join(UPSTREAM, 'fixtures');
  return readdirSync(root).flatMap((fixture) => readdirSync(join(root, fixture))
    .filter((name) => name.startsWith('air') && statSync(join(root, fixture, name)).isDirectory())
    .map((name) => join(root, fixture, name)));
}

test('every upstream cap grant reads against its cap schema and round-trips', () => {
  const builtin = defsIn(join(UPSTREAM, 'spec/defs'));
  let grants = 0;
  for (const folder of airFolders()) {
    const defs = [...builtin, ...defsIn(folder)];
    const table: Record<string, TypeAst> = {};
    for (const def of defs) if (def.$kind === 'defschema' && def.type !== undefined) table[def.name] = def.type;
    const schemas = schemasOf(table);
    const manifest = defs.find((def) => def.$kind === 'manifest') as unknown as { defaults?: { cap_grants?: Grant[] } } | undefined;
    for (const grant of manifest?.defaults?.cap_grants ?? []) {
      const cap = defs.find((def) => def.$kind === 'defcap' && def.name === grant.cap);
      assert.ok(cap?.schema !== undefined, `${folder}: cap ${grant.cap} is defined`);
      const value = valueFromJson(grant.params, cap.schema, schemas, { file: folder, path: `.${grant.name}.params` });
      const canonical = valueToCanonicalJson(value, cap.schema, schemas);
      assert.deepEqual(valueFromJson(canonical, cap.schema, schemas, {}), value);
      assertSameBytes(valueFromJson(valueToSugarJson(value, cap.schema, schemas), cap.schema, schemas, {}), value, `${folder} ${grant.name}`);
      grants += 1;
    }
  }
  assert.ok(grants >= 20, `read ${grants} grants`);
});
