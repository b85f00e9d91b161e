// A world's writes: events (acknowledged once durable), approval decisions, CAS blobs. Each
// answers once its records are durable; the world's thread then executes any effects they opened.
import type { FastifyInstance } from 'fastify';
import type { EventInput } from '../../../kernel/index.ts';
import type { NodeHost } from '../../node-host.ts';
import type { RecordJson } from '../../node-world-ops.ts';
import { ApiError } from '../api-errors.ts';
import { HASH_PATTERN, WORLD_PARAMS } from './shared.ts';
import type { WorldParams } from './shared.ts';

const EVENT_BODY = {
  type: 'object', required: ['schema'], additionalProperties: false,
  properties: {
    schema: { type: 'string', minLength: 1, description: 'the event schema, e.g. demo/CounterEvent@1' },
    value: { description: 'the event value as JSON (sugar or canonical lens)' },
    value_json: { type: 'string', description: 'instead of value: the value as JSON text, exact for integers beyond 2^53' },
  },
} as const;

/** What a send answers: as `aos world send --json` prints it, faults as journal records. */
export interface SendAnswer {
  readonly height: number | null;
  readonly records: number;
  readonly head: string | null;
  readonly faults: readonly RecordJson[];
}

export function registerWriteRoutes(app: FastifyInstance, host: NodeHost): void {
  app.post<{ Params: WorldParams; Body: { schema: string; value?: unknown; value_json?: string } }>('/worlds/:id/events', {
    schema: { summary: 'send a domain event; answers once it is durable', params: WORLD_PARAMS, body: EVENT_BODY },
  }, async (request): Promise<SendAnswer> => {
    const { id } = request.params;
    const { schema, value, value_json: valueJson } = request.body;
    if ((value === undefined) === (valueJson === undefined)) throw new ApiError(400, 'BAD_REQUEST', value === undefined ? 'body.value is required (or body.value_json)' : 'send body.value or body.value_json, not both', 'send the event as {"schema": ..., "value": <JSON>} or {"schema": ..., "value_json": "<JSON text>"}');
    const event = await host.call(id, 'encode_event', valueJson !== undefined ? { schema, value_json: valueJson } : { schema, value }) as EventInput;
    const sent = await host.send(id, event);
    const faultHeights = sent.heights.filter((_height, index) => sent.kinds[index] === 'workflow_fault');
    const faults = faultHeights.length === 0 ? [] : await host.call(id, 'records', { heights: faultHeights }) as RecordJson[];
    return { height: sent.heights[0] ?? null, records: sent.heights.length, head: sent.head, faults };
  });
  app.post<{ Params: WorldParams & { intent: string }; Body: { decision: string; key: string } }>('/worlds/:id/approvals/:intent', {
    schema: {
      summary: 'approve or deny an intent waiting for approval, signed with a principal key the node holds',
      params: { ...WORLD_PARAMS, required: ['id', 'intent'], properties: { ...WORLD_PARAMS.properties, intent: { type: 'string', pattern: HASH_PATTERN } } },
      body: { type: 'object', required: ['decision', 'key'], additionalProperties: false, properties: { decision: { type: 'string', enum: ['approve', 'deny'] }, key: { type: 'string', minLength: 1, description: 'name of a principal key in <root>/.aos/keys' } } },
    },
  }, async (request) => host.call(request.params.id, 'approve', { intent: request.params.intent, decision: request.body.decision, key: request.body.key }));
  app.post<{ Params: WorldParams; Body: Buffer }>('/worlds/:id/cas', {
    schema: { summary: 'store bytes (application/octet-stream) in the world\'s CAS; answers their hash', params: WORLD_PARAMS },
  }, async (request) => {
    if (!Buffer.isBuffer(request.body)) throw new ApiError(415, 'BAD_REQUEST', 'send the blob as application/octet-stream');
    return host.call(request.params.id, 'cas_put', { bytes: new Uint8Array(request.body) });
  });
}
