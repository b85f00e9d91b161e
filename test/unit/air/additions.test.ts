// Goal: our additions to AIR (DESIGN §4) load, validate and hash, and upstream documents stay valid.
// Method: a world that uses module runtime and limits, require_approval, grant budgets and an
// approval policy with rules; then checks that each addition changes the manifest hash (it is
// part of the node) and that a patch can change the approval policy under its pre_hash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinCatalog, compilePatch, loadWorld, sectionHash } from '../../../src/air/index.ts';
import { hashValue, isHash, parseHash } from '../../../src/cbor/index.ts';

const KEY_A = `ed25519:${'a1'.repeat(32)}`;
const KEY_B = `ed25519:${'b2'.repeat(32)}`;

function documents(overrides: { budget?: unknown; approval?: unknown; runtime?: string } = {}) {
  const module = {
    $kind: 'defmodule', name: 'app/Agent@1', module_kind: 'workflow', runtime: overrides.runtime ?? 'js', limits: { instructions: 5000, memory_bytes: 8_388_608 },
    abi: { workflow: { state: 'app/State@1', event: 'app/State@1', effects_emitted: ['http.request'], cap_slots: { net: 'http.out' } } },
  };
  const manifest = {
    $kind: 'manifest', air_version: '1', schemas: [{ name: 'app/State@1' }], modules: [{ name: 'app/Agent@1' }],
    effects: [{ name: 'sys/http.request@1' }], caps: [], policies: [{ name: 'app/gate@1' }],
    defaults: { policy: 'app/gate@1', cap_grants: [{ name: 'net', cap: 'sys/http.out@1', params: { hosts: ['api.example.com'] }, budget: overrides.budget ?? { cost_cents: 500, count: 100, window_ns: 86_400_000_000_000 } }] },
    module_bindings: { 'app/Agent@1': { slots: { net: 'net' } } },
    routing: { subscriptions: [{ event: 'app/State@1', module: 'app/Agent@1' }] },
    approval_policy: overrides.approval ?? {
      principals: [{ name: 'alice', public_key: KEY_A }, { name: 'bob', public_key: KEY_B }], quorum: 1,
      rules: [{ touches: ['defcap', 'defpolicy', 'defaults'], quorum: 2 }],
    },
  };
  return [
    { file: 'air/schemas.air.json', text: JSON.stringify([{ $kind: 'defschema', name: 'app/State@1', type: { record: { n: { nat: {} } } } }]) },
    { file: 'air/modules.air.json', text: JSON.stringify([module]) },
    { file: 'air/policies.air.json', text: JSON.stringify([{ $kind: 'defpolicy', name: 'app/gate@1', rules: [{ when: { effect_kind: 'http.request', origin_kind: 'workflow' }, decision: 'require_approval' }, { when: {}, decision: 'deny' }] }]) },
    { file: 'air/manifest.air.json', text: JSON.stringify(manifest) },
  ];
}

function load(overrides: Parameters<typeof documents>[0] = {}) {
  const result = loadWorld(documents(overrides), { base: builtinCatalog() });
  assert.deepEqual(result.errors.map((error) => error.message), []);
  assert.ok(result.world?.manifest);
  return result.world;
}

test('a world using every addition loads, with the additions kept in its canonical nodes', () => {
  const world = load();
  const manifest = world.manifest!.node;
  assert.equal(manifest.approval_policy?.quorum, 1);
  assert.deepEqual(manifest.defaults?.cap_grants?.[0]?.budget, { cost_cents: 500, count: 100, window_ns: 86_400_000_000_000 });
  const module = world.index.get('defmodule', 'app/Agent@1');
  assert.equal(module?.def.runtime, 'js');
  assert.equal(world.index.get('defpolicy', 'app/gate@1')?.def.rules[0]?.decision, 'require_approval');
});

test('each addition is part of the identity of its node', () => {
  const base = load().manifest!.hash;
  assert.notEqual(load({ budget: { count: 99 } }).manifest!.hash, base);
  assert.notEqual(load({ approval: { principals: [{ name: 'alice', public_key: KEY_A }], quorum: 1 } }).manifest!.hash, base);
  const wasm = load({ runtime: 'wasm' });
  assert.notEqual(wasm.index.get('defmodule', 'app/Agent@1')?.hash, load().index.get('defmodule', 'app/Agent@1')?.hash);
});

test('an approval rule naming an unknown principal is refused', () => {
  const result = loadWorld(documents({ approval: { principals: [{ name: 'alice', public_key: KEY_A }], quorum: 1, rules: [{ touches: ['defcap'], quorum: 1, principals: ['mallory'] }] } }), { base: builtinCatalog() });
  assert.ok(result.errors.some((error) => error.code === 'DANGLING_REF' && /approval_policy\.rules\[0\].*"mallory"/.test(error.message)));
});

test('a patch can replace the approval policy, guarded by its pre_hash', () => {
  const world = load();
  const base = { manifest: world.manifest!, index: world.index };
  const next = { principals: [{ name: 'alice', public_key: KEY_A }, { name: 'bob', public_key: KEY_B }], quorum: 2 };
  const ok = compilePatch({ base_manifest_hash: base.manifest.hash, patches: [{ set_approval_policy: { pre_hash: sectionHash(base.manifest.node, 'approval_policy'), approval_policy: next } }] }, base);
  assert.ok(ok.ok, ok.ok ? '' : ok.errors.map((error) => error.message).join(' | '));
  assert.equal(ok.patch.candidate.node.approval_policy?.quorum, 2);
  assert.deepEqual(ok.patch.summary.touches, ['approval_policy']);
  const stale = compilePatch({ base_manifest_hash: base.manifest.hash, patches: [{ set_approval_policy: { pre_hash: hashValue(null), approval_policy: next } }] }, base);
  assert.ok(!stale.ok && stale.errors[0]?.code === 'STALE_PRE_HASH');
});

test('Hash parsing accepts only sha256: and 64 lowercase hex digits, and says why not', () => {
  const good = `sha256:${'0f'.repeat(32)}`;
  assert.equal(parseHash(good), good);
  assert.ok(isHash(good));
  assert.throws(() => parseHash(`sha256:${'0F'.repeat(32)}`), /uppercase hex digits/);
  assert.throws(() => parseHash(`sha1:${'0f'.repeat(32)}`), /does not start with "sha256:"/);
  assert.throws(() => parseHash('sha256:abc'), /has 3 hex digits/);
  assert.throws(() => parseHash(`sha256:${'zz'.repeat(32)}`), /not hex digits/);
});
