// Goal: each kind of broken AIR a person or agent might write is refused with a message that
// says what is wrong and where (file, def, JSON path), and nothing else about the world is lost.
// Method: a small valid world, then one mutation per case; the load must fail with the expected
// code, and the message must name the place and the problem.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinCatalog, compilePatch, loadWorld, sectionHash } from '../../../src/air/index.ts';
import type { AirDocument, AirErrorCode } from '../../../src/air/index.ts';

type Json = Record<string, unknown>;

function baseWorld(): { schemas: Json[]; modules: Json[]; caps: Json[]; policies: Json[]; manifest: Json } {
  return {
    schemas: [
      { $kind: 'defschema', name: 'app/State@1', type: { record: { count: { nat: {} } } } },
      { $kind: 'defschema', name: 'app/Key@1', type: { text: {} } },
      { $kind: 'defschema', name: 'app/Event@1', type: { record: { cell: { ref: 'app/Key@1' }, inc: { nat: {} } } } },
      { $kind: 'defschema', name: 'app/Color@1', type: { variant: { Red: { unit: {} }, Green: { unit: {} } } } },
    ],
    modules: [
      { $kind: 'defmodule', name: 'app/Counter@1', module_kind: 'workflow', key_schema: 'app/Key@1',
        abi: { workflow: { state: 'app/State@1', event: 'app/Event@1', effects_emitted: ['http.request'], cap_slots: { net: 'http.out' } } } },
    ],
    caps: [{ $kind: 'defcap', name: 'app/net@1', cap_type: 'http.out', schema: { record: {
      hosts: { set: { text: {} } }, limit: { nat: {} }, token: { option: { bytes: {} } }, pin: { option: { hash: {} } },
      id: { option: { uuid: {} } }, mode: { option: { ref: 'app/Color@1' } }, until: { option: { time: {} } },
    } } }],
    policies: [{ $kind: 'defpolicy', name: 'app/policy@1', rules: [{ when: { effect_kind: 'http.request' }, decision: 'allow' }, { when: {}, decision: 'deny' }] }],
    manifest: {
      $kind: 'manifest', air_version: '1',
      schemas: [{ name: 'app/State@1' }, { name: 'app/Key@1' }, { name: 'app/Event@1' }, { name: 'app/Color@1' }, { name: 'sys/HttpRequestParams@1' }],
      modules: [{ name: 'app/Counter@1' }], effects: [{ name: 'sys/http.request@1' }], caps: [{ name: 'app/net@1' }], policies: [{ name: 'app/policy@1' }],
      defaults: { policy: 'app/policy@1', cap_grants: [{ name: 'net', cap: 'app/net@1', params: { hosts: ['example.com'], limit: 5 } }] },
      module_bindings: { 'app/Counter@1': { slots: { net: 'net' } } },
      routing: { subscriptions: [{ event: 'app/Event@1', module: 'app/Counter@1', key_field: 'cell' }] },
    },
  };
}

type World = ReturnType<typeof baseWorld>;

function documents(world: World): AirDocument[] {
  return [
    { file: 'air/schemas.air.json', text: JSON.stringify(world.schemas) },
    { file: 'air/modules.air.json', text: JSON.stringify(world.modules) },
    { file: 'air/caps.air.json', text: JSON.stringify(world.caps) },
    { file: 'air/policies.air.json', text: JSON.stringify(world.policies) },
    { file: 'air/manifest.air.json', text: JSON.stringify(world.manifest) },
  ];
}

function load(world: World, extra: AirDocument[] = []) {
  return loadWorld([...documents(world), ...extra], { base: builtinCatalog() });
}

interface Case {
  readonly name: string;
  readonly mutate: (world: World) => AirDocument[] | void;
  readonly code: AirErrorCode;
  readonly where: RegExp;
  readonly says: RegExp;
}

const m = (world: World) => world.manifest as Json & { defaults: Json & { cap_grants: Json[] }; routing: { subscriptions: Json[] } };
const grant = (world: World) => m(world).defaults.cap_grants[0] as Json;
const module0 = (world: World) => world.modules[0] as Json & { abi: { workflow: Json } };

const CASES: Case[] = [
  { name: 'not JSON', mutate: () => [{ file: 'air/bad.air.json', text: '{"$kind": "defschema",' }], code: 'BAD_JSON', where: /air\/bad\.air\.json/, says: /not valid JSON/ },
  { name: 'unknown kind', mutate: () => [{ file: 'air/x.air.json', text: '{"$kind":"defplan","name":"a/B@1"}' }], code: 'UNKNOWN_KIND', where: /air\/x\.air\.json › a\/B@1 › \.\$kind/, says: /"defplan".*expected one of defschema/ },
  { name: 'missing $kind', mutate: () => [{ file: 'air/x.air.json', text: '[{"name":"a/B@1"}]' }], code: 'UNKNOWN_KIND', where: /\[0\]\.\$kind/, says: /no "\$kind"/ },
  { name: 'a node that is not an object', mutate: () => [{ file: 'air/x.air.json', text: '[42]' }], code: 'UNKNOWN_KIND', where: /x\.air\.json › \[0\]/, says: /found a number, expected an AIR node/ },
  { name: 'bad name (no version)', mutate: (w) => { w.schemas[0]!.name = 'app/State'; }, code: 'SCHEMA_VIOLATION', where: /schemas\.air\.json › app\/State › \[0\]\.name/, says: /namespace\/Name@version/ },
  { name: 'bad name (version 0)', mutate: (w) => { w.schemas[1]!.name = 'app/Key@0'; }, code: 'SCHEMA_VIOLATION', where: /\[1\]\.name/, says: /found "app\/Key@0"/ },
  { name: 'bad name (upper-case namespace)', mutate: (w) => { w.caps[0]!.name = 'App/net@1'; }, code: 'SCHEMA_VIOLATION', where: /caps\.air\.json.*\.name/, says: /"App\/net@1"/ },
  { name: 'unknown field', mutate: (w) => { w.schemas[0]!.typ = {}; }, code: 'SCHEMA_VIOLATION', where: /app\/State@1 › \[0\]/, says: /unknown field "typ"/ },
  { name: 'missing required field', mutate: (w) => { delete w.caps[0]!.cap_type; }, code: 'SCHEMA_VIOLATION', where: /app\/net@1/, says: /missing required field "cap_type"/ },
  { name: 'unknown primitive type', mutate: (w) => { w.schemas[0]!.type = { record: { count: { float: {} } } }; }, code: 'SCHEMA_VIOLATION', where: /\[0\]\.type/, says: /matches none of the allowed shapes|float/ },
  { name: 'map keyed by bool', mutate: (w) => { w.schemas[0]!.type = { map: { key: { bool: {} }, value: { nat: {} } } }; }, code: 'SCHEMA_VIOLATION', where: /\[0\]\.type/, says: /./ },
  { name: 'bad policy decision', mutate: (w) => { (w.policies[0]!.rules as Json[])[0]!.decision = 'maybe'; }, code: 'SCHEMA_VIOLATION', where: /rules\[0\]\.decision/, says: /"maybe", expected one of "allow", "deny", "require_approval"/ },
  { name: 'bad module_kind', mutate: (w) => { module0(w).module_kind = 'reducer'; }, code: 'SCHEMA_VIOLATION', where: /module_kind/, says: /"reducer"/ },
  { name: 'bad runtime', mutate: (w) => { module0(w).runtime = 'python'; }, code: 'SCHEMA_VIOLATION', where: /\.runtime/, says: /"python", expected one of "wasm", "js"/ },
  { name: 'bad wasm_hash', mutate: (w) => { module0(w).wasm_hash = 'sha256:XYZ'; }, code: 'SCHEMA_VIOLATION', where: /\.wasm_hash/, says: /64 lowercase hex/ },
  { name: 'bad effect kind in effects_emitted', mutate: (w) => { module0(w).abi.workflow.effects_emitted = ['HTTP Request']; }, code: 'SCHEMA_VIOLATION', where: /effects_emitted\[0\]/, says: /"HTTP Request"/ },
  { name: 'dangling schema ref in a type', mutate: (w) => { w.schemas[0]!.type = { record: { count: { ref: 'app/Missing@1' } } }; }, code: 'DANGLING_REF', where: /app\/State@1 › \[0\]\.type\.record\.count/, says: /app\/Missing@1/ },
  { name: 'dangling module state schema', mutate: (w) => { module0(w).abi.workflow.state = 'app/Nope@1'; }, code: 'DANGLING_REF', where: /abi\.workflow\.state/, says: /"app\/Nope@1".*add a defschema/ },
  { name: 'dangling key_schema', mutate: (w) => { module0(w).key_schema = 'app/NoKey@1'; }, code: 'DANGLING_REF', where: /\.key_schema/, says: /app\/NoKey@1/ },
  { name: 'manifest lists an unknown schema', mutate: (w) => { (m(w).schemas as Json[]).push({ name: 'app/Ghost@1' }); }, code: 'DANGLING_REF', where: /manifest\.air\.json › \.schemas\[5\]/, says: /lists defschema "app\/Ghost@1"/ },
  { name: 'manifest lists a schema twice', mutate: (w) => { (m(w).schemas as Json[]).push({ name: 'app/Key@1' }); }, code: 'DUPLICATE_NAME', where: /\.schemas\[5\]/, says: /listed twice/ },
  { name: 'manifest pins a wrong hash', mutate: (w) => { (m(w).schemas as Json[])[0] = { name: 'app/State@1', hash: `sha256:${'1'.repeat(64)}` }; }, code: 'HASH_MISMATCH', where: /\.schemas\[0\]\.hash/, says: /hashes to sha256:/ },
  { name: 'duplicate def name', mutate: (w) => { w.schemas.push({ $kind: 'defschema', name: 'app/Key@1', type: { nat: {} } }); }, code: 'DUPLICATE_NAME', where: /app\/Key@1/, says: /defined twice \(first in air\/schemas\.air\.json at \[1\]\)/ },
  { name: 'two manifests', mutate: (w) => [{ file: 'air/other.air.json', text: JSON.stringify(w.manifest) }], code: 'DUPLICATE_NAME', where: /manifest|other/, says: /one manifest; found 2/ },
  { name: 'sys/* redefinition', mutate: (w) => { w.schemas.push({ $kind: 'defschema', name: 'sys/HttpRequestParams@1', type: { text: {} } }); }, code: 'RESERVED_NAME', where: /sys\/HttpRequestParams@1/, says: /redefines built-in/ },
  { name: 'new def in sys/*', mutate: (w) => { w.schemas.push({ $kind: 'defschema', name: 'sys/Mine@1', type: { text: {} } }); }, code: 'RESERVED_NAME', where: /sys\/Mine@1/, says: /reserved sys\/\* namespace/ },
  { name: 'recursive schema', mutate: (w) => { w.schemas.push({ $kind: 'defschema', name: 'app/A@1', type: { list: { ref: 'app/B@1' } } }, { $kind: 'defschema', name: 'app/B@1', type: { option: { ref: 'app/A@1' } } }); }, code: 'RECURSIVE_SCHEMA', where: /app\/[AB]@1/, says: /app\/A@1.*app\/B@1.*app\/A@1|app\/B@1.*app\/A@1.*app\/B@1/ },
  { name: 'self-recursive schema', mutate: (w) => { w.schemas.push({ $kind: 'defschema', name: 'app/Tree@1', type: { record: { kids: { list: { ref: 'app/Tree@1' } } } } }); }, code: 'RECURSIVE_SCHEMA', where: /app\/Tree@1/, says: /app\/Tree@1/ },
  { name: 'routing to an unlisted module', mutate: (w) => { m(w).routing.subscriptions[0]!.module = 'app/Other@1'; }, code: 'DANGLING_REF', where: /routing\.subscriptions\[0\]\.module/, says: /app\/Other@1/ },
  { name: 'routing schema differs from module event', mutate: (w) => { m(w).routing.subscriptions[0]!.event = 'app/Color@1'; }, code: 'ROUTING_MISMATCH', where: /subscriptions\[0\]\.event/, says: /event schema is "app\/Event@1"/ },
  { name: 'wrong key_field', mutate: (w) => { m(w).routing.subscriptions[0]!.key_field = 'cel'; }, code: 'BAD_KEY_FIELD', where: /subscriptions\[0\]\.key_field/, says: /no field "cel".*"cell", "inc"/ },
  { name: 'key_field of the wrong type', mutate: (w) => { m(w).routing.subscriptions[0]!.key_field = 'inc'; }, code: 'BAD_KEY_FIELD', where: /key_field/, says: /different type than the key schema/ },
  { name: 'keyed module without key_field', mutate: (w) => { delete m(w).routing.subscriptions[0]!.key_field; }, code: 'BAD_KEY_FIELD', where: /key_field/, says: /needs a key_field/ },
  { name: 'key_field on an unkeyed module', mutate: (w) => { delete module0(w).key_schema; }, code: 'BAD_KEY_FIELD', where: /key_field/, says: /not keyed/ },
  { name: 'effect kind no def declares', mutate: (w) => { module0(w).abi.workflow.effects_emitted = ['http.request', 'smtp.send']; }, code: 'EFFECT_NOT_DECLARED', where: /manifest\.air\.json › \.effects/, says: /"smtp\.send".*no defeffect of that kind exists/ },
  { name: 'default policy not listed', mutate: (w) => { m(w).defaults.policy = 'app/other@1'; }, code: 'DANGLING_REF', where: /defaults\.policy/, says: /app\/other@1/ },
  { name: 'grant of an unlisted cap', mutate: (w) => { grant(w).cap = 'app/none@1'; }, code: 'DANGLING_REF', where: /cap_grants\[0\]\.cap/, says: /app\/none@1/ },
  { name: 'duplicate grant name', mutate: (w) => { m(w).defaults.cap_grants.push({ ...grant(w) }); }, code: 'DUPLICATE_NAME', where: /cap_grants\[1\]\.name/, says: /"net" is used twice/ },
  { name: 'grant param out of range (negative nat)', mutate: (w) => { grant(w).params = { hosts: ['a'], limit: -1 }; }, code: 'OUT_OF_RANGE', where: /cap_grants\[0\]\.params\.limit/, says: /-1/ },
  { name: 'grant param beyond u64', mutate: (w) => { grant(w).params = { hosts: ['a'], limit: '18446744073709551616' }; }, code: 'OUT_OF_RANGE', where: /params\.limit/, says: /18446744073709551616/ },
  { name: 'grant param missing field', mutate: (w) => { grant(w).params = { hosts: ['a'] }; }, code: 'MISSING_FIELD', where: /cap_grants\[0\]\.params/, says: /limit/ },
  { name: 'grant param unknown field', mutate: (w) => { grant(w).params = { hosts: ['a'], limit: 1, port: 8 }; }, code: 'UNKNOWN_FIELD', where: /cap_grants\[0\]\.params/, says: /port/ },
  { name: 'grant param wrong type', mutate: (w) => { grant(w).params = { hosts: 'example.com', limit: 1 }; }, code: 'VALUE_MISMATCH', where: /params\.hosts/, says: /set|array|list/ },
  { name: 'grant param bad base64', mutate: (w) => { grant(w).params = { hosts: [], limit: 1, token: 'not base64!' }; }, code: 'BAD_BASE64', where: /params\.token/, says: /base64/ },
  { name: 'grant param bad hash', mutate: (w) => { grant(w).params = { hosts: [], limit: 1, pin: 'sha256:ABC' }; }, code: 'BAD_HASH', where: /params\.pin/, says: /sha256:/ },
  { name: 'grant param bad uuid', mutate: (w) => { grant(w).params = { hosts: [], limit: 1, id: '1234-not-a-uuid' }; }, code: 'BAD_UUID', where: /params\.id/, says: /1234-not-a-uuid/ },
  { name: 'grant param unknown variant tag', mutate: (w) => { grant(w).params = { hosts: [], limit: 1, mode: 'Blue' }; }, code: 'UNKNOWN_VARIANT', where: /params\.mode/, says: /Blue.*Red.*Green|Blue.*Green.*Red/ },
  { name: 'grant param bad time', mutate: (w) => { grant(w).params = { hosts: [], limit: 1, until: '2026-13-45T00:00:00Z' }; }, code: 'BAD_TIME', where: /params\.until/, says: /2026-13-45/ },
  { name: 'grant param float', mutate: (w) => { grant(w).params = { hosts: [], limit: 1.5 }; }, code: 'VALUE_MISMATCH', where: /params\.limit/, says: /1\.5/ },
  { name: 'module binding to an unknown slot', mutate: (w) => { m(w).module_bindings = { 'app/Counter@1': { slots: { web: 'net' } } }; }, code: 'DANGLING_REF', where: /module_bindings\["app\/Counter@1"\]\.slots\.web/, says: /no cap slot "web".*"net"/ },
  { name: 'module binding to an unknown grant', mutate: (w) => { m(w).module_bindings = { 'app/Counter@1': { slots: { net: 'nothing' } } }; }, code: 'DANGLING_REF', where: /slots\.net/, says: /grant "nothing"/ },
  { name: 'cap type mismatch between slot and grant', mutate: (w) => { module0(w).abi.workflow.cap_slots = { net: 'timer' }; }, code: 'CAP_TYPE_MISMATCH', where: /slots\.net/, says: /needs a "timer" capability.*"http\.out"/ },
  { name: 'enforcer that is not a module', mutate: (w) => { w.caps[0]!.enforcer = { module: 'app/Enforcer@1' }; }, code: 'DANGLING_REF', where: /enforcer\.module/, says: /app\/Enforcer@1/ },
  { name: 'enforcer that is a workflow', mutate: (w) => { w.caps[0]!.enforcer = { module: 'app/Counter@1' }; }, code: 'CAP_TYPE_MISMATCH', where: /enforcer\.module/, says: /must be pure modules/ },
  { name: 'approval quorum beyond principals', mutate: (w) => { m(w).approval_policy = { principals: [{ name: 'alice', public_key: `ed25519:${'a'.repeat(64)}` }], quorum: 2 }; }, code: 'OUT_OF_RANGE', where: /approval_policy\.quorum/, says: /quorum 2 can never be met/ },
  { name: 'approval principal with a malformed key', mutate: (w) => { m(w).approval_policy = { principals: [{ name: 'alice', public_key: 'ed25519:zz' }], quorum: 1 }; }, code: 'SCHEMA_VIOLATION', where: /principals\[0\]\.public_key/, says: /ed25519/ },
  { name: 'grant budget with a negative count', mutate: (w) => { grant(w).budget = { count: -3 }; }, code: 'SCHEMA_VIOLATION', where: /cap_grants\[0\]\.budget\.count/, says: /≥ 0/ },
];

test('the base world of this corpus is valid', () => {
  const result = load(baseWorld());
  assert.deepEqual(result.errors.map((error) => error.message), []);
});

test(`a corpus of ${CASES.length} broken documents: each refused with what and where`, () => {
  assert.ok(CASES.length >= 40);
  for (const broken of CASES) {
    const world = baseWorld();
    const extra = broken.mutate(world) ?? [];
    const result = load(world, extra);
    assert.equal(result.world, null, `${broken.name}: expected a refusal`);
    const found = result.errors.map((e) => `${e.code}: ${e.message}`).join(' | ');
    const error = result.errors.find((candidate) => candidate.code === broken.code && broken.where.test(candidate.message) && broken.says.test(candidate.message));
    assert.ok(error !== undefined, `${broken.name}: expected ${broken.code} matching ${broken.where} and ${broken.says}; got ${found}`);
  }
});

function patchBase() {
  const result = load(baseWorld());
  assert.ok(result.world !== null && result.world.manifest !== null);
  return { manifest: result.world.manifest, index: result.world.index };
}

test('patches: stale base, stale pre_hash, sys edits and invalid candidates are refused with reasons', () => {
  const base = patchBase();
  const stale = compilePatch({ version: '1', base_manifest_hash: `sha256:${'0'.repeat(64)}`, patches: [{ set_defaults: { policy: null } }] }, base);
  assert.ok(!stale.ok && stale.errors[0]?.code === 'STALE_PRE_HASH' && /rebase/.test(stale.errors[0].message));
  const staleRouting = compilePatch({ base_manifest_hash: base.manifest.hash, patches: [{ set_routing_events: { pre_hash: `sha256:${'2'.repeat(64)}`, subscriptions: [] } }] }, base);
  assert.ok(!staleRouting.ok && staleRouting.errors[0]?.code === 'STALE_PRE_HASH' && /\.patches\[0\]\.set_routing_events\.pre_hash/.test(staleRouting.errors[0].message));
  const sysEdit = compilePatch({ base_manifest_hash: base.manifest.hash, patches: [{ add_def: { kind: 'defschema', node: { $kind: 'defschema', name: 'sys/Evil@1', type: { text: {} } } } }] }, base);
  assert.ok(!sysEdit.ok && sysEdit.errors[0]?.code === 'RESERVED_NAME');
  const staleDef = compilePatch({ base_manifest_hash: base.manifest.hash, patches: [{ replace_def: { kind: 'defschema', name: 'app/Key@1', pre_hash: `sha256:${'3'.repeat(64)}`, new_node: { $kind: 'defschema', name: 'app/Key@1', type: { nat: {} } } } }] }, base);
  assert.ok(!staleDef.ok && staleDef.errors[0]?.code === 'STALE_PRE_HASH');
  const invalid = compilePatch({ base_manifest_hash: base.manifest.hash, patches: [{ remove_def: { kind: 'defschema', name: 'app/State@1', pre_hash: base.manifest.node.schemas.find((ref) => ref.name === 'app/State@1')!.hash } }] }, base);
  assert.ok(!invalid.ok);
  assert.ok(invalid.errors.some((error) => error.code === 'DANGLING_REF' && /app\/State@1/.test(error.message)), invalid.ok ? '' : invalid.errors.map((e) => e.message).join(' | '));
});

test('patches: a valid patch yields a validated candidate, new nodes and a stable patch hash', () => {
  const base = patchBase();
  const keyHash = base.manifest.node.schemas.find((ref) => ref.name === 'app/Key@1')!.hash;
  const doc = {
    version: '1', base_manifest_hash: base.manifest.hash,
    patches: [
      { add_def: { kind: 'defschema', node: { $kind: 'defschema', name: 'app/Extra@1', type: { list: { text: {} } } } } },
      { replace_def: { kind: 'defschema', name: 'app/Key@1', pre_hash: keyHash, new_node: { $kind: 'defschema', name: 'app/Key@1', type: { text: {} }, $comment: 'same meaning' } } },
      { set_routing_events: { pre_hash: sectionHash(base.manifest.node, 'routing_events'), subscriptions: [{ event: 'app/Event@1', module: 'app/Counter@1', key_field: 'cell' }] } },
    ],
  };
  const first = compilePatch(doc, base);
  const second = compilePatch(structuredClone(doc), base);
  assert.ok(first.ok && second.ok, first.ok ? '' : first.errors.map((e) => e.message).join(' | '));
  assert.equal(first.patch.patchHash, second.patch.patchHash);
  assert.notEqual(first.patch.candidate.hash, base.manifest.hash);
  assert.deepEqual(first.patch.summary.def_changes, [{ kind: 'defschema', name: 'app/Extra@1', action: 'added' }]);
  assert.deepEqual(first.patch.summary.touches, ['defschema', 'manifest_refs']);
  assert.ok(first.patch.candidate.node.schemas.some((ref) => ref.name === 'app/Extra@1'));
});
