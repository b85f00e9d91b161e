// Goal: each built-in cap enforcer allows what its grant's params allow, and refuses everything
// else with its stable code and a message naming what was refused.
// Method: grant params and effect params written as AIR JSON, read through the sys/* schemas of
// the built-in catalog exactly as the kernel reads them, then checked by the enforcer functions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinCatalog, valueFromJson } from '../../../src/air/index.ts';
import type { DefCap } from '../../../src/air/index.ts';
import { encodeCanonical } from '../../../src/cbor/index.ts';
import type { BuiltinEnforcer, CapVerdict } from '../../../src/kernel/enforcers/enforcer.ts';
import { enforceGovernance } from '../../../src/kernel/enforcers/governance.ts';
import { enforceHttpOut } from '../../../src/kernel/enforcers/http-out.ts';
import { enforceLlmBasic } from '../../../src/kernel/enforcers/llm-basic.ts';
import { EnforcerInputError } from '../../../src/kernel/enforcers/params.ts';
import { enforceQuery } from '../../../src/kernel/enforcers/query.ts';
import { enforceWorkspace } from '../../../src/kernel/enforcers/workspace.ts';

const catalog = builtinCatalog();

function capDef(name: string): DefCap {
  const entry = catalog.get('defcap', name);
  assert.ok(entry !== undefined, name);
  return entry.def;
}

/** Runs `enforcer` on a grant of `cap` with `grant` params, for an effect of `kind` with `params` (both AIR JSON, sugar lens). */
function checkWith(enforcer: BuiltinEnforcer, cap: string, grant: unknown, kind: string, paramsSchema: string, params: unknown): CapVerdict {
  const capParams = valueFromJson(grant, capDef(cap).schema, catalog, {});
  const value = valueFromJson(params, { ref: paramsSchema }, catalog, {});
  return enforcer({ grant: 'g', capParams, effectKind: kind, effectParams: { bytes: encodeCanonical(value, { selfDescribe: false }), value } });
}

function denied(verdict: CapVerdict, code: string, says?: RegExp): void {
  assert.equal(verdict.allowed, false, `expected a ${code} denial`);
  if (verdict.allowed) return;
  assert.equal(verdict.code, code, verdict.message);
  if (says !== undefined) assert.match(verdict.message, says);
}

const http = (grant: unknown, url: string, method = 'GET') =>
  checkWith(enforceHttpOut, 'sys/http.out@1', grant, 'http.request', 'sys/HttpRequestParams@1', { method, url, headers: {}, body_ref: null });

test('http.out: a request inside every allowlist is allowed; empty or absent lists allow anything', () => {
  const grant = { hosts: ['api.example.com'], schemes: ['https'], methods: ['get', 'POST'], ports: [443, 8443], path_prefixes: ['/v1'] };
  assert.deepEqual(http(grant, 'https://api.example.com/v1/items?q=1'), { allowed: true });
  assert.deepEqual(http(grant, 'https://API.Example.com.:8443/v1', 'post'), { allowed: true }, 'host case, trailing dot, explicit port, method case');
  assert.deepEqual(http({}, 'http://anything.example:9/x', 'PATCH'), { allowed: true });
  assert.deepEqual(http({ hosts: [], path_prefixes: [] }, 'https://x.example/'), { allowed: true });
});

test('http.out: each allowlist refuses with its own code', () => {
  denied(http({ schemes: ['https'] }, 'http://api.example.com/'), 'scheme_not_allowed', /scheme "http"/);
  denied(http({ hosts: ['api.example.com'] }, 'https://evil.example/'), 'host_not_allowed', /"evil\.example".*"api\.example\.com"/);
  denied(http({ hosts: ['example.com'] }, 'https://api.example.com/'), 'host_not_allowed', /list each subdomain/);
  denied(http({ ports: [443] }, 'https://api.example.com:444/'), 'port_not_allowed', /port 444/);
  denied(http({ ports: [443] }, 'http://api.example.com/'), 'port_not_allowed', /port 80 /);
  denied(http({ methods: ['GET'] }, 'https://api.example.com/', 'DELETE'), 'method_not_allowed', /"DELETE"/);
  denied(http({ path_prefixes: ['/v1'] }, 'https://api.example.com/v2/x'), 'path_not_allowed', /"\/v2\/x"/);
  denied(http({ path_prefixes: ['/v1'] }, 'https://api.example.com/v1x'), 'path_not_allowed');
  denied(http({}, 'not a url'), 'invalid_url', /"not a url"/);
  denied(http({}, 'mailto:someone@example.com'), 'invalid_url', /names no host/);
});

test('http.out: the host and path checked are the ones the URL parser (and so fetch) will use', () => {
  denied(http({ hosts: ['api.example.com'] }, 'https://api.example.com@evil.example/'), 'host_not_allowed', /"evil\.example"/);
  denied(http({ hosts: ['api.example.com'] }, 'https://evil.example\\@api.example.com/'), 'host_not_allowed', /"evil\.example"/);
  denied(http({ path_prefixes: ['/v1/'] }, 'https://api.example.com/v1/../admin'), 'path_not_allowed', /"\/admin"/);
  denied(http({ path_prefixes: ['/v1/'] }, 'https://api.example.com/v1/%2e%2e/admin'), 'path_not_allowed', /"\/admin"/);
  assert.deepEqual(http({ hosts: ['bücher.example'] }, 'https://xn--bcher-kva.example/'), { allowed: true }, 'IDN hosts compare in punycode');
  const long = `https://${'a'.repeat(5000)}.example/`;
  const verdict = http({ hosts: ['api.example.com'] }, long);
  assert.ok(!verdict.allowed && verdict.message.length < 600, 'a huge URL is cut in the message');
});

test('http.out: an effect kind the enforcer does not know is refused (fail closed)', () => {
  const verdict = enforceHttpOut({ grant: 'g', capParams: {}, effectKind: 'blob.put', effectParams: { bytes: new Uint8Array(), value: {} } });
  denied(verdict, 'effect_kind_mismatch', /blob\.put/);
});

test('params of a shape an enforcer cannot read raise EnforcerInputError with the owner\'s code', () => {
  assert.throws(() => enforceHttpOut({ grant: 'g', capParams: { hosts: 'one.example' }, effectKind: 'http.request', effectParams: { bytes: new Uint8Array(), value: { url: 'https://one.example/', method: 'GET' } } }),
    (error: unknown) => error instanceof EnforcerInputError && error.code === 'cap_params_invalid' && /hosts/.test(error.message));
  assert.throws(() => enforceHttpOut({ grant: 'g', capParams: {}, effectKind: 'http.request', effectParams: { bytes: new Uint8Array(), value: { method: 'GET' } } }),
    (error: unknown) => error instanceof EnforcerInputError && error.code === 'effect_params_invalid' && /url/.test(error.message));
});

const llm = (grant: unknown, params: { provider?: string; model?: string; max_tokens?: number | null; tool_choice?: unknown }) =>
  checkWith(enforceLlmBasic, 'sys/llm.basic@1', grant, 'llm.generate', 'sys/LlmGenerateParams@1', {
    provider: params.provider ?? 'openai-chat', model: params.model ?? 'gpt-small', message_refs: [],
    runtime: { max_tokens: params.max_tokens ?? null, tool_choice: params.tool_choice ?? null },
  });

test('llm.basic: provider, model, max_tokens and a forced tool within the grant are allowed', () => {
  const grant = { providers: ['openai-chat'], models: ['gpt-small'], max_tokens: 512, tools_allow: ['search'] };
  assert.deepEqual(llm(grant, { max_tokens: 512, tool_choice: { $tag: 'Tool', $value: { name: 'search' } } }), { allowed: true });
  assert.deepEqual(llm(grant, { max_tokens: 1, tool_choice: { $tag: 'Auto' } }), { allowed: true }, 'tools are checked against an explicit tool_choice only');
  assert.deepEqual(llm({}, { provider: 'anthropic', model: 'any' }), { allowed: true });
});

test('llm.basic: each limit refuses with its own code', () => {
  denied(llm({ providers: ['anthropic'] }, {}), 'provider_not_allowed', /"openai-chat".*"anthropic"/);
  denied(llm({ models: ['gpt-large'] }, {}), 'model_not_allowed', /"gpt-small"/);
  denied(llm({ max_tokens: 100 }, { max_tokens: 101 }), 'max_tokens_exceeded', /101 exceeds .* 100/);
  denied(llm({ max_tokens: 100 }, {}), 'max_tokens_required', /at most 100/);
  denied(llm({ tools_allow: ['search'] }, { tool_choice: { $tag: 'Tool', $value: { name: 'shell' } } }), 'tool_not_allowed', /"shell"/);
});

const workspace = (grant: unknown, kind: string, params: unknown) => {
  const schema = `sys/Workspace${kind.split('.')[1]?.split('_').map((word) => word[0]?.toUpperCase() + word.slice(1)).join('')}Params@1`;
  return checkWith(enforceWorkspace, 'sys/workspace@1', grant, kind, schema, params);
};
const ROOT_HASH = `sha256:${'1'.repeat(64)}`;

test('workspace: ops, workspaces and path prefixes bound each workspace effect', () => {
  const grant = { workspaces: ['notes'], path_prefixes: ['docs'], ops: ['resolve', 'read', 'list'] };
  assert.deepEqual(workspace(grant, 'workspace.resolve', { workspace: 'notes', version: null }), { allowed: true });
  assert.deepEqual(workspace(grant, 'workspace.read_bytes', { root_hash: ROOT_HASH, path: 'docs/a.md', range: null }), { allowed: true });
  assert.deepEqual(workspace(grant, 'workspace.list', { root_hash: ROOT_HASH, path: 'docs', scope: null, cursor: null, limit: 10 }), { allowed: true });
  denied(workspace(grant, 'workspace.write_bytes', { root_hash: ROOT_HASH, path: 'docs/a.md', bytes: '', mode: null }), 'op_not_allowed', /"write"/);
  denied(workspace(grant, 'workspace.resolve', { workspace: 'secrets', version: null }), 'workspace_not_allowed', /"secrets"/);
  denied(workspace(grant, 'workspace.read_ref', { root_hash: ROOT_HASH, path: 'docsx/a' }), 'path_not_allowed', /"docsx\/a"/);
  denied(workspace(grant, 'workspace.list', { root_hash: ROOT_HASH, path: null, scope: null, cursor: null, limit: 10 }), 'path_not_allowed', /""/);
  denied(workspace(grant, 'workspace.read_ref', { root_hash: ROOT_HASH, path: 'docs/../keys' }), 'path_not_allowed', /segments/);
  assert.deepEqual(workspace({}, 'workspace.remove', { root_hash: ROOT_HASH, path: 'anything/../at/all' }), { allowed: true }, 'no prefixes: no path limit');
});

const propose = (grant: unknown, summary: unknown) =>
  checkWith(enforceGovernance, 'sys/governance@1', grant, 'governance.propose', 'sys/GovProposeParams@1', {
    patch: { $tag: 'hash', $value: ROOT_HASH }, summary, manifest_base: null, description: null,
  });
const SUMMARY = {
  base_manifest_hash: null, patch_hash: ROOT_HASH, ops: ['add_def', 'set_manifest_refs'],
  def_changes: [{ kind: 'defmodule', name: 'app/Worker@2', action: { $tag: 'added' } }], manifest_sections: ['manifest_refs'],
};

test('governance: a proposal within ops, def kinds, name prefixes and sections is allowed; others act on proposals and pass', () => {
  const grant = { ops: ['add_def', 'set_manifest_refs'], def_kinds: ['defmodule'], name_prefixes: ['app/'], manifest_sections: ['manifest_refs'] };
  assert.deepEqual(propose(grant, SUMMARY), { allowed: true });
  assert.deepEqual(propose({}, null), { allowed: true }, 'an unconstrained grant needs no summary');
  assert.deepEqual(checkWith(enforceGovernance, 'sys/governance@1', grant, 'governance.apply', 'sys/GovApplyParams@1', { proposal_id: 3 }), { allowed: true });
});

test('governance: each constraint refuses with its own code', () => {
  denied(propose({ ops: ['add_def'] }, SUMMARY), 'op_not_allowed', /"set_manifest_refs"/);
  denied(propose({ def_kinds: ['defschema'] }, SUMMARY), 'def_kind_not_allowed', /"defmodule"/);
  denied(propose({ name_prefixes: ['sys2/'] }, SUMMARY), 'name_prefix_not_allowed', /"app\/Worker@2"/);
  denied(propose({ manifest_sections: ['routing_events'] }, SUMMARY), 'manifest_section_not_allowed', /"manifest_refs"/);
  denied(propose({ ops: ['add_def'] }, null), 'summary_required');
});

const introspect = (grant: unknown, kind: string, schema: string, params: unknown) => checkWith(enforceQuery, 'sys/query@1', grant, kind, schema, params);

test('query: a scope limits introspection to workflows under it; world-wide reads need an unscoped grant', () => {
  const scoped = { scope: 'demo/' };
  assert.deepEqual(introspect(scoped, 'introspect.list_cells', 'sys/IntrospectListCellsParams@1', { workflow: 'demo/Counter@1' }), { allowed: true });
  denied(introspect(scoped, 'introspect.workflow_state', 'sys/IntrospectWorkflowStateParams@1', { workflow: 'ops/Secrets@1', key: null, consistency: 'head' }), 'scope_not_allowed', /"ops\/Secrets@1"/);
  denied(introspect(scoped, 'introspect.manifest', 'sys/IntrospectManifestParams@1', { consistency: 'head' }), 'scope_not_allowed', /whole world/);
  assert.deepEqual(introspect({ scope: null }, 'introspect.manifest', 'sys/IntrospectManifestParams@1', { consistency: 'head' }), { allowed: true });
  assert.deepEqual(introspect({ scope: '' }, 'introspect.journal_head', 'sys/IntrospectJournalHeadParams@1', {}), { allowed: true });
});
