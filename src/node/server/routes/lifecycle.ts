// A world's life on the node (node-lifecycle-ops.ts), so `aos world ls|show|create|export|
// import|fork` print through the node what they print on the folders:
//   - GET  /worlds/:id/facts    the `aos world ls` row of a hosted world;
//   - GET  /worlds/:id/show     what `aos world show` prints;
//   - POST /worlds              create (genesis) and host the world whose folder the CLI built;
//   - GET  /worlds/:id/export   the world's bundle, written on a thread of its own (read-job.ts)
//                               and streamed (its summary in a header);
//   - POST /worlds/:id/import   upload a bundle (application/vnd.aos.bundle), verified whole
//                               before the world `id` is installed and hosted;
//   - POST /worlds/:id/fork     fork into a new hosted world.
// Writes need the token (auth.ts), like every POST.
import type { FastifyInstance } from 'fastify';
import type { Readable } from 'node:stream';
import type { Hash } from '../../../cbor/index.ts';
import { NODE_EXPORTS_AT_ONCE_MAX } from '../../limits.ts';
import type { NodeHost } from '../../node-host.ts';
import { BUNDLE_CONTENT_TYPE, createHostedWorld, EXPORT_SUMMARY_HEADER, exportHostedWorld, forkHostedWorld, importHostedWorld, worldRow, worldShow } from '../../node-lifecycle-ops.ts';
import { ReadJobPool } from '../../read-job.ts';
import { ApiError } from '../api-errors.ts';
import { HASH_PATTERN, WORLD_PARAMS } from './shared.ts';
import type { WorldParams } from './shared.ts';


const NAME = { type: 'string', pattern: WORLD_PARAMS.properties.id.pattern, description: 'the new world\'s id: "main" (the root folder) or its folder name under <root>/worlds/' } as const;

/** The folder of hosted world `id`; NO_WORLD (naming the worlds there are) when the node has none. */
// Its callers read the folder through connections of their own: what the world wrote is made durable first.
async function hostedDir(host: NodeHost, id: string): Promise<string> {
  const dir = host.dirOf(id);
  if (dir !== null) {
    await host.settle(id);
    return dir;
  }
  await host.worker(id); // throws NO_WORLD with the list of worlds
  throw new ApiError(404, 'NO_WORLD', `the node has no world ${JSON.stringify(id)}`);
}

export function registerLifecycleRoutes(app: FastifyInstance, host: NodeHost): void {
  const exportJobs = new ReadJobPool(NODE_EXPORTS_AT_ONCE_MAX);
  app.addContentTypeParser(BUNDLE_CONTENT_TYPE, (_request, payload, done) => done(null, payload));
  app.get<{ Params: WorldParams }>('/worlds/:id/facts', {
    schema: { summary: 'a world\'s head, genesis manifest, snapshot count and whether it is a fork (a row of `aos world ls`)', params: WORLD_PARAMS },
  }, async (request) => worldRow(await hostedDir(host, request.params.id)));
  app.get<{ Params: WorldParams }>('/worlds/:id/show', {
    schema: { summary: 'a world\'s identity, manifest, head, snapshots, open intents, modules, trusted keys and lineage (`aos world show`)', params: WORLD_PARAMS },
  }, async (request) => worldShow(await hostedDir(host, request.params.id)));
  app.post<{ Body: { name: string } }>('/worlds', {
    schema: {
      summary: 'create a world (genesis) from its folder, built by `aos world create` in place (<root>, or <root>/worlds/<name>/), and host it',
      body: { type: 'object', required: ['name'], additionalProperties: false, properties: { name: NAME } },
    },
  }, async (request) => createHostedWorld(host, request.body.name));
  app.get<{ Params: WorldParams }>('/worlds/:id/export', {
    schema: { summary: `the world as one bundle (${BUNDLE_CONTENT_TYPE}), byte for byte what \`aos world export\` writes; its summary is in the ${EXPORT_SUMMARY_HEADER} header`, params: WORLD_PARAMS },
  }, async (request, reply) => {
    const dir = await hostedDir(host, request.params.id);
    if (exportJobs.full) throw new ApiError(503, 'BUSY', `the node is exporting ${NODE_EXPORTS_AT_ONCE_MAX} world(s) already`, 'try again when one is done');
    const bundle = await exportHostedWorld(exportJobs, request.params.id, dir);
    bundle.stream.once('close', bundle.remove);
    return reply.type(BUNDLE_CONTENT_TYPE).header(EXPORT_SUMMARY_HEADER, JSON.stringify(bundle.summary)).send(bundle.stream);
  });
  app.post<{ Params: WorldParams; Body: Readable; Querystring: { expect_head?: string; trust_key?: string | string[] } }>('/worlds/:id/import', {
    schema: {
      summary: `install a bundle (${BUNDLE_CONTENT_TYPE}) as the new world :id once it is verified whole (structure, hashes, chain, signatures, replay), and host it; expect_head and trust_key pin it (aos world import --expect-head, --trust-key)`,
      params: WORLD_PARAMS,
      querystring: {
        type: 'object', additionalProperties: false,
        properties: { expect_head: { type: 'string', pattern: HASH_PATTERN }, trust_key: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] } },
      },
    },
  }, async (request) => {
    if (request.headers['content-type'] !== BUNDLE_CONTENT_TYPE) throw new ApiError(415, 'BAD_REQUEST', `send the bundle as ${BUNDLE_CONTENT_TYPE}`, 'e.g. `aos world import <file> --to <root>/worlds/<name>` with the node running');
    const { expect_head: head, trust_key: keys } = request.query;
    const pins = { ...(head === undefined ? {} : { head: head as Hash }), ...(keys === undefined ? {} : { trustedKeys: Array.isArray(keys) ? keys : [keys] }) };
    return importHostedWorld(host, request.params.id, request.body, pins);
  });
  app.post<{ Params: WorldParams; Body: { name: string; height?: number; snapshot?: string } }>('/worlds/:id/fork', {
    schema: {
      summary: 'fork the world into the new hosted world `name`: at a height (an input boundary), after a snapshot, or at the head; replayed before it is kept',
      params: WORLD_PARAMS,
      body: { type: 'object', required: ['name'], additionalProperties: false, properties: { name: NAME, height: { type: 'integer', minimum: 1 }, snapshot: { type: 'string', pattern: HASH_PATTERN } } },
    },
  }, async (request) => {
    const { name, height, snapshot } = request.body;
    const point = { ...(height === undefined ? {} : { height }), ...(snapshot === undefined ? {} : { snapshot: snapshot as Hash }) };
    return forkHostedWorld(host, await hostedDir(host, request.params.id), name, point);
  });
}
