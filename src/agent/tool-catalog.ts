// The built-in tools (upstream-agent.md §2): tool_id is the effect kind, used in profiles and
// overrides; tool_name is what the model sees. Their tool_ref is the zero hash until the session
// materialises each definition as a blob (blob.put) before the first turn that offers it.
// A session keeps them by reference, not by value: its state holds an empty registry and empty
// profiles for "the built-in ones" (registryOf, profilesOf), since the ~15 KB they take would
// otherwise cross the sandbox boundary in and out at every step of every session.
import type { AvailabilityRule, MapperTag, ToolSpec } from './types.ts';

export const ZERO_HASH = `sha256:${'0'.repeat(64)}`;

/** A tool as its table lists it (here and in governance-tools.ts); toolSpecOf makes its spec. */
export interface ToolRow {
  readonly id: string; readonly name: string; readonly mapper: MapperTag; readonly description: string;
  /** Argument properties: name → JSON-schema type; required ones listed apart. */
  readonly props: Readonly<Record<string, string>>; readonly required: readonly string[];
  readonly slot: string; readonly parallel: boolean; readonly key: string | null;
  readonly rule: AvailabilityRule['$tag'];
  /** Composite tools settle through a DomainEvent rather than an effect. */
  readonly event?: string;
}

const ROWS: readonly ToolRow[] = Object.freeze([
  { id: 'host.session.open', name: 'open_session', mapper: 'HostSessionOpen', description: 'Open a host session to run commands and edit files in.', props: { target: 'object', session_ttl_ns: 'integer', labels: 'object' }, required: [], slot: 'host', parallel: false, key: 'host.session', rule: 'HostSessionNotReady' },
  { id: 'host.exec', name: 'shell', mapper: 'HostExec', description: 'Run a command (argv) in the host session.', props: { argv: 'array', cwd: 'string', timeout_ns: 'integer', env_patch: 'object', stdin_ref: 'string' }, required: ['argv'], slot: 'host', parallel: false, key: 'host.exec', rule: 'HostSessionReady' },
  { id: 'host.session.signal', name: 'signal_session', mapper: 'HostSessionSignal', description: 'Signal or close the host session.', props: { signal: 'string', grace_timeout_ns: 'integer' }, required: ['signal'], slot: 'host', parallel: false, key: 'host.session', rule: 'HostSessionReady' },
  { id: 'host.fs.read_file', name: 'read_file', mapper: 'HostFsReadFile', description: 'Read a file.', props: { path: 'string', offset_bytes: 'integer', max_bytes: 'integer', encoding: 'string' }, required: ['path'], slot: 'host', parallel: true, key: null, rule: 'HostSessionReady' },
  { id: 'host.fs.write_file', name: 'write_file', mapper: 'HostFsWriteFile', description: 'Write text to a file.', props: { path: 'string', text: 'string', blob_ref: 'string', create_parents: 'boolean', mode: 'string' }, required: ['path'], slot: 'host', parallel: true, key: 'host.fs.write', rule: 'HostSessionReady' },
  { id: 'host.fs.edit_file', name: 'edit_file', mapper: 'HostFsEditFile', description: 'Replace a string in a file.', props: { path: 'string', old_string: 'string', new_string: 'string', replace_all: 'boolean' }, required: ['path', 'old_string', 'new_string'], slot: 'host', parallel: true, key: 'host.fs.write', rule: 'HostSessionReady' },
  { id: 'host.fs.apply_patch', name: 'apply_patch', mapper: 'HostFsApplyPatch', description: 'Apply a v4a patch.', props: { patch: 'string', dry_run: 'boolean' }, required: ['patch'], slot: 'host', parallel: true, key: 'host.fs.write', rule: 'HostSessionReady' },
  { id: 'host.fs.grep', name: 'grep', mapper: 'HostFsGrep', description: 'Search files with a regular expression.', props: { pattern: 'string', path: 'string', glob_filter: 'string', case_insensitive: 'boolean', max_results: 'integer' }, required: ['pattern'], slot: 'host', parallel: true, key: null, rule: 'HostSessionReady' },
  { id: 'host.fs.glob', name: 'glob', mapper: 'HostFsGlob', description: 'List paths matching a glob.', props: { pattern: 'string', path: 'string', max_results: 'integer' }, required: ['pattern'], slot: 'host', parallel: true, key: null, rule: 'HostSessionReady' },
  { id: 'host.fs.stat', name: 'stat', mapper: 'HostFsStat', description: 'File metadata.', props: { path: 'string' }, required: ['path'], slot: 'host', parallel: true, key: null, rule: 'HostSessionReady' },
  { id: 'host.fs.exists', name: 'exists', mapper: 'HostFsExists', description: 'Whether a path exists.', props: { path: 'string' }, required: ['path'], slot: 'host', parallel: true, key: null, rule: 'HostSessionReady' },
  { id: 'host.fs.list_dir', name: 'list_dir', mapper: 'HostFsListDir', description: 'List a directory.', props: { path: 'string', max_results: 'integer' }, required: [], slot: 'host', parallel: true, key: null, rule: 'HostSessionReady' },
  { id: 'introspect.manifest', name: 'inspect_world', mapper: 'InspectWorld', description: 'Summarise this world: modules, effects, caps, policies, routing.', props: {}, required: [], slot: 'query', parallel: true, key: null, rule: 'Always' },
  { id: 'introspect.workflow_state', name: 'inspect_workflow', mapper: 'InspectWorkflow', description: 'Read a workflow\'s state (view "state") or list its cells (view "cells").', props: { workflow: 'string', view: 'string', cell_key: 'object' }, required: ['workflow'], slot: 'query', parallel: true, key: null, rule: 'Always' },
  { id: 'workspace.inspect', name: 'workspace_inspect', mapper: 'WorkspaceInspect', description: 'Resolve a workspace version to its root hash.', props: { workspace: 'string', root_hash: 'string', version: 'integer' }, required: [], slot: 'workspace', parallel: true, key: null, rule: 'Always' },
  { id: 'workspace.list', name: 'workspace_list', mapper: 'WorkspaceList', description: 'List workspaces, or the entries of one.', props: { workspace: 'string', root_hash: 'string', path: 'string', scope: 'string', limit: 'integer' }, required: [], slot: 'workspace', parallel: true, key: null, rule: 'Always' },
  { id: 'workspace.read', name: 'workspace_read', mapper: 'WorkspaceRead', description: 'Read a file of a workspace.', props: { workspace: 'string', root_hash: 'string', path: 'string' }, required: ['path'], slot: 'workspace', parallel: true, key: null, rule: 'Always' },
  { id: 'workspace.apply', name: 'workspace_apply', mapper: 'WorkspaceApply', description: 'Make a new workspace root from write/remove operations (no commit).', props: { workspace: 'string', root_hash: 'string', operations: 'array' }, required: ['operations'], slot: 'workspace', parallel: false, key: 'workspace.apply', rule: 'Always' },
  { id: 'workspace.diff', name: 'workspace_diff', mapper: 'WorkspaceDiff', description: 'Diff two workspace roots.', props: { left: 'object', right: 'object', prefix: 'string' }, required: ['left', 'right'], slot: 'workspace', parallel: true, key: null, rule: 'Always' },
  { id: 'workspace.commit', name: 'workspace_commit', mapper: 'WorkspaceCommit', description: 'Commit a root as the workspace\'s next version.', props: { workspace: 'string', root_hash: 'string', expected_head: 'integer', owner: 'string' }, required: ['workspace', 'root_hash'], slot: 'workspace', parallel: false, key: 'workspace.commit', rule: 'Always', event: 'sys/WorkspaceCommit@1' },
]);

function argsSchema(row: ToolRow): string {
  const properties = Object.fromEntries(Object.entries(row.props).map(([name, type]) => [name, { type }]));
  return JSON.stringify({ type: 'object', properties, required: row.required, additionalProperties: false });
}

/** The spec of a tool row: its tool_ref the zero hash until the session materialises it. */
export function toolSpecOf(row: ToolRow): ToolSpec {
  return {
    tool_id: row.id, tool_name: row.name, tool_ref: ZERO_HASH, description: row.description, args_schema_json: argsSchema(row),
    mapper: { $tag: row.mapper },
    executor: row.event === undefined ? { $tag: 'Effect', $value: { effect_kind: row.id, cap_slot: row.slot } } : { $tag: 'DomainEvent', $value: { schema: row.event } },
    availability_rules: [{ $tag: row.rule }],
    parallelism_hint: { parallel_safe: row.parallel, resource_key: row.key },
  };
}

/** The built-in registry, tool_id → spec (a fresh copy: a session may hold and change it). */
export function builtinRegistry(): Record<string, ToolSpec> {
  return Object.fromEntries(ROWS.map((row) => [row.id, toolSpecOf(row)]));
}

/** Freezes `value` and everything in it: the shared built-ins must never be written through. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

// Built once per module context and frozen, so no session's step can change what another sees
// (sessions are cells of one module, and share its context between snapshots).
let shared: { readonly registry: Readonly<Record<string, ToolSpec>>; readonly profiles: Readonly<Record<string, readonly string[]>> } | null = null;

function sharedBuiltins(): NonNullable<typeof shared> {
  shared ??= deepFreeze({ registry: builtinRegistry(), profiles: builtinProfiles() });
  return shared;
}

/** The session's registry: its own, or (held as an empty map) the built-in one. Read-only. */
export function registryOf(state: { readonly tool_registry: Readonly<Record<string, ToolSpec>> }): Readonly<Record<string, ToolSpec>> {
  return Object.keys(state.tool_registry).length > 0 ? state.tool_registry : sharedBuiltins().registry;
}

/** The session's profiles: its own, or (held as an empty map) the built-in ones. Read-only. */
export function profilesOf(state: { readonly tool_profiles: Readonly<Record<string, readonly string[]>> }): Readonly<Record<string, readonly string[]>> {
  return Object.keys(state.tool_profiles).length > 0 ? state.tool_profiles : sharedBuiltins().profiles;
}

const COMMON: readonly string[] = Object.freeze([
  'introspect.manifest', 'introspect.workflow_state', 'workspace.inspect', 'workspace.list', 'workspace.read', 'workspace.apply', 'workspace.diff', 'workspace.commit',
  'host.exec', 'host.fs.read_file', 'host.fs.write_file', 'host.fs.grep', 'host.fs.glob', 'host.fs.stat', 'host.fs.exists', 'host.fs.list_dir',
]);

/** The built-in profiles: the common set plus apply_patch (OpenAI) or edit_file (Anthropic, Gemini). */
export function builtinProfiles(): Record<string, string[]> {
  const openai = [...COMMON, 'host.fs.apply_patch'];
  const edit = [...COMMON, 'host.fs.edit_file'];
  return { anthropic: edit, default: openai, gemini: edit, openai };
}

/** The profile a provider gets when nothing names one. */
export function providerDefaultProfile(provider: string): string {
  if (provider.includes('anthropic')) return 'anthropic';
  if (provider.includes('gemini')) return 'gemini';
  return 'openai';
}
