// What the CLI's world commands need from a node beyond the plain reads and writes, so that each
// prints through the node what it prints on the world folder (src/cli/node-client.ts):
//   - the world's schemas, to render values in their sugar lens as the folder's commands do;
//   - approvals signed by the CLI: it fetches what to sign, signs with the principal key it
//     holds, and sends only the signed decision (the private key never reaches the node);
//   - the trace walk, with the root chosen by event hash or by correlation (node/trace-walk.ts);
//   - workspaces: every committed version, and pushes of a folder whose files are already
//     stored in the world's CAS (POST /worlds/<id>/cas): the node builds the tree and journals
//     the sys/WorkspaceCommit@1 through the world's input watchdog;
//   - adapter key rotation, which journals a key_rotation (the node owns the world and the keys
//     folder beside it);
//   - the audit with its replay, which the node runs on a read-only view of the world, on a
//     thread of its own (read-job.ts) so the API answers other requests meanwhile.
import type { FastifyInstance } from 'fastify';
import type { EventInput } from '../../../kernel/index.ts';
import { WORKSPACE_WALK_ENTRIES_MAX } from '../../../adapters/limits.ts';
import { NODE_AUDITS_AT_ONCE_MAX, NODE_WS_PUSH_BODY_BYTES_MAX } from '../../limits.ts';
import type { NodeHost } from '../../node-host.ts';
import type { RecordJson } from '../../node-world-ops.ts';
import { ReadJobPool } from '../../read-job.ts';
import { WORKSPACE_WORKFLOW } from '../../workspace-registry.ts';
import { ApiError } from '../api-errors.ts';
import { HASH_PATTERN, WORLD_PARAMS } from './shared.ts';
import type { WorldParams } from './shared.ts';

const INTENT_PARAMS = { ...WORLD_PARAMS, required: ['id', 'intent'], properties: { ...WORLD_PARAMS.properties, intent: { type: 'string', pattern: HASH_PATTERN } } } as const;
const DECISION = { type: 'string', enum: ['approve', 'deny'] } as const;

const TRACE_QUERY = {
  type: 'object', additionalProperties: false,
  properties: {
    event: { type: 'string', description: 'the event_hash of the root domain event; or instead:' },
    schema: { type: 'string', minLength: 1, description: 'with correlate_by and value: the latest event of this schema that matches' },
    correlate_by: { type: 'string', minLength: 1, description: 'a dotted path of record fields in the event value, e.g. order.id' },
    value: { type: 'string', description: 'the value at that path, as JSON text' },
  },
} as const;

const PUSH_BODY = {
  type: 'object', required: ['owner', 'files'], additionalProperties: false,
  properties: {
    owner: { type: 'string', minLength: 1, description: 'the owner recorded with the commit' },
    files: {
      type: 'array', maxItems: WORKSPACE_WALK_ENTRIES_MAX, description: 'every file of the folder; its bytes stored first with POST /worlds/<id>/cas',
      items: { type: 'object', required: ['path', 'hash'], additionalProperties: false, properties: { path: { type: 'string', minLength: 1 }, hash: { type: 'string', pattern: HASH_PATTERN }, mode: { type: 'integer', minimum: 0 } } },
    },
  },
} as const;

interface Prepared { readonly workspace: string; readonly head: number | null; readonly root_hash: string; readonly files: number; readonly changes: number; readonly event: EventInput | null }
interface Registry { readonly dir: string; readonly enabled: boolean; readonly workspaces: ReadonlyArray<{ workspace: string; latest: number }> }

export function registerCliCommandRoutes(app: FastifyInstance, host: NodeHost): void {
  app.get<{ Params: WorldParams }>('/worlds/:id/schemas', {
    schema: { summary: 'the world\'s schemas (name and type), to read values in their sugar lens', params: WORLD_PARAMS },
  }, async (request) => host.call(request.params.id, 'schemas'));
  app.get<{ Params: WorldParams & { intent: string }; Querystring: { decision: string } }>('/worlds/:id/approvals/:intent/subject', {
    schema: { summary: 'what a principal signs to approve or deny an intent waiting for approval', params: INTENT_PARAMS, querystring: { type: 'object', required: ['decision'], additionalProperties: false, properties: { decision: DECISION } } },
  }, async (request) => host.call(request.params.id, 'approval_subject', { intent: request.params.intent, decision: request.query.decision }));
  app.post<{ Params: WorldParams & { intent: string }; Body: { decision: string; principal: string; signature_b64: string } }>('/worlds/:id/approvals/:intent/signed', {
    schema: {
      summary: 'admit a decision signed by a principal (ed25519 over the subject); the node holds no principal key for it',
      params: INTENT_PARAMS,
      body: { type: 'object', required: ['decision', 'principal', 'signature_b64'], additionalProperties: false, properties: { decision: DECISION, principal: { type: 'string', pattern: '^ed25519:[0-9a-f]{64}$' }, signature_b64: { type: 'string', minLength: 1, maxLength: 128 } } },
    },
  }, async (request) => host.call(request.params.id, 'submit_approval', { intent_hash: request.params.intent, ...request.body }));
  app.get<{ Params: WorldParams; Querystring: { event?: string; schema?: string; correlate_by?: string; value?: string } }>('/worlds/:id/trace/select', {
    schema: { summary: 'the why-graph of a domain event chosen by hash or by correlation, how many matched, and its diagnosis', params: WORLD_PARAMS, querystring: TRACE_QUERY },
  }, async (request) => host.call(request.params.id, 'trace_select', request.query));
  app.get<{ Params: WorldParams }>('/worlds/:id/workspace-registry', {
    schema: { summary: 'whether the world keeps workspaces, and every committed version of each', params: WORLD_PARAMS },
  }, async (request) => host.call(request.params.id, 'ws_registry'));
  app.post<{ Params: WorldParams & { workspace: string }; Body: { owner: string; files: Array<{ path: string; hash: string; mode?: number }> } }>('/worlds/:id/workspaces/:workspace/push', {
    bodyLimit: NODE_WS_PUSH_BODY_BYTES_MAX,
    schema: { summary: 'commit a folder as the workspace\'s next version (nothing when it is the head already)', params: { ...WORLD_PARAMS, required: ['id', 'workspace'], properties: { ...WORLD_PARAMS.properties, workspace: { type: 'string', minLength: 1 } } }, body: PUSH_BODY },
  }, async (request) => pushWorkspace(host, request.params.id, request.params.workspace, request.body));
  app.post<{ Params: WorldParams & { name: string } }>('/worlds/:id/keys/:name/rotate', {
    schema: { summary: 'rotate an adapter key: journal a key_rotation, move the key files, restart the world\'s executor', params: { ...WORLD_PARAMS, required: ['id', 'name'], properties: { ...WORLD_PARAMS.properties, name: { type: 'string', minLength: 1 } } } },
  }, async (request) => host.call(request.params.id, 'rotate_key', { name: request.params.name }));
  const audits = new ReadJobPool(NODE_AUDITS_AT_ONCE_MAX);
  app.get<{ Params: WorldParams }>('/worlds/:id/audit', {
    schema: { summary: 'audit the world as `aos audit verify` does: hash chain, receipt and approval signatures, settlements, then replay', params: WORLD_PARAMS },
  }, async (request) => {
    const dir = host.dirOf(request.params.id);
    if (dir === null) await host.worker(request.params.id); // throws NO_WORLD naming the worlds there are
    if (audits.full) throw new ApiError(503, 'BUSY', 'the node is auditing a world already', 'try again when it is done');
    await host.settle(request.params.id); // the audit reads through a connection of its own
    return audits.run({ kind: 'audit', dir: dir as string });
  });
}

async function pushWorkspace(host: NodeHost, id: string, workspace: string, body: { owner: string; files: Array<{ path: string; hash: string; mode?: number }> }) {
  const prepared = await host.call(id, 'ws_push_prepare', { workspace, owner: body.owner, created_at_ns: (BigInt(Date.now()) * 1_000_000n).toString(), files: body.files }) as Prepared;
  const base = { workspace: prepared.workspace, head: prepared.head, root_hash: prepared.root_hash, files: prepared.files };
  if (prepared.event === null) return { ...base, version: null, changes: 0 };
  const sent = await host.send(id, prepared.event);
  const faultAt = sent.heights.find((_height, index) => sent.kinds[index] === 'workflow_fault');
  if (faultAt !== undefined) {
    const [fault] = await host.call(id, 'records', { heights: [faultAt] }) as RecordJson[];
    const failure = (fault?.body as { failure?: { code?: string; message?: string } } | undefined)?.failure ?? {};
    throw new ApiError(409, failure.code === 'stale_head' ? 'STALE_HEAD' : 'COMMIT_REFUSED', `${WORKSPACE_WORKFLOW} refused the commit to ${workspace} (journaled at height ${faultAt}): ${failure.message ?? 'no message'}`, 'pull the workspace, merge your changes and push again');
  }
  const registry = await host.call(id, 'ws_registry') as Registry;
  return { ...base, version: registry.workspaces.find((entry) => entry.workspace === workspace)?.latest ?? null, changes: prepared.changes };
}


