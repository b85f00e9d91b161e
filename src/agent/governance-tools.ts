// The governance tools (DESIGN §8, §10): how an agent evolves its own world. It writes a module
// in its host work dir, bundles it (build_module: host.build_module, the bundle goes to the CAS
// and its hash is the defmodule's wasm_hash), proposes a patch that adds it (propose_change:
// governance.propose), reads the shadow report (shadow_change: governance.shadow), asks a human
// principal to approve (request_approval: a domain event, aos.agent/ApprovalRequested@1; the
// agent holds no principal key, so it cannot approve), and applies the approved change
// (apply_change: governance.apply). Each is specified like a built-in tool: tool_id = effect kind,
// an LLM name, a JSON schema of its arguments, a mapper, a cap slot.
//
// propose_change is a short chain (workspace-tools.ts runs it): without base_manifest_hash it
// first reads the manifest hash (introspect.manifest), so the model never writes a stale base;
// the patch summary the governance grant is checked against is derived from the ops here, and
// the node refuses the proposal when it does not describe the patch.
import type { AirValue } from 'agentos/sdk';
import { utf8Encode } from 'agentos/sdk';
import { PROPOSAL_PATCH_OPS_MAX } from './limits.ts';
import { toolSpecOf, ZERO_HASH } from './tool-catalog.ts';
import type { ToolRow } from './tool-catalog.ts';
import { hostSession, optText, text, ToolArgsError } from './tool-mappers.ts';
import type { MappedCall } from './tool-mappers.ts';
import type { MapperTag, SessionState, ToolSpec } from './types.ts';

const HASH = /^sha256:[0-9a-f]{64}$/;
/** The domain event request_approval emits; a world may route it to whoever notifies its principals. */
export const APPROVAL_REQUESTED_SCHEMA = 'aos.agent/ApprovalRequested@1';
/** The cap slot of the governance effects (the session module binds it to a governance grant). */
export const GOVERNANCE_SLOT = 'governance';


const ROWS: readonly ToolRow[] = Object.freeze([
  { id: 'host.build_module', name: 'build_module', mapper: 'HostBuildModule', description: 'Bundle a TypeScript workflow module in the work dir (it imports "agentos/sdk"); returns module_hash, the wasm_hash of its defmodule, or the bundler\'s errors.', props: { path: 'string', module: 'string' }, required: ['path', 'module'], slot: 'build', parallel: false, key: 'host.build', rule: 'HostSessionReady' },
  { id: 'governance.propose', name: 'propose_change', mapper: 'GovernancePropose', description: 'Propose a change to this world: AIR patch ops (add_def, replace_def, remove_def, set_defaults, set_routing_events, set_module_bindings, …) against the current manifest; returns proposal_id.', props: { patches: 'array', description: 'string', base_manifest_hash: 'string' }, required: ['patches'], slot: GOVERNANCE_SLOT, parallel: false, key: 'governance', rule: 'Always' },
  { id: 'governance.shadow', name: 'shadow_change', mapper: 'GovernanceShadow', description: 'Dry-run a proposal on a fork of this world: predicted effects, state changes, capability and policy changes.', props: { proposal_id: 'integer' }, required: ['proposal_id'], slot: GOVERNANCE_SLOT, parallel: false, key: 'governance', rule: 'Always' },
  { id: 'governance.request_approval', name: 'request_approval', mapper: 'RequestApproval', description: 'Ask a human principal to approve a proposal (you cannot approve it yourself); end your turn and wait to be told it was approved.', props: { proposal_id: 'integer', note: 'string' }, required: ['proposal_id'], slot: GOVERNANCE_SLOT, parallel: false, key: 'governance', rule: 'Always', event: APPROVAL_REQUESTED_SCHEMA },
  { id: 'governance.apply', name: 'apply_change', mapper: 'GovernanceApply', description: 'Apply an approved proposal: the world switches to the new manifest.', props: { proposal_id: 'integer' }, required: ['proposal_id'], slot: GOVERNANCE_SLOT, parallel: false, key: 'governance', rule: 'Always' },
]);

/** The governance tools, tool_id → spec: add them to a registry (ToolRegistrySet) and name them in a profile or an enable list. */
export function governanceRegistry(): Record<string, ToolSpec> {
  return Object.fromEntries(ROWS.map((row) => [row.id, toolSpecOf(row)]));
}

/** The governance tools' ids, in the order a profile lists them. */
export const GOVERNANCE_TOOL_IDS: readonly string[] = Object.freeze(ROWS.map((row) => row.id));

type Args = Readonly<Record<string, unknown>>;

function proposalId(args: Args): number {
  const value = args['proposal_id'];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw new ToolArgsError('tool_invalid_args', 'argument proposal_id is required: the whole number propose_change returned');
  return value;
}

/** Maps a single-step governance tool (everything but propose_change, which is a chain). */
export function mapGovernanceCall(mapper: MapperTag, args: Args, state: SessionState): MappedCall {
  switch (mapper) {
    case 'HostBuildModule':
      return { kind: 'effect', effectKind: 'host.build_module', params: { session_id: hostSession(state, 'build_module reads the work dir of one'), entry: text(args, 'path', 'the module\'s .ts file, relative to the work dir'), module_name: text(args, 'module', 'the module\'s AIR name, e.g. "evo/RunLog@1"') } };
    case 'GovernanceShadow':
      return { kind: 'effect', effectKind: 'governance.shadow', params: { proposal_id: proposalId(args) } };
    case 'GovernanceApply':
      return { kind: 'effect', effectKind: 'governance.apply', params: { proposal_id: proposalId(args) } };
    case 'RequestApproval':
      return { kind: 'event', schema: APPROVAL_REQUESTED_SCHEMA, value: { session_id: state.session_id, proposal_id: proposalId(args), note: optText(args, 'note') } };
    default:
      throw new ToolArgsError('executor_unsupported', `${mapper} is not a single-step governance tool`);
  }
}

/** One step of propose_change: an effect, or the tool's result. */
export type ProposeStep =
  | { readonly kind: 'effect'; readonly effectKind: string; readonly params: AirValue }
  | { readonly kind: 'done'; readonly result: unknown };

type Json = Record<string, unknown>;

/** propose_change's next step given the receipts so far: the manifest hash when not given, then the proposal. */
export function nextProposeStep(args: Args, results: readonly Json[]): ProposeStep {
  const patches = patchesOf(args);
  const given = optText(args, 'base_manifest_hash');
  if (given !== null && !HASH.test(given)) throw new ToolArgsError('tool_invalid_args', 'base_manifest_hash must be sha256:<64 lower-case hex>, or left out to use the current manifest');
  const reads = given === null ? 1 : 0;
  if (given === null && results[0] === undefined) return { kind: 'effect', effectKind: 'introspect.manifest', params: { consistency: 'head' } };
  const base = given ?? manifestHashOf(results[0]);
  const proposed = results[reads];
  if (proposed !== undefined) return { kind: 'done', result: { ...proposed, base_manifest_hash: base, next: 'read the shadow report with shadow_change, then request_approval' } };
  const document = { version: '1', base_manifest_hash: base, patches };
  return {
    kind: 'effect', effectKind: 'governance.propose',
    params: {
      patch: { $tag: 'patch_doc_json', $value: utf8Encode(JSON.stringify(document)) },
      summary: { base_manifest_hash: base, patch_hash: ZERO_HASH, ...summaryOf(patches) },
      manifest_base: base, description: optText(args, 'description'),
    },
  };
}

function manifestHashOf(result: Json | undefined): string {
  const hash = (result?.['meta'] as Json | undefined)?.['manifest_hash'];
  if (typeof hash !== 'string' || !HASH.test(hash)) throw new ToolArgsError('receipt_decode_error', 'introspect.manifest gave no manifest_hash');
  return hash;
}

function patchesOf(args: Args): Json[] {
  const patches = args['patches'];
  if (!Array.isArray(patches) || patches.length === 0) throw new ToolArgsError('tool_invalid_args', 'argument patches is required: a non-empty array of patch ops, each an object with one key (add_def, replace_def, set_routing_events, …)');
  if (patches.length > PROPOSAL_PATCH_OPS_MAX) throw new ToolArgsError('tool_invalid_args', `patches holds ${patches.length} ops; propose at most ${PROPOSAL_PATCH_OPS_MAX} at once`);
  for (const [index, op] of patches.entries()) {
    if (typeof op !== 'object' || op === null || Array.isArray(op) || Object.keys(op).length !== 1) throw new ToolArgsError('tool_invalid_args', `patches[${index}] must be an object with exactly one key, the op's name`);
  }
  return patches as Json[];
}

/** The manifest section each section-setting op changes. */
const SECTION_OF_OP: Readonly<Record<string, string>> = Object.freeze({
  set_defaults: 'defaults', set_routing_events: 'routing_events', set_routing_inboxes: 'routing_inboxes',
  set_module_bindings: 'module_bindings', set_secrets: 'secrets', set_approval_policy: 'approval_policy',
});

/**
 * The summary (sys/GovPatchSummary@1, less the hashes) the ops claim: what the grant's enforcer
 * checks. It is what the ops say; the node compiles the patch and refuses a summary that
 * differs (say, a set_defaults that changes nothing), and the model sees why.
 */
export function summaryOf(patches: readonly Json[]): { ops: string[]; def_changes: AirValue[]; manifest_sections: string[] } {
  const ops = new Set<string>();
  const changes: AirValue[] = [];
  const sections = new Set<string>();
  for (const op of patches) {
    const [name, body] = Object.entries(op)[0] as [string, Json | null];
    ops.add(name);
    const section = SECTION_OF_OP[name];
    if (section !== undefined) sections.add(section);
    const change = defChange(name, body ?? {});
    if (change !== null) changes.push(change);
    if (name === 'set_manifest_refs') {
      for (const ref of (body?.['add'] as Json[] | undefined) ?? []) changes.push({ kind: String(ref['kind']), name: String(ref['name']), action: { $tag: 'added' } });
      for (const ref of (body?.['remove'] as Json[] | undefined) ?? []) changes.push({ kind: String(ref['kind']), name: String(ref['name']), action: { $tag: 'removed' } });
    }
  }
  if (changes.length > 0) sections.add('manifest_refs');
  return { ops: [...ops].sort(), def_changes: changes, manifest_sections: [...sections].sort() };
}

function defChange(op: string, body: Json): AirValue | null {
  if (op === 'add_def') {
    const node = (body['node'] ?? {}) as Json;
    return { kind: String(body['kind'] ?? node['$kind']), name: String(node['name']), action: { $tag: 'added' } };
  }
  if (op === 'replace_def') return { kind: String(body['kind']), name: String(body['name']), action: { $tag: 'changed' } };
  if (op === 'remove_def') return { kind: String(body['kind']), name: String(body['name']), action: { $tag: 'removed' } };
  return null;
}
