// A world's reads: state and cells, receipts, open effects, approvals waiting, CAS blobs, workspaces.
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../api-errors.ts';
import type { NodeHost } from '../../node-host.ts';
import { HASH_PATTERN, WORLD_PARAMS } from './shared.ts';
import type { WorldParams } from './shared.ts';

const WORKFLOW_QUERY = {
  type: 'object', required: ['workflow'], additionalProperties: false,
  properties: { workflow: { type: 'string', minLength: 1, description: 'e.g. demo/CounterSM@1' }, key: { type: 'string', description: 'the cell key as JSON, for keyed workflows' } },
} as const;

export function registerReadRoutes(app: FastifyInstance, host: NodeHost): void {
  app.get<{ Params: WorldParams; Querystring: { workflow: string; key?: string } }>('/worlds/:id/state', {
    schema: { summary: 'a workflow\'s state (one cell\'s with key), in the sugar lens of its state schema', params: WORLD_PARAMS, querystring: WORKFLOW_QUERY },
  }, async (request) => host.call(request.params.id, 'state', { workflow: request.query.workflow, key: request.query.key }));
  app.get<{ Params: WorldParams; Querystring: { workflow: string } }>('/worlds/:id/cells', {
    schema: { summary: 'a workflow\'s cells: key, status, state size, open intents', params: WORLD_PARAMS, querystring: { ...WORKFLOW_QUERY, properties: { workflow: WORKFLOW_QUERY.properties.workflow } } },
  }, async (request) => host.call(request.params.id, 'cells', { workflow: request.query.workflow }));
  app.get<{ Params: WorldParams; Querystring: { intent?: string } }>('/worlds/:id/receipts', {
    schema: { summary: 'journaled receipts with their signature status', params: WORLD_PARAMS, querystring: { type: 'object', additionalProperties: false, properties: { intent: { type: 'string', pattern: HASH_PATTERN } } } },
  }, async (request) => host.call(request.params.id, 'receipts', request.query.intent === undefined ? {} : { intent: request.query.intent }));
  app.get<{ Params: WorldParams & { intent: string } }>('/worlds/:id/receipts/:intent', {
    schema: { summary: 'the receipt that settled an intent, its payload in the sugar lens', params: { ...WORLD_PARAMS, required: ['id', 'intent'], properties: { ...WORLD_PARAMS.properties, intent: { type: 'string', pattern: HASH_PATTERN } } } },
  }, async (request) => host.call(request.params.id, 'receipt', { intent: request.params.intent }));
  app.get<{ Params: WorldParams }>('/worlds/:id/effects', {
    schema: { summary: 'open intents, and what the node\'s executor could not settle', params: WORLD_PARAMS },
  }, async (request) => host.call(request.params.id, 'open_intents'));
  app.get<{ Params: WorldParams }>('/worlds/:id/approvals', {
    schema: { summary: 'intents waiting for approval', params: WORLD_PARAMS },
  }, async (request) => host.call(request.params.id, 'approvals'));
  app.get<{ Params: WorldParams; Querystring: { event: string } }>('/worlds/:id/trace', {
    schema: { summary: 'the why-graph of a domain event (the records it caused) and the diagnosis of how it ended', params: WORLD_PARAMS, querystring: { type: 'object', required: ['event'], additionalProperties: false, properties: { event: { type: 'string', pattern: HASH_PATTERN, description: 'the event_hash of a domain_event record' } } } },
  }, async (request) => host.call(request.params.id, 'trace', { event: request.query.event }));
  app.get<{ Params: WorldParams }>('/worlds/:id/governance/proposals', {
    schema: { summary: 'governance proposals: status, patch, approvals, shadow report hash', params: WORLD_PARAMS },
  }, async (request) => host.call(request.params.id, 'proposals'));
  app.get<{ Params: WorldParams }>('/worlds/:id/workspaces', {
    schema: { summary: 'committed workspaces and their versions', params: WORLD_PARAMS },
  }, async (request) => host.call(request.params.id, 'workspaces'));
  app.get<{ Params: WorldParams & { hash: string } }>('/worlds/:id/cas/:hash', {
    schema: { summary: 'a CAS object\'s bytes (verified against its hash)', params: { ...WORLD_PARAMS, required: ['id', 'hash'], properties: { ...WORLD_PARAMS.properties, hash: { type: 'string', pattern: HASH_PATTERN } } } },
  }, async (request, reply) => {
    let found: { bytes: Uint8Array };
    try {
      found = await host.call(request.params.id, 'cas_get', { hash: request.params.hash }) as { bytes: Uint8Array };
    } catch (error) {
      if ((error as { code?: string }).code === 'CAS_MISSING') throw new ApiError(404, 'NOT_FOUND', `no CAS object ${request.params.hash} in world ${request.params.id}`);
      throw error;
    }
    return reply.type('application/octet-stream').send(Buffer.from(found.bytes));
  });
}
