// Schemas and helpers the route modules share.
export const WORLD_PARAMS = {
  type: 'object', required: ['id'], additionalProperties: false,
  properties: { id: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$', description: 'world id: "main" (the root folder) or a folder name under <root>/worlds/' } },
} as const;

export const HASH_PATTERN = '^sha256:[0-9a-f]{64}$';

export interface WorldParams { readonly id: string }
