// Tool arguments (the model's JSON) → effect params (upstream-agent.md §2 and §3). Each mapper
// checks the required fields and their types and injects the host session id; a bad argument is
// a ToolArgsError, which the batch turns into an error result the model sees.
import { utf8Encode } from 'agentos/sdk';
import type { AirValue } from 'agentos/sdk';
import type { MapperTag, SessionState } from './types.ts';
import { mapGovernanceCall } from './governance-tools.ts';

export class ToolArgsError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

/** What a call turns into: one effect, or a domain event settled at once. */
export type MappedCall =
  | { readonly kind: 'effect'; readonly effectKind: string; readonly params: AirValue }
  | { readonly kind: 'event'; readonly schema: string; readonly value: AirValue };

type Args = Readonly<Record<string, unknown>>;

/** A required non-empty string argument; `what` says what it is when it is missing. */
export function text(args: Args, field: string, what?: string): string {
  const value = args[field];
  if (typeof value !== 'string' || value === '') throw new ToolArgsError('tool_invalid_args', what === undefined ? `argument ${field} is required and must be a non-empty string` : `argument ${field} is required: ${what}`);
  return value;
}
export function optText(args: Args, field: string): string | null {
  const value = args[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new ToolArgsError('tool_invalid_args', `argument ${field} must be a string`);
  return value;
}
function optNat(args: Args, field: string): number | null {
  const value = args[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw new ToolArgsError('tool_invalid_args', `argument ${field} must be a non-negative integer`);
  return value;
}
function optBool(args: Args, field: string): boolean | null {
  const value = args[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'boolean') throw new ToolArgsError('tool_invalid_args', `argument ${field} must be true or false`);
  return value;
}
function optTextMap(args: Args, field: string): Record<string, string> | null {
  const value = args[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value) || !Object.values(value).every((item) => typeof item === 'string')) throw new ToolArgsError('tool_invalid_args', `argument ${field} must be an object of strings`);
  return value as Record<string, string>;
}

/** The ready host session's id; `who` names what needs it in the refusal. */
export function hostSession(state: SessionState, who = 'the host tools need one'): string {
  const context = state.tool_runtime_context;
  if (context.host_session_status?.$tag !== 'Ready' || context.host_session_id === null) throw new ToolArgsError('missing_session', `no host session is ready; ${who}`);
  return context.host_session_id;
}

function effectOf(effectKind: string, params: AirValue): MappedCall {
  return { kind: 'effect', effectKind, params };
}

const HEX = /^(?:[0-9a-f]{2})*$/;

function cellKey(args: Args): Uint8Array | null {
  const key = args['cell_key'];
  if (key === undefined || key === null) return null;
  const { encoding, value } = key as { encoding?: unknown; value?: unknown };
  if (typeof value !== 'string' || (encoding !== 'utf8' && encoding !== 'hex')) throw new ToolArgsError('tool_invalid_args', 'cell_key must be {encoding: "utf8" | "hex", value: string}');
  if (encoding === 'utf8') return utf8Encode(value);
  if (!HEX.test(value)) throw new ToolArgsError('tool_invalid_args', 'cell_key value is not lower-case hex');
  return new Uint8Array(value.length / 2).map((_, index) => parseInt(value.slice(index * 2, index * 2 + 2), 16));
}

/** Maps one call; `now` stamps domain events (workspace commits). */
export function mapCall(mapper: MapperTag, args: Args, state: SessionState, now: number | bigint): MappedCall {
  switch (mapper) {
    case 'HostSessionOpen': {
      const target = args['target'] ?? { local: { network_mode: 'none' } };
      const local = (target as { local?: Record<string, unknown> }).local;
      if (typeof local !== 'object' || local === null) throw new ToolArgsError('tool_invalid_args', 'target must be {local: {...}}');
      return effectOf('host.session.open', {
        target: { $tag: 'local', $value: { mounts: null, workdir: optText(local, 'workdir'), env: optTextMap(local, 'env'), network_mode: optText(local, 'network_mode') ?? 'none' } },
        session_ttl_ns: optNat(args, 'session_ttl_ns'), labels: optTextMap(args, 'labels'),
      });
    }
    case 'HostExec': {
      const argv = args['argv'];
      if (!Array.isArray(argv) || argv.length === 0 || !argv.every((item) => typeof item === 'string')) throw new ToolArgsError('tool_invalid_args', 'argument argv is required: a non-empty array of strings');
      return effectOf('host.exec', { session_id: hostSession(state), argv, cwd: optText(args, 'cwd'), timeout_ns: optNat(args, 'timeout_ns'), env_patch: optTextMap(args, 'env_patch'), stdin_ref: optText(args, 'stdin_ref'), output_mode: null });
    }
    case 'HostSessionSignal':
      return effectOf('host.session.signal', { session_id: hostSession(state), signal: text(args, 'signal'), grace_timeout_ns: optNat(args, 'grace_timeout_ns') });
    case 'HostFsReadFile':
      return effectOf('host.fs.read_file', { session_id: hostSession(state), path: text(args, 'path'), offset_bytes: optNat(args, 'offset_bytes'), max_bytes: optNat(args, 'max_bytes'), encoding: optText(args, 'encoding'), output_mode: null });
    case 'HostFsWriteFile': {
      const path = text(args, 'path');
      const inline = optText(args, 'text');
      const ref = optText(args, 'blob_ref');
      if ((inline === null) === (ref === null)) throw new ToolArgsError('tool_invalid_args', 'give exactly one of text or blob_ref');
      const content = inline !== null ? { $tag: 'inline_text', $value: { text: inline } } : { $tag: 'blob_ref', $value: { blob_ref: ref } };
      return effectOf('host.fs.write_file', { session_id: hostSession(state), path, content, create_parents: optBool(args, 'create_parents'), mode: optText(args, 'mode') });
    }
    case 'HostFsEditFile':
      return effectOf('host.fs.edit_file', { session_id: hostSession(state), path: text(args, 'path'), old_string: text(args, 'old_string'), new_string: typeof args['new_string'] === 'string' ? args['new_string'] : text(args, 'new_string'), replace_all: optBool(args, 'replace_all') });
    case 'HostFsApplyPatch':
      return effectOf('host.fs.apply_patch', { session_id: hostSession(state), patch: { $tag: 'inline_text', $value: { text: text(args, 'patch') } }, patch_format: null, dry_run: optBool(args, 'dry_run') });
    case 'HostFsGrep':
      return effectOf('host.fs.grep', { session_id: hostSession(state), pattern: text(args, 'pattern'), path: optText(args, 'path'), glob_filter: optText(args, 'glob_filter'), case_insensitive: optBool(args, 'case_insensitive'), max_results: optNat(args, 'max_results'), output_mode: null });
    case 'HostFsGlob':
      return effectOf('host.fs.glob', { session_id: hostSession(state), pattern: text(args, 'pattern'), path: optText(args, 'path'), max_results: optNat(args, 'max_results'), output_mode: null });
    case 'HostFsStat':
      return effectOf('host.fs.stat', { session_id: hostSession(state), path: text(args, 'path') });
    case 'HostFsExists':
      return effectOf('host.fs.exists', { session_id: hostSession(state), path: text(args, 'path') });
    case 'HostFsListDir':
      return effectOf('host.fs.list_dir', { session_id: hostSession(state), path: optText(args, 'path'), max_results: optNat(args, 'max_results'), output_mode: null });
    case 'InspectWorld':
      return effectOf('introspect.manifest', { consistency: 'head' });
    case 'InspectWorkflow': {
      const workflow = text(args, 'workflow');
      const view = optText(args, 'view') ?? 'state';
      if (view === 'cells') return effectOf('introspect.list_cells', { workflow });
      if (view !== 'state') throw new ToolArgsError('tool_invalid_args', 'view must be "state" or "cells"');
      return effectOf('introspect.workflow_state', { workflow, key: cellKey(args), consistency: 'head' });
    }
    case 'WorkspaceCommit': {
      const rootHash = text(args, 'root_hash');
      if (!/^sha256:[0-9a-f]{64}$/.test(rootHash)) throw new ToolArgsError('tool_invalid_args', 'root_hash must be sha256:<64 lower-case hex>');
      return { kind: 'event', schema: 'sys/WorkspaceCommit@1', value: { workspace: text(args, 'workspace'), expected_head: optNat(args, 'expected_head'), meta: { root_hash: rootHash, owner: optText(args, 'owner') ?? 'agent', created_at: now } } };
    }
    case 'HostBuildModule': case 'GovernanceShadow': case 'GovernanceApply': case 'RequestApproval':
      return mapGovernanceCall(mapper, args, state);
    case 'WorkspaceInspect': case 'WorkspaceList': case 'WorkspaceRead': case 'WorkspaceApply': case 'WorkspaceDiff': case 'GovernancePropose':
      throw new ToolArgsError('executor_unsupported', `${mapper} is a multi-step workspace tool (workspace-tools.ts), not a single effect`);
  }
}
