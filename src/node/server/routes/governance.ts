// A world's governance through the control API (DESIGN §8): list and show proposals, propose a
// patch document, shadow it, fetch the fields a decision signs, admit a decision signed by the
// principal on the client (the API never receives a private key: a forged or misdirected
// signature is refused by the kernel, a 409), and apply at strict quiescence (a 409
// APPLY_BLOCKED naming the instances and intents in flight). Writes need the bearer token.
import type { FastifyInstance } from 'fastify';
import type { NodeHost } from '../../node-host.ts';
import { WORLD_PARAMS } from './shared.ts';
import type { WorldParams } from './shared.ts';

const PROPOSAL_PARAMS = {
  ...WORLD_PARAMS, required: ['id', 'proposal'],
  properties: { ...WORLD_PARAMS.properties, proposal: { type: 'integer', minimum: 0, description: 'the proposal id (from 0)' } },
} as const;

const DECISION = { type: 'string', enum: ['approve', 'reject'] } as const;
const REASON = { type: 'string', maxLength: 4096, description: 'why (signed and journaled)' } as const;

const PROPOSE_BODY = {
  type: 'object', required: ['document_json'], additionalProperties: false,
  properties: {
    document_json: { type: 'string', minLength: 2, description: 'the patch document as JSON text (kept in CAS as sent)' },
    description: { type: 'string', maxLength: 4096, description: 'what the change is for' },
    author: { type: 'string', pattern: '^[a-z][a-z0-9._-]{0,63}$', description: 'who proposes (default "api")' },
  },
} as const;

const SHADOW_BODY = {
  type: 'object', additionalProperties: false,
  properties: {
    inputs: { type: 'integer', minimum: 0, description: 'how many of the last journaled inputs to replay (default 100)' },
    samples: { type: 'array', items: { type: 'object', required: ['schema'], properties: { schema: { type: 'string', minLength: 1 }, value: {} } }, description: 'events to send after them' },
  },
} as const;

const DECISION_BODY = {
  type: 'object', required: ['decision', 'principal', 'signature_b64'], additionalProperties: false,
  properties: {
    decision: DECISION,
    principal: { type: 'string', pattern: '^ed25519:[0-9a-f]{64}$', description: 'the principal\'s public key id, as the approval policy lists it' },
    signature_b64: { type: 'string', pattern: '^[A-Za-z0-9+/]{86}==$', description: 'ed25519 signature (base64) over the fields GET …/signing answers, made with the principal\'s key on the client' },
    reason: REASON,
  },
} as const;

type ProposalParams = WorldParams & { proposal: number };

export function registerGovernanceRoutes(app: FastifyInstance, host: NodeHost): void {
  app.get<{ Params: WorldParams }>('/worlds/:id/governance/summaries', {
    schema: { summary: 'every proposal as `aos gov ls` lists it: status, approvals by principal, what the quorum still needs', params: WORLD_PARAMS },
  }, async (request) => host.call(request.params.id, 'gov_ls'));
  app.get<{ Params: ProposalParams }>('/worlds/:id/governance/proposals/:proposal', {
    schema: { summary: 'one proposal: its summary, shadow report, and (once approved) what blocks its apply now', params: PROPOSAL_PARAMS },
  }, async (request) => host.call(request.params.id, 'gov_show', { proposal_id: request.params.proposal }));
  app.post<{ Params: WorldParams; Body: { document_json: string; description?: string; author?: string } }>('/worlds/:id/governance/proposals', {
    schema: { summary: 'propose a patch document; a patch that does not compile is journaled as rejected and answered with a 409 giving the reasons', params: WORLD_PARAMS, body: PROPOSE_BODY },
  }, async (request) => host.call(request.params.id, 'gov_propose', request.body));
  app.post<{ Params: ProposalParams; Body: { inputs?: number; samples?: unknown[] } }>('/worlds/:id/governance/proposals/:proposal/shadow', {
    schema: { summary: 'run the proposal on a fork of the current state and journal the report', params: PROPOSAL_PARAMS, body: SHADOW_BODY },
  }, async (request) => host.call(request.params.id, 'gov_shadow', { proposal_id: request.params.proposal, ...(request.body ?? {}) }));
  app.get<{ Params: ProposalParams; Querystring: { decision: string; reason?: string } }>('/worlds/:id/governance/proposals/:proposal/signing', {
    schema: {
      summary: 'the fields a principal signs to approve or reject this proposal (sign them on the client: aos/governance-decision@1)', params: PROPOSAL_PARAMS,
      querystring: { type: 'object', required: ['decision'], additionalProperties: false, properties: { decision: DECISION, reason: REASON } },
    },
  }, async (request) => host.call(request.params.id, 'gov_subject', { proposal_id: request.params.proposal, decision: request.query.decision, reason: request.query.reason ?? null }));
  app.post<{ Params: ProposalParams; Body: { decision: string; principal: string; signature_b64: string; reason?: string } }>('/worlds/:id/governance/proposals/:proposal/decisions', {
    schema: { summary: 'admit a decision signed by a principal of the approval policy; refused (409) when the signature does not verify or the policy does not admit the principal', params: PROPOSAL_PARAMS, body: DECISION_BODY },
  }, async (request) => host.call(request.params.id, 'gov_decide', { proposal_id: request.params.proposal, ...request.body }));
  app.post<{ Params: ProposalParams }>('/worlds/:id/governance/proposals/:proposal/apply', {
    schema: { summary: 'apply an approved proposal at strict quiescence; 409 APPLY_BLOCKED names the instances and intents in flight', params: PROPOSAL_PARAMS },
  }, async (request) => host.call(request.params.id, 'gov_apply', { proposal_id: request.params.proposal }));
}
