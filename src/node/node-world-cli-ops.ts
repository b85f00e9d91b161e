// The operations a hosted world answers so that CLI commands work through a running node with
// the output they have on a world folder: the schemas to render values with, approvals signed
// by the CLI (the private key never reaches the node), the trace walk, workspace pushes built
// from blobs already in the world's CAS, and adapter key rotation (the node owns the journal
// and the keys folder, so it rotates, then restarts its executor to sign with the new key).
// Like node-world-ops.ts, each runs inside the world's thread and answers plain data.
import type { Hash } from '../cbor/index.ts';
import { buildTree } from '../adapters/workspace/tree-build.ts';
import type { FileToPlace } from '../adapters/workspace/tree-build.ts';
import { WorkspaceTrees } from '../adapters/workspace/tree.ts';
import { valueFromJson } from '../air/index.ts';
import { encodeCanonical } from '../cbor/index.ts';
import { isPublicKeyId } from '../kernel/index.ts';
import type { ApprovalDecision } from '../kernel/index.ts';
import type { EmbeddedWorld } from './embedded-world.ts';
import { NodeError } from './errors.ts';
import { rotateAdapterKey } from './key-rotation.ts';
import { diagnoseWalk, walkTrace } from './trace-walk.ts';
import { WORKSPACE_COMMIT_SCHEMA, WORKSPACE_WORKFLOW, WorldWorkspaceRegistry } from './workspace-registry.ts';
import { recordJson } from './node-world-ops.ts';
import { hashArg, optionalText, text } from './op-args.ts';
import type { OpArgs } from './op-args.ts';

type Args = OpArgs;

/** What the hosted world lends these operations: re-dispatch its executor, or restart it. */
export interface CliOpHooks {
  readonly dispatch: () => void;
  readonly restartExecutor: () => void;
}

/** The names answered here; node-world-ops.ts hands them over. */
export const CLI_OPS: ReadonlySet<string> = new Set(['schemas', 'approval_subject', 'submit_approval', 'trace_select', 'ws_registry', 'ws_push_prepare', 'rotate_key']);




function decisionArg(args: Args): ApprovalDecision {
  const decision = text(args, 'decision');
  if (decision !== 'approve' && decision !== 'deny') throw new NodeError('BAD_INPUT', `decision must be "approve" or "deny", not ${JSON.stringify(decision)}`);
  return decision;
}

/** Runs CLI operation `op` (one of CLI_OPS) on `world`. */
export function runCliOp(world: EmbeddedWorld, hooks: CliOpHooks, op: string, args: Args): unknown {
  switch (op) {
    case 'schemas': return { schemas: world.view.index.ofKind('defschema').map((entry) => ({ name: entry.def.name, type: entry.def.type })) };
    case 'approval_subject': return world.approvalSubject(hashArg(args, 'intent'), decisionArg(args));
    case 'submit_approval': return submitApproval(world, hooks, args);
    case 'trace_select': return traceSelect(world, args);
    case 'ws_registry': return wsRegistry(world);
    case 'ws_push_prepare': return wsPushPrepare(world, args);
    case 'rotate_key': {
      const rotation = rotateAdapterKey(world, text(args, 'name'));
      // The executor loaded its signers when it started: restart it so receipts are signed with the new key.
      hooks.restartExecutor();
      return rotation;
    }
    default: throw new NodeError('BAD_INPUT', `no CLI operation ${op} on a hosted world`);
  }
}

/** Admits an approval the CLI signed with a principal key it holds; answers what `aos approvals approve --json` prints but the key's name. */
function submitApproval(world: EmbeddedWorld, hooks: CliOpHooks, args: Args) {
  const intent = hashArg(args, 'intent_hash');
  const decision = decisionArg(args);
  const signature = new Uint8Array(Buffer.from(text(args, 'signature_b64'), 'base64'));
  const principal = text(args, 'principal');
  if (!isPublicKeyId(principal)) throw new NodeError('BAD_INPUT', `principal ${JSON.stringify(principal.slice(0, 80))} is not a public key id`, 'send the principal\'s ed25519:<64 hex> key id');
  const records = world.submitApproval({ intent_hash: intent, decision, principal, signature });
  hooks.dispatch();
  const open = world.openIntents().get(intent);
  const outcome = open === undefined ? 'denied' : open.approval === null ? 'approved' : 'pending';
  return { intent_hash: intent, decision, outcome, height: records[0]?.height ?? null, approvals: open?.approval?.approvers.length ?? null, quorum: world.view.authority.approval?.quorum ?? null };
}

function traceSelect(world: EmbeddedWorld, args: Args) {
  const event = optionalText(args, 'event');
  const schema = optionalText(args, 'schema');
  const correlateBy = optionalText(args, 'correlate_by');
  const value = optionalText(args, 'value');
  const walk = walkTrace(world, { ...(event !== undefined ? { event } : {}), ...(schema !== undefined ? { schema } : {}), ...(correlateBy !== undefined ? { correlateBy } : {}), ...(value !== undefined ? { value } : {}) });
  return {
    root_height: walk.graph.root.height, nodes: walk.graph.nodes.map(recordJson), edges: walk.graph.edges,
    matches: walk.matches, truncated: walk.truncated, diagnosis: diagnoseWalk(world, walk.graph),
  };
}

/** Whether the world keeps workspaces, and every committed version of each. */
function wsRegistry(world: EmbeddedWorld) {
  const registry = new WorldWorkspaceRegistry(world);
  return {
    dir: world.dir, enabled: world.view.modules.has(WORKSPACE_WORKFLOW),
    workspaces: registry.workspaces().map(({ workspace, history }) => ({ workspace, latest: history.latest, versions: [...history.versions].map(([version, meta]) => ({ version, root_hash: meta.root_hash, owner: meta.owner, created_at: meta.created_at })) })),
  };
}

/**
 * Builds the tree of a pushed folder from blobs the CLI stored in the world's CAS, and the
 * sys/WorkspaceCommit@1 event that commits it (the caller sends it through the world's input
 * watchdog); `event` is null when the tree is the workspace's head already.
 */
function wsPushPrepare(world: EmbeddedWorld, args: Args) {
  if (!world.view.modules.has(WORKSPACE_WORKFLOW)) throw new NodeError('BAD_INPUT', `the world in ${world.dir} does not list ${WORKSPACE_WORKFLOW}, which keeps workspaces`, `add {"name": "${WORKSPACE_WORKFLOW}"} to its manifest's modules, route ${WORKSPACE_COMMIT_SCHEMA} to it with key_field "workspace", and rebuild`);
  const workspace = text(args, 'workspace');
  const owner = text(args, 'owner');
  const createdAt = BigInt(text(args, 'created_at_ns'));
  const listed = args['files'];
  if (!Array.isArray(listed)) throw new NodeError('BAD_INPUT', 'files must be a list of {path, hash, mode}');
  const cas = world.cas;
  const blobs = { put: (bytes: Uint8Array) => cas.put(bytes), get: (hash: Hash) => cas.get(hash) };
  const files: FileToPlace[] = listed.map((file: Args, index) => {
    const hash = hashArg(file, 'hash');
    if (!cas.has(hash)) throw new NodeError('BAD_INPUT', `files[${index}] (${String(file['path'])}): blob ${hash} is not in the world's CAS`, 'store each file with POST /worlds/<id>/cas first');
    return { path: text(file, 'path'), bytes: cas.get(hash), ...(typeof file['mode'] === 'number' ? { mode: file['mode'] } : {}) };
  });
  // The tree library's refusals (a bad path, a file where a directory is) travel with their own code, as on a folder.
  const trees = new WorkspaceTrees(blobs);
  const root = buildTree(blobs, files);
  const history = new WorldWorkspaceRegistry(world).history(workspace);
  const headRoot = history?.versions.get(history.latest)?.root_hash ?? null;
  const base = { workspace, head: history?.latest ?? null, root_hash: root, files: files.length };
  if (headRoot === root) return { ...base, changes: 0, event: null };
  const changes = trees.diff(headRoot ?? trees.emptyRoot(), root, null).length;
  const commit = { workspace, expected_head: history?.latest ?? null, meta: { root_hash: root, owner, created_at: createdAt } };
  const value = valueFromJson(commit, { ref: WORKSPACE_COMMIT_SCHEMA }, world.view.index, { path: 'commit' });
  return { ...base, changes, event: { schema: WORKSPACE_COMMIT_SCHEMA, value: encodeCanonical(value, { selfDescribe: false }) } };
}
