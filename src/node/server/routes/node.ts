// The node itself: health, the OpenAPI document, the worlds it hosts, and secret bindings
// (names and versions only: a secret's value never leaves the vault through the API).
import type { FastifyInstance } from 'fastify';
import type { NodeHost } from '../../node-host.ts';
import { Vault } from '../../vault.ts';
import { NODE_SERVICE } from '../../node-profile.ts';
import { WORLD_PARAMS } from './shared.ts';
import type { WorldParams } from './shared.ts';


export function registerNodeRoutes(app: FastifyInstance, host: NodeHost, facts: { pid: number; openApi: () => object }): void {
  app.get('/health', { schema: { summary: 'liveness, the node process and its root' } }, async () => ({ service: NODE_SERVICE, ok: true, pid: facts.pid, root: host.root }));
  app.get('/openapi.json', { schema: { summary: 'this document' } }, async () => facts.openApi());
  app.get('/worlds', { schema: { summary: 'the worlds under the node\'s root' } }, async () => ({ worlds: host.list() }));
  app.get<{ Params: WorldParams }>('/worlds/:id', { schema: { summary: 'a world: manifest, head, open work', params: WORLD_PARAMS } }, async (request) => ({ id: request.params.id, ...(await host.call(request.params.id, 'info') as object) }));
  app.get('/secrets/bindings', { schema: { summary: 'the secret bindings of the node\'s vault: names and versions, never values' } }, async () => {
    const listing = new Vault(host.root).list();
    return { bindings: listing.entries.map((entry) => ({ binding_id: entry.name, versions: entry.versions, active: entry.active })), warnings: listing.warnings };
  });
}
