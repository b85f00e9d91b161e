// How the control API answers a failure: {"error": {code, message, hint?}} with a status that
// says whose fault it is. Input the API refuses is a 400 naming the field; an unknown world or
// record a 404; a refusal by the world's rules (approvals, duplicate receipts) a 409.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AirError } from '../../air/errors.ts';
import { CborError } from '../../cbor/index.ts';
import { KernelError } from '../../kernel/index.ts';
import { NodeError } from '../errors.ts';
import { WorldOpError } from '../node-host.ts';

/** A failure the routes raise themselves. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(readonly status: number, readonly code: string, message: string, readonly hint?: string) {
    super(message);
  }
}

const NOT_FOUND = new Set(['NO_WORLD', 'NO_RECEIPT', 'NOT_FOUND', 'UNKNOWN_INTENT', 'NO_KEY', 'CAS_MISSING', 'NO_PROPOSAL']);
const CONFLICT = new Set(['APPROVAL_REFUSED', 'DUPLICATE_RECEIPT', 'RECEIPT_REJECTED', 'WORLD_EXISTS', 'GOVERNANCE_REFUSED', 'APPLY_BLOCKED', 'PROPOSAL_REJECTED']);

function statusOf(code: string): number {
  if (NOT_FOUND.has(code)) return 404;
  if (CONFLICT.has(code)) return 409;
  if (code === 'INTERNAL' || code === 'REPLAY_FAILED') return 500;
  return 400;
}

interface ErrorBody { readonly error: { readonly code: string; readonly message: string; readonly hint?: string } }

function errorBody(error: unknown): { status: number; body: ErrorBody } {
  const body = (code: string, message: string, hint?: string): ErrorBody => ({ error: { code, message, ...(hint !== undefined ? { hint } : {}) } });
  if (error instanceof ApiError) return { status: error.status, body: body(error.code, error.message, error.hint) };
  if (error instanceof WorldOpError || error instanceof NodeError) return { status: statusOf(error.code), body: body(error.code, error.message, error.hint) };
  if (error instanceof KernelError || error instanceof AirError || error instanceof CborError) return { status: statusOf(error.code), body: body(error.code, error.message) };
  const fastify = error as Partial<FastifyError>;
  if (fastify.validation !== undefined) {
    // Name the field: "body/value_json must be string" reads better as "body.value_json must be string".
    const first = fastify.validation[0];
    const where = `${fastify.validationContext ?? 'request'}${first?.instancePath ? first.instancePath.replaceAll('/', '.') : ''}`;
    const missing = (first?.params as { missingProperty?: string } | undefined)?.missingProperty;
    return { status: 400, body: body('BAD_REQUEST', missing !== undefined ? `${where}.${missing} is required` : `${where} ${first?.message ?? 'is not valid'}`, 'see GET /openapi.json for the shape of each request') };
  }
  if (typeof fastify.statusCode === 'number' && fastify.statusCode < 500) return { status: fastify.statusCode, body: body(fastify.code ?? 'BAD_REQUEST', fastify.message ?? 'bad request') };
  return { status: 500, body: body('INTERNAL', `unexpected failure: ${error instanceof Error ? error.message : String(error)}`, 'this is a bug in AgentOS; the node log has the details') };
}

export function errorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const { status, body } = errorBody(error);
  if (status >= 500) request.log.error({ err: error }, 'request failed');
  void reply.code(status).send(body);
}
