// Goal: `aos gov propose --from <folder>` writes the patch that turns the world's manifest into
// exactly the folder's: compiled against the world's manifest, its candidate hashes to the
// folder's manifest (defs added, replaced and removed, routing, defaults, schemas); a folder that
// changes nothing is refused with a hint.
// Method: ladder 06's v1 world and its upgrade/ folder (modules unbuilt: their zero wasm_hash is
// part of both manifests), loaded from disk; the patch compiled with the AIR patch compiler.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { compilePatch, loadWorldPath } from '../../../src/air/index.ts';
import type { AirWorld } from '../../../src/air/index.ts';
import { compileManifest } from '../../../src/kernel/index.ts';
import { NodeError, patchFromFolder } from '../../../src/node/index.ts';
import { ROOT } from '../../support/kernel-fixture.ts';

const V1 = join(ROOT, 'worlds/ladder/06-safe-upgrade');

function load(dir: string): AirWorld {
  const loaded = loadWorldPath(dir);
  assert.ok(loaded.world !== null && loaded.world.manifest !== null, loaded.errors.map((error) => error.message).join('\n'));
  return loaded.world;
}

test('the folder patch compiles against the world to exactly the folder\'s manifest', () => {
  const base = load(V1);
  const target = load(join(V1, 'upgrade'));
  assert.ok(base.manifest !== null && target.manifest !== null);
  const view = compileManifest(base.manifest.node, base.manifest.hash, base.index);
  const patch = patchFromFolder(view, target, 'upgrade/');
  assert.equal(patch.base_manifest_hash, base.manifest.hash);
  assert.deepEqual(patch.patches.map((op) => Object.keys(op)[0]).sort(), ['add_def', 'add_def', 'add_def', 'remove_def', 'remove_def', 'set_defaults', 'set_routing_events']);
  const compiled = compilePatch(JSON.parse(JSON.stringify(patch)), { manifest: base.manifest, index: view.index });
  assert.ok(compiled.ok, compiled.ok ? '' : compiled.errors.map((error) => error.message).join('\n'));
  assert.equal(compiled.patch.candidate.hash, target.manifest.hash);
});

test('a folder that describes the manifest in force is refused', () => {
  const base = load(V1);
  assert.ok(base.manifest !== null);
  const view = compileManifest(base.manifest.node, base.manifest.hash, base.index);
  assert.throws(() => patchFromFolder(view, base, 'same/'), (error: unknown) => error instanceof NodeError && error.code === 'BAD_INPUT' && /same\/ describes the manifest the world already runs .*there is nothing to propose/.test(error.message));
});
