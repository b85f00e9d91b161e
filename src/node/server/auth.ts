// Bearer-token checks for the control API. Writes (POST, PUT, DELETE) need the token whenever
// one is configured; reads need it too when asked (`aos node up` always asks; /health stays
// open). The comparison is in constant time over sha256 digests (equal length whatever was
// sent), and no token is ever logged: the logger redacts the authorization header, and
// refusals never echo it.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

const WRITE_METHODS = new Set(['POST', 'PUT', 'DELETE', 'PATCH']);
const BEARER = /^Bearer\s+(\S+)\s*$/i;

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** True when `header` carries exactly `token` as a bearer token. */
function bearerMatches(header: string | undefined, token: string): boolean {
  const sent = header === undefined ? undefined : BEARER.exec(header)?.[1];
  // Compare even when nothing usable was sent, so a refusal takes as long as a mismatch.
  return timingSafeEqual(digest(sent ?? ''), digest(token)) && sent !== undefined;
}

export interface AuthOptions {
  /** The configured token, or null for none (an API built in-process, as tests do; `aos node up` always has one). */
  readonly token: string | null;
  /** Reads need the token too (but /health). */
  readonly protectReads: boolean;
}

/** A fastify onRequest hook enforcing `options`. */
export function authHook(options: AuthOptions) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (options.token === null) return;
    const isWrite = WRITE_METHODS.has(request.method);
    if (!isWrite && (!options.protectReads || request.url === '/health')) return;
    if (bearerMatches(request.headers.authorization, options.token)) return;
    const given = request.headers.authorization === undefined ? 'no bearer token was sent' : 'the bearer token is not this node\'s';
    await reply.code(401).header('www-authenticate', 'Bearer realm="aos-node"').send({
      error: { code: 'UNAUTHORIZED', message: `${isWrite ? 'writes' : 'requests'} to this node need its token: ${given}`, hint: 'send "Authorization: Bearer <token>" with the token from the node\'s token file (<root>/.aos/node-token, or the --token-file it was started with)' },
    });
  };
}
