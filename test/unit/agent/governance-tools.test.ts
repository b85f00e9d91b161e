// Goal: the governance tools are specified like the built-in ones (tool_id = effect kind, an LLM
// name, a JSON schema of arguments, a mapper, a cap slot) and their mappers turn arguments into
// exactly the effect params (or the domain event) the world expects: build_module carries the
// host session, propose_change reads the base manifest first unless given one and claims the
// summary its ops describe, request_approval is an event the agent emits (never an approval),
// bad arguments are errors the model reads. Also: they plan like the built-in tools (serial,
// one governance resource) and the combined registry passes the registry checks.
// Method: the pure catalog, mappers and planner over a fresh session state.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { utf8Decode } from 'agentos/sdk';
import { checkRegistry } from '../../../src/agent/effective-tools.ts';
import { APPROVAL_REQUESTED_SCHEMA, GOVERNANCE_TOOL_IDS, governanceRegistry, mapGovernanceCall, nextProposeStep, summaryOf } from '../../../src/agent/governance-tools.ts';
import { initialState } from '../../../src/agent/state.ts';
import { builtinProfiles, builtinRegistry } from '../../../src/agent/tool-catalog.ts';
import { mapCall, ToolArgsError } from '../../../src/agent/tool-mappers.ts';
import { planCalls } from '../../../src/agent/tool-plan.ts';
import { isComposite, nextStep, slotOf } from '../../../src/agent/workspace-tools.ts';
import type { EffectiveTool, SessionState } from '../../../src/agent/types.ts';

const BASE = `sha256:${'b'.repeat(64)}`;
const MODULE_HASH = `sha256:${'c'.repeat(64)}`;
const PATCHES = [
  { add_def: { kind: 'defschema', node: { $kind: 'defschema', name: 'evo/S@1', type: { record: {} } } } },
  { add_def: { kind: 'defmodule', node: { $kind: 'defmodule', name: 'evo/W@1', module_kind: 'workflow', wasm_hash: MODULE_HASH, abi: { workflow: { state: 'evo/S@1', event: 'evo/S@1' } } } } },
  { set_routing_events: { pre_hash: BASE, subscriptions: [] } },
];

function ready(): SessionState {
  const state = initialState();
  state.session_id = '44444444-4444-4444-8444-444444444444';
  state.tool_runtime_context = { host_session_id: 'hs-1', host_session_status: { $tag: 'Ready' } };
  return state;
}

function refusal(run: () => unknown): { code: string; message: string } {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof ToolArgsError, String(error));
    return { code: error.code, message: error.message };
  }
  assert.fail('expected a ToolArgsError');
}

test('the governance tools are specified like the built-in ones', () => {
  const registry = governanceRegistry();
  assert.deepEqual(Object.keys(registry), [...GOVERNANCE_TOOL_IDS]);
  assert.deepEqual(Object.values(registry).map((spec) => [spec.tool_id, spec.tool_name, spec.mapper.$tag, spec.executor]), [
    ['host.build_module', 'build_module', 'HostBuildModule', { $tag: 'Effect', $value: { effect_kind: 'host.build_module', cap_slot: 'build' } }],
    ['governance.propose', 'propose_change', 'GovernancePropose', { $tag: 'Effect', $value: { effect_kind: 'governance.propose', cap_slot: 'governance' } }],
    ['governance.shadow', 'shadow_change', 'GovernanceShadow', { $tag: 'Effect', $value: { effect_kind: 'governance.shadow', cap_slot: 'governance' } }],
    ['governance.request_approval', 'request_approval', 'RequestApproval', { $tag: 'DomainEvent', $value: { schema: APPROVAL_REQUESTED_SCHEMA } }],
    ['governance.apply', 'apply_change', 'GovernanceApply', { $tag: 'Effect', $value: { effect_kind: 'governance.apply', cap_slot: 'governance' } }],
  ]);
  assert.deepEqual(JSON.parse(registry['governance.propose']!.args_schema_json), {
    type: 'object', properties: { patches: { type: 'array' }, description: { type: 'string' }, base_manifest_hash: { type: 'string' } }, required: ['patches'], additionalProperties: false,
  });
  assert.deepEqual(registry['host.build_module']!.availability_rules, [{ $tag: 'HostSessionReady' }], 'building reads a host session\'s work dir');
  assert.ok(Object.values(registry).every((spec) => !spec.parallelism_hint.parallel_safe), 'governance calls run one at a time, in the model\'s order');
  const combined = { ...builtinRegistry(), ...registry };
  assert.doesNotThrow(() => checkRegistry(combined, { ...builtinProfiles(), evolve: [...GOVERNANCE_TOOL_IDS, 'host.fs.write_file'] }));
  const tools: EffectiveTool[] = Object.values(combined).map((spec) => ({ ...spec, parallel_safe: spec.parallelism_hint.parallel_safe, resource_key: spec.parallelism_hint.resource_key }));
  const plan = planCalls(['write_file', 'build_module', 'propose_change', 'shadow_change'].map((name, index) => ({ call_id: `c${index}`, tool_name: name, arguments_json: '{}', arguments_ref: null, provider_call_id: null })), tools);
  assert.deepEqual(plan.groups, [['c0'], ['c1'], ['c2'], ['c3']], 'write, then build, then propose, then shadow');
});

test('single-step mappers: build carries the host session; shadow and apply name the proposal; request_approval is an event', () => {
  const state = ready();
  assert.deepEqual(mapCall('HostBuildModule', { path: 'run-log.ts', module: 'evo/RunLog@1' }, state, 0), { kind: 'effect', effectKind: 'host.build_module', params: { session_id: 'hs-1', entry: 'run-log.ts', module_name: 'evo/RunLog@1' } });
  assert.deepEqual(mapCall('GovernanceShadow', { proposal_id: 3 }, state, 0), { kind: 'effect', effectKind: 'governance.shadow', params: { proposal_id: 3 } });
  assert.deepEqual(mapCall('GovernanceApply', { proposal_id: 0 }, state, 0), { kind: 'effect', effectKind: 'governance.apply', params: { proposal_id: 0 } });
  assert.deepEqual(mapCall('RequestApproval', { proposal_id: 0, note: 'adds a run log' }, state, 0), { kind: 'event', schema: APPROVAL_REQUESTED_SCHEMA, value: { session_id: state.session_id, proposal_id: 0, note: 'adds a run log' } });
  assert.deepEqual(mapGovernanceCall('RequestApproval', { proposal_id: 1 }, state), { kind: 'event', schema: APPROVAL_REQUESTED_SCHEMA, value: { session_id: state.session_id, proposal_id: 1, note: null } });
});

test('bad arguments are errors the model reads', () => {
  const state = ready();
  assert.deepEqual(refusal(() => mapCall('GovernanceShadow', { proposal_id: -1 }, state, 0)).code, 'tool_invalid_args');
  assert.match(refusal(() => mapCall('GovernanceApply', { proposal_id: '0' }, state, 0)).message, /proposal_id is required: the whole number propose_change returned/);
  assert.match(refusal(() => mapCall('HostBuildModule', { path: 'a.ts' }, state, 0)).message, /argument module is required/);
  assert.match(refusal(() => mapCall('RequestApproval', { proposal_id: 0, note: 7 }, state, 0)).message, /note must be a string/);
  const closed = { ...state, tool_runtime_context: { host_session_id: null, host_session_status: null } };
  assert.equal(refusal(() => mapCall('HostBuildModule', { path: 'a.ts', module: 'evo/A@1' }, closed, 0)).code, 'missing_session');
  assert.equal(refusal(() => mapCall('GovernancePropose', { patches: PATCHES }, state, 0)).code, 'executor_unsupported', 'propose_change is a chain, not a single effect');
  assert.match(refusal(() => nextProposeStep({ patches: [] }, [])).message, /non-empty array of patch ops/);
  assert.match(refusal(() => nextProposeStep({ patches: [{ add_def: {}, set_defaults: {} }] }, [])).message, /patches\[0\] must be an object with exactly one key/);
  assert.match(refusal(() => nextProposeStep({ patches: PATCHES, base_manifest_hash: 'latest' }, [])).message, /base_manifest_hash must be sha256:/);
  assert.equal(refusal(() => nextProposeStep({ patches: PATCHES }, [{ manifest: { hex: 'a0' }, meta: {} }])).code, 'receipt_decode_error');
  assert.match(refusal(() => nextProposeStep({ patches: Array.from({ length: 65 }, () => PATCHES[0]) }, [])).message, /at most 64 at once/);
});

test('propose_change reads the manifest hash first, then proposes the patch with the summary its ops describe', () => {
  assert.ok(isComposite('GovernancePropose'));
  const args = { patches: PATCHES, description: 'add a run log' };
  assert.deepEqual(nextStep('GovernancePropose', args, []), { kind: 'effect', effectKind: 'introspect.manifest', params: { consistency: 'head' } });
  assert.equal(slotOf('introspect.manifest'), 'query');
  const step = nextStep('GovernancePropose', args, [{ manifest: { hex: 'a0' }, meta: { journal_height: 9, manifest_hash: BASE } }]);
  assert.equal(step.kind, 'effect');
  assert.equal(step.kind === 'effect' ? step.effectKind : '', 'governance.propose');
  assert.equal(slotOf('governance.propose'), 'governance');
  const params = (step as unknown as { params: { patch: { $tag: string; $value: Uint8Array }; summary: unknown; manifest_base: string; description: string } }).params;
  assert.equal(params.patch.$tag, 'patch_doc_json');
  assert.deepEqual(JSON.parse(utf8Decode(params.patch.$value)), { version: '1', base_manifest_hash: BASE, patches: PATCHES });
  assert.deepEqual(params.summary, {
    base_manifest_hash: BASE, patch_hash: `sha256:${'0'.repeat(64)}`, ops: ['add_def', 'set_routing_events'],
    def_changes: [{ kind: 'defschema', name: 'evo/S@1', action: { $tag: 'added' } }, { kind: 'defmodule', name: 'evo/W@1', action: { $tag: 'added' } }],
    manifest_sections: ['manifest_refs', 'routing_events'],
  });
  assert.deepEqual([params.manifest_base, params.description], [BASE, 'add a run log']);
  const done = nextStep('GovernancePropose', args, [{ meta: { manifest_hash: BASE } }, { proposal_id: 4, patch_hash: MODULE_HASH, manifest_base: BASE }]);
  assert.deepEqual(done, { kind: 'done', result: { proposal_id: 4, patch_hash: MODULE_HASH, manifest_base: BASE, base_manifest_hash: BASE, next: 'read the shadow report with shadow_change, then request_approval' } });
  const given = nextStep('GovernancePropose', { patches: PATCHES, base_manifest_hash: MODULE_HASH }, []);
  assert.equal(given.kind === 'effect' ? given.effectKind : '', 'governance.propose', 'a given base skips the manifest read');
});

test('the claimed summary follows the ops: replace and remove, section setters, manifest refs', () => {
  assert.deepEqual(summaryOf([
    { replace_def: { kind: 'defpolicy', name: 'evo/p@1', new_node: {}, pre_hash: BASE } },
    { remove_def: { kind: 'defcap', name: 'evo/c@1', pre_hash: BASE } },
    { set_defaults: { policy: 'evo/p@1' } },
    { set_module_bindings: { pre_hash: BASE, bindings: {} } },
    { set_manifest_refs: { add: [{ kind: 'defschema', name: 'evo/x@1', hash: BASE }], remove: [{ kind: 'defschema', name: 'evo/y@1' }] } },
  ]), {
    ops: ['remove_def', 'replace_def', 'set_defaults', 'set_manifest_refs', 'set_module_bindings'],
    def_changes: [
      { kind: 'defpolicy', name: 'evo/p@1', action: { $tag: 'changed' } }, { kind: 'defcap', name: 'evo/c@1', action: { $tag: 'removed' } },
      { kind: 'defschema', name: 'evo/x@1', action: { $tag: 'added' } }, { kind: 'defschema', name: 'evo/y@1', action: { $tag: 'removed' } },
    ],
    manifest_sections: ['defaults', 'manifest_refs', 'module_bindings'],
  });
  assert.deepEqual(summaryOf([{ set_defaults: { policy: 'evo/p@1' } }]), { ops: ['set_defaults'], def_changes: [], manifest_sections: ['defaults'] });
});
