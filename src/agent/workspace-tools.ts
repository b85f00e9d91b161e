// The multi-step workspace tools (upstream-agent.md §2): each is a short chain of effects. A chain
// is a pure function of the call's arguments and the receipts so far (their payloads as JSON,
// kept in the call's result slot while it runs), so it needs no state of its own and replays
// exactly: given what came back, it names the next effect, or the result, or an error.
import type { AirValue } from 'agentos/sdk';
import { utf8Decode, utf8Encode } from 'agentos/sdk';
import { ToolArgsError } from './tool-mappers.ts';
import { nextProposeStep } from './governance-tools.ts';
import type { MapperTag } from './types.ts';

/** The workflow that keeps workspace versions (upstream's registry). */
const WORKSPACE_WORKFLOW = 'sys/Workspace@1';
const LIST_LIMIT_DEFAULT = 200;
const HASH = /^sha256:[0-9a-f]{64}$/;

export type ChainStep =
  | { readonly kind: 'effect'; readonly effectKind: string; readonly params: AirValue }
  | { readonly kind: 'done'; readonly result: unknown };

type Args = Readonly<Record<string, unknown>>;
type Json = Record<string, unknown>;

// GovernancePropose (governance-tools.ts) runs as a chain too: it reads the manifest hash first.
const COMPOSITES: readonly MapperTag[] = Object.freeze(['WorkspaceInspect', 'WorkspaceList', 'WorkspaceRead', 'WorkspaceApply', 'WorkspaceDiff', 'GovernancePropose']);

export function isComposite(mapper: MapperTag): boolean {
  return COMPOSITES.includes(mapper);
}

function effectStep(effectKind: string, params: AirValue): ChainStep {
  return { kind: 'effect', effectKind, params };
}

function invalid(message: string): never {
  throw new ToolArgsError('tool_invalid_args', message);
}

function textArg(args: Args, field: string): string {
  const value = args[field];
  if (typeof value !== 'string' || value === '') invalid(`argument ${field} is required and must be a non-empty string`);
  return value;
}

function optTextArg(args: Args, field: string): string | null {
  const value = args[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') invalid(`argument ${field} must be a string`);
  return value;
}

function optNatArg(args: Args, field: string): number | null {
  const value = args[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) invalid(`argument ${field} must be a non-negative integer`);
  return value;
}

/** A target: a root hash as given, or a workspace (at a version, or its head) to resolve. */
type Target = { readonly root: string } | { readonly workspace: string; readonly version: number | null } | null;

function targetOf(args: Args): Target {
  const root = optTextArg(args, 'root_hash');
  if (root !== null) {
    if (!HASH.test(root)) invalid('root_hash must be sha256:<64 lower-case hex>');
    return { root };
  }
  const workspace = optTextArg(args, 'workspace');
  return workspace === null ? null : { workspace, version: optNatArg(args, 'version') };
}

/**
 * Resolves `target` with the receipts from `at` on: the root (and how many receipts that took),
 * or the next effect to ask for. `missing` says what a workspace that does not exist gives.
 */
function resolveTarget(target: Target & object, results: readonly Json[], at: number, missing: 'error' | 'empty'): { root: string; used: number } | ChainStep {
  if ('root' in target) return { root: target.root, used: 0 };
  const resolved = results[at];
  if (resolved === undefined) return effectStep('workspace.resolve', { workspace: target.workspace, version: target.version });
  if (resolved['exists'] === true && typeof resolved['root_hash'] === 'string') return { root: resolved['root_hash'], used: 1 };
  if (missing === 'error') throw new ToolArgsError('workspace_not_found', `workspace ${target.workspace} does not exist${target.version === null ? '' : ` at version ${target.version}`}`);
  const empty = results[at + 1];
  if (empty === undefined) return effectStep('workspace.empty_root', { workspace: target.workspace });
  if (typeof empty['root_hash'] !== 'string') throw new ToolArgsError('receipt_decode_error', 'workspace.empty_root gave no root_hash');
  return { root: empty['root_hash'], used: 2 };
}

function isStep(value: { root: string; used: number } | ChainStep): value is ChainStep {
  return 'kind' in value;
}

function fromHex(hex: string): Uint8Array {
  return new Uint8Array(hex.length / 2).map((_, index) => parseInt(hex.slice(index * 2, index * 2 + 2), 16));
}

/** Bytes read back as text when they are UTF-8, else hex. */
function readable(result: Json | undefined): Json {
  const hex = (result as { hex?: unknown } | undefined)?.hex;
  if (typeof hex !== 'string') return { text: '' };
  const bytes = fromHex(hex);
  try {
    return { text: utf8Decode(bytes), size: bytes.length };
  } catch {
    return { hex, size: bytes.length };
  }
}

interface Operation { readonly op: string; readonly path: string; readonly text?: string; readonly blob_hash?: string; readonly mode?: number }

function operationsOf(args: Args): Operation[] {
  const operations = args['operations'];
  if (!Array.isArray(operations) || operations.length === 0) invalid('argument operations is required: a non-empty list of {op, path, text | blob_hash}');
  return operations.map((item: unknown, index) => {
    const operation = item as Operation;
    if (typeof operation !== 'object' || operation === null || typeof operation.path !== 'string' || operation.path === '') invalid(`operations[${index}] needs a path`);
    if (operation.op === 'remove') return operation;
    if (operation.op !== 'write') invalid(`operations[${index}].op must be "write" or "remove"`);
    if ((typeof operation.text === 'string') === (typeof operation.blob_hash === 'string')) invalid(`operations[${index}] writes exactly one of text or blob_hash`);
    if (typeof operation.blob_hash === 'string' && !HASH.test(operation.blob_hash)) invalid(`operations[${index}].blob_hash must be sha256:<64 lower-case hex>`);
    return operation;
  });
}

function apply(args: Args, results: readonly Json[]): ChainStep {
  const operations = operationsOf(args);
  const target = targetOf(args) ?? invalid('workspace_apply needs a workspace or a root_hash');
  const base = resolveTarget(target, results, 0, 'empty');
  if (isStep(base)) return base;
  let root = base.root;
  let at = base.used;
  const changes: Json[] = [];
  for (const operation of operations) {
    if (operation.op === 'remove') {
      const removed = results[at];
      if (removed === undefined) return effectStep('workspace.remove', { root_hash: root, path: operation.path });
      root = String(removed['new_root_hash']);
      at += 1;
      changes.push({ op: 'remove', path: operation.path });
      continue;
    }
    let blob = operation.blob_hash ?? null;
    if (blob === null) {
      const put = results[at];
      if (put === undefined) return effectStep('blob.put', { bytes: utf8Encode(operation.text ?? ''), blob_ref: null, refs: null });
      blob = String(put['blob_ref']);
      at += 1;
    }
    const written = results[at];
    if (written === undefined) return effectStep('workspace.write_ref', { root_hash: root, path: operation.path, blob_hash: blob, mode: operation.mode ?? null });
    root = String(written['new_root_hash']);
    at += 1;
    changes.push({ op: 'write', path: operation.path, blob_hash: blob });
  }
  return { kind: 'done', result: { new_root_hash: root, changes } };
}

/** The next step of a workspace tool's chain, given the receipts (as JSON) so far. */
export function nextStep(mapper: MapperTag, args: Args, results: readonly Json[]): ChainStep {
  switch (mapper) {
    case 'WorkspaceInspect': {
      const target = targetOf(args) ?? invalid('workspace_inspect needs a workspace or a root_hash');
      if ('root' in target) return { kind: 'done', result: { root_hash: target.root } };
      const resolved = results[0];
      return resolved === undefined ? effectStep('workspace.resolve', { workspace: target.workspace, version: target.version }) : { kind: 'done', result: resolved };
    }
    case 'WorkspaceList': {
      const target = targetOf(args);
      if (target === null) {
        const cells = results[0];
        return cells === undefined ? effectStep('introspect.list_cells', { workflow: WORKSPACE_WORKFLOW }) : { kind: 'done', result: cells };
      }
      const base = resolveTarget(target, results, 0, 'error');
      if (isStep(base)) return base;
      const listed = results[base.used];
      if (listed !== undefined) return { kind: 'done', result: listed };
      const scope = optTextArg(args, 'scope');
      if (scope !== null && scope !== 'dir' && scope !== 'subtree') invalid('scope must be "dir" or "subtree"');
      return effectStep('workspace.list', { root_hash: base.root, path: optTextArg(args, 'path'), scope, cursor: null, limit: optNatArg(args, 'limit') ?? LIST_LIMIT_DEFAULT });
    }
    case 'WorkspaceRead': {
      const path = textArg(args, 'path');
      const target = targetOf(args) ?? invalid('workspace_read needs a workspace or a root_hash');
      const base = resolveTarget(target, results, 0, 'error');
      if (isStep(base)) return base;
      const entry = results[base.used];
      if (entry === undefined) return effectStep('workspace.read_ref', { root_hash: base.root, path });
      if (entry === null) throw new ToolArgsError('not_found', `${path} is not in the workspace`);
      const bytes = results[base.used + 1];
      if (bytes === undefined) return effectStep('workspace.read_bytes', { root_hash: base.root, path, range: null });
      return { kind: 'done', result: { path, ref: entry, ...readable(bytes) } };
    }
    case 'WorkspaceApply':
      return apply(args, results);
    case 'GovernancePropose':
      return nextProposeStep(args, results);
    case 'WorkspaceDiff': {
      const left = targetOf((args['left'] ?? invalid('argument left is required: {root_hash} or {workspace, version?}')) as Args) ?? invalid('left needs a workspace or a root_hash');
      const right = targetOf((args['right'] ?? invalid('argument right is required: {root_hash} or {workspace, version?}')) as Args) ?? invalid('right needs a workspace or a root_hash');
      const a = resolveTarget(left, results, 0, 'error');
      if (isStep(a)) return a;
      const b = resolveTarget(right, results, a.used, 'error');
      if (isStep(b)) return b;
      const diff = results[a.used + b.used];
      return diff === undefined ? effectStep('workspace.diff', { root_a: a.root, root_b: b.root, prefix: optTextArg(args, 'prefix') }) : { kind: 'done', result: diff };
    }
    default:
      throw new ToolArgsError('executor_unsupported', `${mapper} is not a multi-step workspace tool`);
  }
}

/** The cap slot an effect of a chain uses. */
export function slotOf(effectKind: string): string {
  if (effectKind.startsWith('introspect.')) return 'query';
  if (effectKind.startsWith('blob.')) return 'blob';
  if (effectKind.startsWith('governance.')) return 'governance';
  return 'workspace';
}
