// A world's journal: its head, pages of records, and a live tail as server-sent events. A
// stream first sends every record from `from` on, then each new one as the world journals it
// (the world's thread says when its journal grew); `id:` is the height, so a client that
// reconnects with Last-Event-ID resumes after the last record it saw.
import type { FastifyInstance } from 'fastify';
import { stringifyJsonExact } from '../../../cbor/index.ts';
import { NODE_JOURNAL_PAGE_MAX, NODE_SSE_HEARTBEAT_MS, NODE_SSE_STREAMS_MAX } from '../../limits.ts';
import type { NodeHost } from '../../node-host.ts';
import type { RecordJson } from '../../node-world-ops.ts';
import { ApiError } from '../api-errors.ts';
import { WORLD_PARAMS } from './shared.ts';
import type { WorldParams } from './shared.ts';

interface Page { readonly head: { height: number; hash: string | null }; readonly records: readonly RecordJson[] }

const PAGE_QUERY = {
  type: 'object', additionalProperties: false,
  properties: {
    from: { type: 'integer', minimum: 0, default: 0, description: 'first height' },
    limit: { type: 'integer', minimum: 1, maximum: NODE_JOURNAL_PAGE_MAX, default: 100, description: 'most records' },
    kind: { type: 'string', description: 'only records of this kind' },
  },
} as const;

export function registerJournalRoutes(app: FastifyInstance, host: NodeHost): void {
  let streams = 0;
  app.get<{ Params: WorldParams }>('/worlds/:id/journal/head', {
    schema: { summary: 'the next height and the hash of the last record (the audit root)', params: WORLD_PARAMS },
  }, async (request) => host.call(request.params.id, 'head'));
  app.get<{ Params: WorldParams; Querystring: { from: number; limit: number; kind?: string } }>('/worlds/:id/journal', {
    schema: { summary: 'a page of journal records from a height; next_from continues', params: WORLD_PARAMS, querystring: PAGE_QUERY },
  }, async (request) => {
    const { from, limit, kind } = request.query;
    const page = await host.call(request.params.id, 'tail', { from, limit, ...(kind !== undefined ? { kind } : {}) }) as Page;
    // Filtering by kind reads `limit` heights, so the next page starts after them, not after the last match.
    const next = Math.min(from + limit, page.head.height);
    return { ...page, next_from: next < page.head.height ? next : null };
  });
  app.get<{ Params: WorldParams; Querystring: { from?: number } }>('/worlds/:id/journal/stream', {
    schema: { summary: 'server-sent events: every record from `from` on, then each as it is journaled', params: WORLD_PARAMS, querystring: { type: 'object', additionalProperties: false, properties: { from: { type: 'integer', minimum: 0 } } } },
  }, async (request, reply) => {
    const { id } = request.params;
    await host.worker(id); // an unknown world is a 404 before the stream starts
    if (streams >= NODE_SSE_STREAMS_MAX) throw new ApiError(503, 'BUSY', `the node already serves ${NODE_SSE_STREAMS_MAX} journal streams`, 'close one, or read pages of GET /worlds/<id>/journal');
    const lastSeen = Number(request.headers['last-event-id']);
    let cursor = request.query.from ?? (Number.isSafeInteger(lastSeen) && lastSeen >= 0 ? lastSeen + 1 : 0);
    streams += 1;
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    raw.write(': aos journal stream\n\n');
    let closed = false;
    let wake: (() => void) | null = null;
    const unsubscribe = host.onHead(id, () => wake?.());
    const heartbeat = setInterval(() => raw.write(': keep-alive\n\n'), NODE_SSE_HEARTBEAT_MS);
    const finish = () => {
      if (closed) return;
      closed = true;
      streams -= 1;
      clearInterval(heartbeat);
      unsubscribe();
      wake?.();
    };
    request.raw.on('close', finish);
    raw.on('close', finish);
    try {
      while (!closed) {
        // Subscribe before reading, so growth during the read is not missed.
        const grown = new Promise<void>((resolve) => { wake = resolve; });
        const page = await host.call(id, 'tail', { from: cursor, limit: NODE_JOURNAL_PAGE_MAX }) as Page;
        for (const record of page.records) {
          raw.write(`id: ${record.height}\nevent: record\ndata: ${stringifyJsonExact(record)}\n\n`);
          cursor = record.height + 1;
        }
        if (page.records.length === NODE_JOURNAL_PAGE_MAX) continue;
        await grown;
      }
    } catch (error) {
      if (!closed) raw.write(`event: error\ndata: ${JSON.stringify({ message: error instanceof Error ? error.message : String(error) })}\n\n`);
    } finally {
      finish();
      raw.end();
    }
  });
}
