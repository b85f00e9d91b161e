// Goal: module authors can test the very bundle the kernel runs, with values in and out;
// receipts decode to typed payloads; the build is deterministic, refuses Node built-ins,
// warns on module-level state, and a world build stores bundles in the file CAS.
// Method: bundle fixture modules, run them through src/sdk/testing.ts, build a temp world.
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { encodeCanonical, hashBytes } from '../../../src/cbor/index.ts';
import { BuildError, buildWorld, bundleModule } from '../../../src/cli/build/index.ts';
import { ModuleStepError, loadBundle } from '../../../src/sdk/testing.ts';
import { FileCas } from '../../../src/store/index.ts';
import { fixtureBundle, fixturePath } from '../sandbox/fixtures.ts';

test('loadBundle steps a workflow with values: state, events and effects come back decoded', async () => {
  const counter = await loadBundle((await fixtureBundle('counter')).bytes);
  const first = counter.step(null, { schema: 'demo/Increment@1', value: { by: 10, timer: true } }, { logical_now_ns: 5 });
  assert.deepEqual(first.state, { count: 10 });
  assert.deepEqual(first.events, [{ schema: 'demo/Counted@1', value: { count: 10 } }]);
  assert.deepEqual(first.effects, [{ kind: 'timer.set', params: { deliver_at_ns: 1005, key: null }, cap_slot: 'timer', issuer_ref: 'tick' }]);
  const hostile = await loadBundle((await fixtureBundle('hostile/attacks')).bytes);
  assert.throws(() => hostile.step(0, { schema: 'x', value: { attack: 'deliberate' } }), (error: unknown) =>
    error instanceof ModuleStepError && error.failure.kind === 'failed' && error.failure.code === 'NOT_TODAY');
});

test('decodeReceipt gives the typed payload of an http.request receipt', async () => {
  const module = await loadBundle((await fixtureBundle('receipts')).bytes);
  const asked = module.step(null, { schema: 'demo/Go@1', value: null });
  assert.deepEqual(asked.effects.map((item) => [item.kind, item.issuer_ref]), [['http.request', 'fetch-1']]);
  const payload = encodeCanonical({ status: 200, headers: {}, body_ref: null, timings: { start_ns: 1, end_ns: 2 }, adapter_id: 'http.default' }, { selfDescribe: false });
  const envelope = {
    origin_module_id: 'demo/Receipts@1', origin_instance_key: null, intent_id: `sha256:${'3'.repeat(64)}`, effect_kind: 'http.request',
    params_hash: null, issuer_ref: 'fetch-1', receipt_payload: payload, status: 'ok', emitted_at_seq: 1, adapter_id: 'http.default',
    cost_cents: null, signature: new Uint8Array(64),
  };
  const settled = module.step(asked.state, { schema: 'sys/EffectReceiptEnvelope@1', value: envelope });
  assert.deepEqual(settled.state, { status: 200, issuer: 'fetch-1' });
});

test('bundles are deterministic, Node built-ins are refused, module-level state is warned about', async () => {
  const [first, second] = await Promise.all([bundleModule(fixturePath('counter'), { moduleName: 'a' }), bundleModule(fixturePath('counter'), { moduleName: 'b' })]);
  assert.equal(first.hash, second.hash);
  assert.equal(first.hash, hashBytes(first.bytes));
  assert.deepEqual(first.warnings, []);
  assert.ok(!new TextDecoder().decode(first.bytes).includes('/work/'), 'no absolute paths in the bundle');
  await assert.rejects(bundleModule(fixturePath('imports-fs'), { moduleName: 'fs' }), (error: unknown) =>
    error instanceof BuildError && error.code === 'BUNDLE_FAILED' && /imports "node:fs", which cannot run in an AgentOS module/.test(error.message));
  const stateful = await fixtureBundle('stateful');
  assert.equal(stateful.warnings.length, 2, stateful.warnings.join('\n'));
  assert.match(stateful.warnings[0] ?? '', /stateful.ts: module-level `let hidden` can change between steps/);
  assert.match(stateful.warnings[1] ?? '', /module-level `seen` holds a mutable object/);
});

test('buildWorld bundles each module of aos.sync.json into the world CAS', async () => {
  const root = mkdtempSync(join(tmpdir(), 'aos-build-'));
  try {
    mkdirSync(join(root, 'workflows'));
    writeFileSync(join(root, 'workflows', 'counter.ts'), `import { defineWorkflow } from 'agentos/sdk';\ndefineWorkflow<number, null>({ init: () => 0, step: (state) => ({ state: state + 1 }) });\n`);
    writeFileSync(join(root, 'aos.sync.json'), JSON.stringify({ modules: { pull: false }, build: { workflow_dir: 'workflows', modules: { 'demo/Counter@1': 'workflows/counter.ts' } } }));
    const built = await buildWorld(root);
    const hash = built.modules['demo/Counter@1'];
    assert.ok(hash !== undefined);
    const bytes = new FileCas(root).get(hash);
    assert.equal((await loadBundle(bytes)).step(null, { schema: 'x', value: null }).state, 1);
    writeFileSync(join(root, 'aos.sync.json'), JSON.stringify({ build: { modules: { 'demo/Escape@1': '../outside.ts' } } }));
    await assert.rejects(buildWorld(root), /points outside the world root/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
