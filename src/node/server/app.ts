// The local node's control API (DESIGN §9): a fastify app over a NodeHost. Built without
// listening, so tests drive it with inject(); node-process.ts binds it to a socket. Routes live
// in small modules per resource; each declares JSON schemas that validate its input (a 400
// naming the field) and feed the OpenAPI document served at /openapi.json.
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { stringifyJsonExact } from '../../cbor/index.ts';
import type { NodeHost } from '../node-host.ts';
import { NODE_BODY_BYTES_MAX, NODE_CAS_BLOB_BYTES_MAX } from '../limits.ts';
import { errorHandler } from './api-errors.ts';
import { authHook } from './auth.ts';
import { collectOpenApi } from './openapi.ts';
import { registerCliCommandRoutes } from './routes/cli-commands.ts';
import { registerGovernanceRoutes } from './routes/governance.ts';
import { registerJournalRoutes } from './routes/journal.ts';
import { registerLifecycleRoutes } from './routes/lifecycle.ts';
import { registerNodeRoutes } from './routes/node.ts';
import { registerReadRoutes } from './routes/reads.ts';
import { registerWriteRoutes } from './routes/writes.ts';

export interface ApiOptions {
  /** The bearer token writes need; null when none is configured. */
  readonly token: string | null;
  /** Reads need the token too (but /health): `aos node up` asks for it. */
  readonly protectReads?: boolean;
  /** Where requests are logged (pino); silent when absent. */
  readonly logger?: { readonly stream: NodeJS.WritableStream; readonly level?: string };
  /** The node process's own facts for /health. */
  readonly pid?: number;
}

/** Request fields the logger never writes, whatever its serializers do. */
const LOG_REDACT = ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization'];

/** The control API over `host`, ready (routes registered) but not listening: inject() it, or listen(). */
export async function buildApi(host: NodeHost, options: ApiOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger === undefined ? false : { level: options.logger.level ?? 'info', stream: options.logger.stream, redact: { paths: LOG_REDACT, censor: '[redacted]' } },
    bodyLimit: NODE_BODY_BYTES_MAX,
    // close() also ends open journal streams and idle keep-alive connections, so `aos node down` is prompt.
    forceCloseConnections: true,
  });
  app.setReplySerializer((payload) => stringifyJsonExact(payload));
  app.setErrorHandler(errorHandler);
  app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer', bodyLimit: NODE_CAS_BLOB_BYTES_MAX }, (_request, body, done) => done(null, body));
  app.addHook('onRequest', authHook({ token: options.token, protectReads: options.protectReads === true }));
  const openApi = collectOpenApi(app);
  registerNodeRoutes(app, host, { pid: options.pid ?? process.pid, openApi });
  registerReadRoutes(app, host);
  registerWriteRoutes(app, host);
  registerJournalRoutes(app, host);
  registerCliCommandRoutes(app, host);
  registerGovernanceRoutes(app, host);
  registerLifecycleRoutes(app, host);
  await app.ready();
  return app;
}
