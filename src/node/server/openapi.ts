// The OpenAPI 3.1 document of the control API, written from the routes' own JSON schemas as
// they are registered (so it cannot drift from what the API validates).
import type { FastifyInstance, RouteOptions } from 'fastify';

interface RouteSchema { readonly summary?: string; readonly params?: object; readonly querystring?: object; readonly body?: object }

/** Collects every route registered after this call; the document is built on first read. */
export function collectOpenApi(app: FastifyInstance): () => object {
  const routes: RouteOptions[] = [];
  app.addHook('onRoute', (route) => { routes.push(route); });
  let document: object | null = null;
  return () => (document ??= build(routes));
}

function parameters(where: 'path' | 'query', schema: object | undefined): object[] {
  const properties = (schema as { properties?: Record<string, object>; required?: string[] } | undefined);
  return Object.entries(properties?.properties ?? {}).map(([name, item]) => ({ name, in: where, required: where === 'path' || (properties?.required ?? []).includes(name), schema: item }));
}

function build(routes: readonly RouteOptions[]): object {
  const paths: Record<string, Record<string, object>> = {};
  for (const route of routes) {
    const methods = (Array.isArray(route.method) ? route.method : [route.method]).filter((method) => method !== 'HEAD');
    const schema = (route.schema ?? {}) as RouteSchema;
    const path = route.url.replace(/:([A-Za-z_]+)/g, '{$1}');
    for (const method of methods) {
      const write = method !== 'GET';
      (paths[path] ??= {})[method.toLowerCase()] = {
        summary: schema.summary ?? '',
        parameters: [...parameters('path', schema.params), ...parameters('query', schema.querystring)],
        ...(schema.body !== undefined ? { requestBody: { required: true, content: { 'application/json': { schema: schema.body } } } } : {}),
        responses: { 200: { description: 'OK' }, 400: { description: 'bad input: {"error": {code, message, hint}}' }, ...(write ? { 401: { description: 'no or wrong bearer token' } } : {}), 404: { description: 'no such world or record' } },
        ...(write ? { security: [{ bearer: [] }] } : {}),
      };
    }
  }
  return {
    openapi: '3.1.0',
    info: { title: 'AgentOS local node control API', version: '0.1.0', description: 'Writes need "Authorization: Bearer <token>" whenever the node has a token; errors are {"error": {code, message, hint}}.' },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    paths,
  };
}

declare module 'fastify' {
  interface FastifySchema {
    /** One line for the OpenAPI document (fastify itself ignores it). */
    summary?: string;
  }
}
