// Goal: the enforcement chain decides each effect as DESIGN §6 says, in its order: grant
// resolution (slot binding, the only default grant of the cap type, else a denial), the grant's
// enforcer (built in, sys/CapAllowAll@1, or a pure module), expiry in logical time, the secrets'
// allowances, then the policy; every denial has its stable code and says what to change.
// Method: manifests built in memory and loaded like any world; decideEffect called directly;
// module enforcers played by a fake module provider whose answers and inputs the tests control.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeCanonical, encodeCanonical, isCborObject } from '../../../src/cbor/index.ts';
import type { CborValue } from '../../../src/cbor/index.ts';
import { decideEffect, denialOf, isDenied } from '../../../src/kernel/authorize.ts';
import type { EffectDecision } from '../../../src/kernel/authorize.ts';
import type { ModuleProvider } from '../../../src/kernel/index.ts';
import { resolveModuleLimits } from '../../../src/sandbox/index.ts';
import type { ModuleRuntime, PureRunResult } from '../../../src/sandbox/index.ts';
import { AGENT, envOf, httpGrant, httpTo, requestOf, viewOf } from '../../support/enforcement-fixture.ts';

function capDenied(decision: EffectDecision, code: string, says?: RegExp): void {
  assert.equal(decision.cap.allowed, false, `expected ${code}`);
  if (decision.cap.allowed) return;
  assert.equal(decision.cap.code, code, decision.cap.message);
  if (says !== undefined) assert.match(decision.cap.message, says);
  assert.equal(decision.policy, null, 'a capability denial ends the chain before the policy');
  assert.ok(isDenied(decision));
}

test('grant resolution: a module slot binding names the grant; the default slot falls back to the only grant of the cap type', () => {
  const view = viewOf([], {
    defaults: { cap_grants: [httpGrant('public', ['api.example.com']), httpGrant('private', ['db.internal'])] },
    module_bindings: { [AGENT]: { slots: { net: 'private', default: 'public' } } },
  });
  const bound = decideEffect(requestOf(view, 'http.request', httpTo('https://db.internal/'), { slot: 'net' }), envOf(view));
  assert.equal(bound.grant?.name, 'private');
  assert.ok(!isDenied(bound));
  assert.equal(decideEffect(requestOf(view, 'http.request', httpTo('https://api.example.com/')), envOf(view)).grant?.name, 'public');

  const single = viewOf([], { defaults: { cap_grants: [httpGrant('only', ['api.example.com'])] } });
  const fallback = decideEffect(requestOf(single, 'http.request', httpTo('https://api.example.com/')), envOf(single));
  assert.equal(fallback.grant?.name, 'only');
  assert.deepEqual(fallback.policy, { policy: null, ruleIndex: null, decision: 'allow' }, 'no default policy allows');
});

test('grant resolution: ambiguous defaults, no grant of the type, and an unbound slot are capability_binding_missing', () => {
  const two = viewOf([], { defaults: { cap_grants: [httpGrant('a', ['a.example']), httpGrant('b', ['b.example'])] } });
  capDenied(decideEffect(requestOf(two, 'http.request', httpTo('https://a.example/')), envOf(two)), 'capability_binding_missing', /2 grants .*"a", "b".*slots\["default"\]/);
  const none = viewOf([], { defaults: { cap_grants: [{ name: 'clock', cap: 'sys/timer@1', params: {} }] } });
  capDenied(decideEffect(requestOf(none, 'http.request', httpTo('https://a.example/')), envOf(none)), 'capability_binding_missing', /no grant of cap type "http\.out"/);
  const single = viewOf([], { defaults: { cap_grants: [httpGrant('only', ['a.example'])] } });
  capDenied(decideEffect(requestOf(single, 'http.request', httpTo('https://a.example/'), { slot: 'net' }), envOf(single)), 'capability_binding_missing', /slot "net" .* bound to no grant/);
});

test('grant resolution: a slot bound to a grant of another cap type is cap_type_mismatch', () => {
  const view = viewOf([], {
    defaults: { cap_grants: [httpGrant('web', ['a.example']), { name: 'blobs', cap: 'sys/blob@1', params: {} }] },
    module_bindings: { [AGENT]: { slots: { store: 'blobs' } } },
  });
  const decision = decideEffect(requestOf(view, 'http.request', httpTo('https://a.example/'), { slot: 'store' }), envOf(view));
  capDenied(decision, 'cap_type_mismatch', /grant "blobs" of cap type "blob".*needs cap type "http\.out"/);
  assert.equal(decision.grant, null);
  assert.match(denialOf(decision, requestOf(view, 'http.request', httpTo('https://a.example/')), 0).message, /effects\[0\] "http\.request", which was denied \(cap_type_mismatch\)/);
});

test('the grant\'s enforcer decides with its code; the fault message names the effect, the grant and what to change', () => {
  const view = viewOf([], { defaults: { cap_grants: [httpGrant('web', ['api.example.com'])] } });
  const request = requestOf(view, 'http.request', httpTo('https://evil.example/'));
  const decision = decideEffect(request, envOf(view));
  capDenied(decision, 'host_not_allowed');
  assert.equal(decision.stage, 'enforcer');
  const denial = denialOf(decision, request, 2);
  assert.equal(denial.code, 'host_not_allowed');
  assert.match(denial.message, /^app\/Agent@1 emitted effects\[2\] "http\.request" under grant "web" \(sys\/http\.out@1\), which was denied \(host_not_allowed\): host "evil\.example".*widen the grant's params in defaults\.cap_grants$/);
});

test('sys/CapAllowAll@1 allows anything; a sys enforcer asked about a kind it cannot check denies it (fail closed)', () => {
  const view = viewOf([
    { $kind: 'defcap', name: 'app/open.http@1', cap_type: 'http.out', schema: { record: {} }, enforcer: { module: 'sys/CapAllowAll@1' } },
  ], { caps: [{ name: 'app/open.http@1' }], defaults: { cap_grants: [{ name: 'open', cap: 'app/open.http@1', params: {} }] } });
  assert.ok(!isDenied(decideEffect(requestOf(view, 'http.request', httpTo('gopher://anything')), envOf(view))));
  const host = viewOf([
    { $kind: 'defcap', name: 'app/hosty@1', cap_type: 'http.out', schema: { record: {} }, enforcer: { module: 'sys/CapEnforceHost@1' } },
  ], { caps: [{ name: 'app/hosty@1' }], defaults: { cap_grants: [{ name: 'hosty', cap: 'app/hosty@1', params: {} }] } });
  capDenied(decideEffect(requestOf(host, 'http.request', httpTo('https://a.example/')), envOf(host)), 'effect_kind_mismatch', /sys\/CapEnforceHost@1 cannot check "http\.request"/);
});

test('expiry: a grant authorises nothing from logical time expiry_ns on', () => {
  const view = viewOf([], { defaults: { cap_grants: [httpGrant('web', ['a.example'], { expiry_ns: 5_000 })] } });
  const request = requestOf(view, 'http.request', httpTo('https://a.example/'));
  assert.ok(!isDenied(decideEffect(request, envOf(view, 4_999n))));
  const expired = decideEffect(request, envOf(view, 5_000n));
  capDenied(expired, 'expired', /expired at logical time 5000 \(now 5000\)/);
  assert.equal(expired.stage, 'expiry');
  assert.equal(expired.grant?.name, 'web');
});

/** A world with an llm grant "llm" and the defsecrets given; secrets are listed in the manifest. */
function llmWorld(secrets: ReadonlyArray<Record<string, unknown>>): ReturnType<typeof viewOf> {
  return viewOf(secrets.map((secret) => ({ $kind: 'defsecret', binding_id: 'env:KEY', ...secret })), {
    secrets: secrets.map((secret) => ({ name: secret.name })),
    defaults: { cap_grants: [{ name: 'llm', cap: 'sys/llm.basic@1', params: {} }, { name: 'other', cap: 'sys/llm.basic@1', params: {} }] },
    module_bindings: { [AGENT]: { slots: { llm: 'llm' } } },
  });
}
const llmCall = (apiKey: unknown) => ({ provider: 'openai-chat', model: 'm', message_refs: [], runtime: {}, api_key: apiKey });

test('secrets: every secret the params refer to must list the grant in its allowed_caps', () => {
  const ref = { $tag: 'secret', $value: { alias: 'llm/openai_api', version: 1 } };
  const allowed = llmWorld([{ name: 'llm/openai_api@1', allowed_caps: ['llm'] }]);
  assert.ok(!isDenied(decideEffect(requestOf(allowed, 'llm.generate', llmCall(ref), { slot: 'llm' }), envOf(allowed))));
  const other = llmWorld([{ name: 'llm/openai_api@1', allowed_caps: ['other'] }]);
  const refused = decideEffect(requestOf(other, 'llm.generate', llmCall(ref), { slot: 'llm' }), envOf(other));
  capDenied(refused, 'secret_not_allowed', /secret llm\/openai_api@1 may be used by grants "other", not by "llm"; add "llm" to its allowed_caps/);
  assert.equal(refused.stage, 'secrets');
  const unlisted = llmWorld([{ name: 'llm/openai_api@1' }]);
  capDenied(decideEffect(requestOf(unlisted, 'llm.generate', llmCall(ref), { slot: 'llm' }), envOf(unlisted)), 'secret_not_allowed', /\(none\)/);
  const undeclared = llmWorld([]);
  capDenied(decideEffect(requestOf(undeclared, 'llm.generate', llmCall(ref), { slot: 'llm' }), envOf(undeclared)), 'secret_not_declared', /llm\/openai_api@1/);
  assert.ok(!isDenied(decideEffect(requestOf(undeclared, 'llm.generate', llmCall({ $tag: 'literal', $value: 'sk-test' }), { slot: 'llm' }), envOf(undeclared))), 'a literal is no secret ref');
});

test('secrets: refs are found anywhere a params schema can hold them (lists, maps, options), and only there', () => {
  const defs = [
    { $kind: 'defschema', name: 'app/Header@1', type: { record: { name: { text: {} }, value: { ref: 'sys/TextOrSecretRef@1' } } } },
    { $kind: 'defschema', name: 'app/SendParams@1', type: { record: { to: { text: {} }, headers: { list: { ref: 'app/Header@1' } }, extra: { map: { key: { text: {} }, value: { option: { ref: 'sys/BytesOrSecretRef@1' } } } } } } },
    { $kind: 'defschema', name: 'app/SendReceipt@1', type: { record: {} } },
    { $kind: 'defeffect', name: 'app/send@1', kind: 'app.send', params_schema: 'app/SendParams@1', receipt_schema: 'app/SendReceipt@1', cap_type: 'mail', origin_scope: 'workflow' },
    { $kind: 'defcap', name: 'app/mail@1', cap_type: 'mail', schema: { record: {} } },
    { $kind: 'defsecret', name: 'mail/token@2', binding_id: 'env:TOKEN', allowed_caps: ['mail'] },
    { $kind: 'defsecret', name: 'mail/signing@1', binding_id: 'env:SIGNING', allowed_caps: ['someone-else'] },
  ];
  const view = viewOf(defs, {
    schemas: [{ name: 'app/State@1' }, { name: 'app/Header@1' }, { name: 'app/SendParams@1' }, { name: 'app/SendReceipt@1' }],
    effects: [{ name: 'sys/http.request@1' }, { name: 'app/send@1' }], caps: [{ name: 'app/mail@1' }],
    secrets: [{ name: 'mail/token@2' }, { name: 'mail/signing@1' }],
    defaults: { cap_grants: [{ name: 'mail', cap: 'app/mail@1', params: {} }, { name: 'someone-else', cap: 'sys/timer@1', params: {} }] },
  });
  assert.ok(view.authority.secretBearingKinds.has('app.send') && !view.authority.secretBearingKinds.has('http.request'));
  const token = { $tag: 'secret', $value: { alias: 'mail/token', version: 2 } };
  const signing = { $tag: 'secret', $value: { alias: 'mail/signing', version: 1 } };
  const send = (headers: unknown[], extra: Record<string, unknown>) => decideEffect(requestOf(view, 'app.send', { to: 'x', headers, extra }), envOf(view));
  assert.ok(!isDenied(send([{ name: 'auth', value: token }], { a: null })));
  capDenied(send([{ name: 'auth', value: token }], { a: null, b: signing }), 'secret_not_allowed', /mail\/signing@1/);
  capDenied(send([{ name: 'a', value: { $tag: 'literal', $value: 'x' } }, { name: 'sig', value: signing }], {}), 'secret_not_allowed', /mail\/signing@1/);
});

const POLICY_GRANTS = { cap_grants: [httpGrant('web', ['a.example']), { name: 'clock', cap: 'sys/timer@1', params: {} }] };
function policyWorld(rules: readonly object[]): ReturnType<typeof viewOf> {
  return viewOf([{ $kind: 'defpolicy', name: 'app/policy@1', rules }], { policies: [{ name: 'app/policy@1' }], defaults: { policy: 'app/policy@1', ...POLICY_GRANTS } });
}
const web = (view: ReturnType<typeof viewOf>) => decideEffect(requestOf(view, 'http.request', httpTo('https://a.example/')), envOf(view));

test('policy: the first matching rule decides; no match denies', () => {
  const first = policyWorld([{ when: { effect_kind: 'http.request' }, decision: 'deny' }, { when: {}, decision: 'allow' }]);
  const decided = web(first);
  assert.deepEqual(decided.policy, { policy: 'app/policy@1', ruleIndex: 0, decision: 'deny' });
  assert.ok(decided.cap.allowed && isDenied(decided));
  const denial = denialOf(decided, requestOf(first, 'http.request', httpTo('https://a.example/')), 0);
  assert.equal(denial.code, 'policy_denied');
  assert.match(denial.message, /policy app\/policy@1 denies by rule 0 \(effect_kind "http\.request", cap_name "web", cap_type "http\.out", origin_kind "workflow", origin_name "app\/Agent@1"\)/);
  const noMatch = policyWorld([{ when: { effect_kind: 'timer.set' }, decision: 'allow' }]);
  assert.deepEqual(web(noMatch).policy, { policy: 'app/policy@1', ruleIndex: null, decision: 'deny' });
  assert.equal(denialOf(web(noMatch), requestOf(noMatch, 'http.request', httpTo('https://a.example/')), 0).code, 'policy_no_match');
});

test('policy: each matcher (effect_kind, cap_name, cap_type, origin_kind, origin_name) must fit for its rule to match', () => {
  const cases: Array<[Record<string, string>, Record<string, string>]> = [
    [{ effect_kind: 'http.request' }, { effect_kind: 'timer.set' }],
    [{ cap_name: 'web' }, { cap_name: 'clock' }],
    [{ cap_type: 'http.out' }, { cap_type: 'timer' }],
    [{ origin_kind: 'workflow' }, { origin_kind: 'governance' }],
    [{ origin_name: AGENT }, { origin_name: 'app/Other@1' }],
    [{ effect_kind: 'http.request', cap_name: 'web', cap_type: 'http.out', origin_kind: 'workflow', origin_name: AGENT }, { effect_kind: 'http.request', cap_name: 'nope' }],
  ];
  for (const [fits, misses] of cases) {
    const view = policyWorld([{ when: misses, decision: 'deny' }, { when: fits, decision: 'allow' }]);
    assert.deepEqual(web(view).policy, { policy: 'app/policy@1', ruleIndex: 1, decision: 'allow' }, JSON.stringify(fits));
  }
});

test('policy: require_approval is a decision of its own, recorded, neither allow nor deny', () => {
  const view = policyWorld([{ when: { cap_type: 'http.out' }, decision: 'require_approval' }]);
  const decided = web(view);
  assert.deepEqual(decided.policy, { policy: 'app/policy@1', ruleIndex: 0, decision: 'require_approval' });
  assert.ok(!isDenied(decided));
});

/** A pure enforcer module played by a fake runtime: records each input envelope, answers with `answer`. */
function fakeEnforcer(answer: (input: Uint8Array) => PureRunResult): { modules: ModuleProvider; inputs: Uint8Array[] } {
  const inputs: Uint8Array[] = [];
  const runtime: ModuleRuntime = {
    runtime: 'wasm', moduleKind: 'pure', limits: resolveModuleLimits(),
    step: () => { throw new Error('an enforcer is never stepped'); },
    run: (input) => { inputs.push(input); return answer(input); },
    recycle: () => {}, dispose: () => {},
  };
  return { inputs, modules: { runtime: () => runtime, recycleAll: () => {} } };
}
const answered = (value: CborValue): PureRunResult => {
  const output = encodeCanonical(value, { selfDescribe: false });
  return { kind: 'ok', bytes: output, output };
};

function guardedWorld(): ReturnType<typeof viewOf> {
  return viewOf([
    { $kind: 'defmodule', name: 'app/Guard@1', module_kind: 'pure', abi: { pure: { input: 'sys/CapCheckInput@1', output: 'sys/CapCheckOutput@1', context: 'sys/PureContext@1' } } },
    { $kind: 'defcap', name: 'app/guarded.http@1', cap_type: 'http.out', schema: { record: { limit: { nat: {} } } }, enforcer: { module: 'app/Guard@1' } },
  ], {
    modules: [{ name: AGENT }, { name: 'app/Guard@1' }], caps: [{ name: 'app/guarded.http@1' }],
    defaults: { cap_grants: [{ name: 'guarded', cap: 'app/guarded.http@1', params: { limit: 3 } }] },
  });
}

test('a module enforcer gets upstream\'s CapCheckInput and PureContext, and its answer decides', () => {
  const view = guardedWorld();
  const request = requestOf(view, 'http.request', httpTo('https://a.example/'));
  const allow = fakeEnforcer(() => answered({ constraints_ok: true, deny: null }));
  assert.ok(!isDenied(decideEffect(request, envOf(view, 4_242n, allow.modules))));
  const envelope = decodeCanonical(allow.inputs[0] ?? new Uint8Array()) as Record<string, CborValue>;
  assert.equal(envelope.version, 1);
  const input = decodeCanonical(envelope.input as Uint8Array);
  assert.ok(isCborObject(input));
  assert.deepEqual({ ...input, cap_params: decodeCanonical(input.cap_params as Uint8Array), effect_params: null }, {
    cap_def: 'app/guarded.http@1', grant_name: 'guarded', cap_params: { limit: 3 }, effect_kind: 'http.request', effect_params: null,
    origin: { kind: 'workflow', name: AGENT }, logical_now_ns: 4_242,
  });
  assert.deepEqual(input.effect_params, request.params.bytes);
  assert.deepEqual(decodeCanonical(envelope.ctx as Uint8Array), { logical_now_ns: 4_242, journal_height: 7, manifest_hash: view.hash, module: 'app/Guard@1' });

  const refuse = fakeEnforcer(() => answered({ constraints_ok: false, deny: { code: 'over_limit', message: 'too many' } }));
  capDenied(decideEffect(request, envOf(view, 1n, refuse.modules)), 'over_limit', /^too many$/);
});

test('a module enforcer that fails, answers out of shape, or refuses without a reason denies', () => {
  const view = guardedWorld();
  const request = requestOf(view, 'http.request', httpTo('https://a.example/'));
  const decide = (answer: (input: Uint8Array) => PureRunResult) => decideEffect(request, envOf(view, 1n, fakeEnforcer(answer).modules));
  capDenied(decide(() => ({ kind: 'trapped', message: 'unreachable executed' })), 'enforcer_error', /app\/Guard@1 gave no answer \(trapped\): unreachable executed/);
  capDenied(decide(() => ({ kind: 'over_limit', limit: 'fuel', message: 'out of fuel' })), 'enforcer_error', /over_limit/);
  capDenied(decide(() => answered({ allowed: true })), 'enforcer_error', /not a sys\/CapCheckOutput@1/);
  capDenied(decide(() => ({ kind: 'ok', bytes: Uint8Array.of(0xff), output: Uint8Array.of(0xff) })), 'enforcer_error');
  capDenied(decide(() => answered({ constraints_ok: false, deny: null })), 'constraints_failed', /without giving a reason/);
  capDenied(decide(() => answered({ constraints_ok: true, deny: { code: 'x', message: 'y' } })), 'enforcer_error', /one or the other/);
  capDenied(decide(() => answered({ constraints_ok: false, deny: { code: 'Not A Code', message: 'm' } })), 'enforcer_error', /snake_case/);
  const long = decide(() => answered({ constraints_ok: false, deny: { code: 'long', message: 'x'.repeat(100_000) } }));
  assert.ok(!long.cap.allowed && long.cap.message.length <= 1_025, 'a module\'s message is bounded');
});

test('a defcap\'s enforcer must be a pure module taking sys/CapCheckInput@1 and giving sys/CapCheckOutput@1', () => {
  const world = (abi: Record<string, string>) => () => viewOf([
    { $kind: 'defmodule', name: 'app/Guard@1', module_kind: 'pure', abi: { pure: abi } },
    { $kind: 'defcap', name: 'app/guarded.http@1', cap_type: 'http.out', schema: { record: {} }, enforcer: { module: 'app/Guard@1' } },
  ], { modules: [{ name: AGENT }, { name: 'app/Guard@1' }], caps: [{ name: 'app/guarded.http@1' }] });
  assert.throws(world({ input: 'app/State@1', output: 'sys/CapCheckOutput@1' }), /enforcer "app\/Guard@1" takes app\/State@1 .*cap enforcers take sys\/CapCheckInput@1 and give sys\/CapCheckOutput@1/);
  assert.doesNotThrow(world({ input: 'sys/CapCheckInput@1', output: 'sys/CapCheckOutput@1' }));
});
