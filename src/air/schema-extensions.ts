// Our additions to AIR (DESIGN §4), applied to copies of the upstream JSON Schemas so the
// upstream files stay byte-for-byte and every upstream document stays valid.
import commonSchema from './spec/schemas/common.schema.json' with { type: 'json' };
import defcapSchema from './spec/schemas/defcap.schema.json' with { type: 'json' };
import defeffectSchema from './spec/schemas/defeffect.schema.json' with { type: 'json' };
import defmoduleSchema from './spec/schemas/defmodule.schema.json' with { type: 'json' };
import defpolicySchema from './spec/schemas/defpolicy.schema.json' with { type: 'json' };
import defschemaSchema from './spec/schemas/defschema.schema.json' with { type: 'json' };
import defsecretSchema from './spec/schemas/defsecret.schema.json' with { type: 'json' };
import manifestSchema from './spec/schemas/manifest.schema.json' with { type: 'json' };
import patchSchema from './spec/schemas/patch.schema.json' with { type: 'json' };
import type { NodeKind } from './defs.ts';

type JsonSchema = Record<string, unknown>;

const NAT = { type: 'integer', minimum: 0 };

/** Budgets on a cap grant: each a ceiling, charged from receipts; `window_ns` makes them rolling. */
const GRANT_BUDGET = {
  type: 'object',
  properties: { cost_cents: NAT, tokens: NAT, count: NAT, window_ns: { type: 'integer', minimum: 1 } },
  additionalProperties: false,
};

/** What a patch can touch, for approval rules that ask more approvers for riskier changes. */
export const APPROVAL_TOUCH_KINDS = [
  'defschema', 'defmodule', 'defeffect', 'defcap', 'defpolicy', 'defsecret',
  'defaults', 'routing', 'module_bindings', 'secrets', 'manifest_refs', 'approval_policy',
] as const;

const PRINCIPAL_NAME = { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_.@-]{0,63}$' };

const APPROVAL_POLICY = {
  type: 'object',
  properties: {
    principals: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        properties: { name: PRINCIPAL_NAME, public_key: { type: 'string', pattern: '^ed25519:[0-9a-f]{64}$' } },
        required: ['name', 'public_key'],
        additionalProperties: false,
      },
    },
    quorum: { type: 'integer', minimum: 1 },
    rules: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          touches: { type: 'array', minItems: 1, items: { enum: [...APPROVAL_TOUCH_KINDS] } },
          quorum: { type: 'integer', minimum: 1 },
          principals: { type: 'array', minItems: 1, items: PRINCIPAL_NAME },
        },
        required: ['touches', 'quorum'],
        additionalProperties: false,
      },
    },
  },
  required: ['principals', 'quorum'],
  additionalProperties: false,
};

const MODULE_LIMITS = {
  type: 'object',
  properties: { instructions: { type: 'integer', minimum: 1 }, memory_bytes: { type: 'integer', minimum: 1 }, stack_bytes: { type: 'integer', minimum: 1 }, output_bytes: { type: 'integer', minimum: 1 } },
  additionalProperties: false,
};

function clone<T>(value: T): T {
  return structuredClone(value);
}

function at(schema: JsonSchema, path: readonly string[]): JsonSchema {
  let node: unknown = schema;
  for (const key of path) node = (node as JsonSchema)[key];
  return node as JsonSchema;
}

function extendCommon(): JsonSchema {
  const schema = clone(commonSchema) as JsonSchema;
  at(schema, ['$defs', 'CapGrant', 'properties']).budget = GRANT_BUDGET;
  return schema;
}

function extendModule(): JsonSchema {
  const schema = clone(defmoduleSchema) as JsonSchema;
  const properties = at(schema, ['properties']);
  properties.runtime = { type: 'string', enum: ['wasm', 'js'] };
  properties.limits = MODULE_LIMITS;
  // Authoring form: `aos build` fills wasm_hash; an unbuilt module carries the zero hash.
  schema.required = (schema.required as string[]).filter((key) => key !== 'wasm_hash');
  return schema;
}

function extendPolicy(): JsonSchema {
  const schema = clone(defpolicySchema) as JsonSchema;
  const decision = at(schema, ['$defs', 'Rule', 'properties', 'decision']);
  decision.enum = ['allow', 'deny', 'require_approval'];
  decision.description = 'allow, deny, or require_approval (the intent waits for a principal allowed by the approval policy)';
  return schema;
}

function extendManifest(): JsonSchema {
  const schema = clone(manifestSchema) as JsonSchema;
  at(schema, ['properties']).approval_policy = APPROVAL_POLICY;
  // Authoring form: refs may omit the hash; the loader fills it from the def it names.
  const namedRef = at(schema, ['$defs', 'NamedRef']);
  namedRef.required = ['name'];
  return schema;
}

function extendPatch(): JsonSchema {
  const schema = clone(patchSchema) as JsonSchema;
  const defs = at(schema, ['$defs']);
  // Our addition: the approval policy is part of the manifest, so patches can change it (under governance).
  defs.set_approval_policy = {
    type: 'object',
    properties: {
      set_approval_policy: {
        type: 'object',
        properties: { pre_hash: { $ref: 'common.schema.json#/$defs/Hash' }, approval_policy: { oneOf: [APPROVAL_POLICY, { type: 'null' }] } },
        required: ['pre_hash', 'approval_policy'],
        additionalProperties: false,
      },
    },
    required: ['set_approval_policy'],
    additionalProperties: false,
  };
  const items = at(schema, ['properties', 'patches', 'items']);
  (items.oneOf as unknown[]).push({ $ref: '#/$defs/set_approval_policy' });
  return schema;
}

/** Every schema ajv must know, keyed by $id (the extended copies). */
export function extendedSchemas(): JsonSchema[] {
  return [extendCommon(), extendModule(), extendPolicy(), extendManifest(), clone(defcapSchema), clone(defeffectSchema),
    clone(defschemaSchema), clone(defsecretSchema), extendPatch()];
}

const BASE = 'https://aos.dev/air/v1/';
/** The $id of the schema that validates each node kind, and of patch documents. */
export const SCHEMA_ID: Readonly<Record<NodeKind | 'patch', string>> = {
  defschema: `${BASE}defschema.schema.json`, defmodule: `${BASE}defmodule.schema.json`, defeffect: `${BASE}defeffect.schema.json`,
  defcap: `${BASE}defcap.schema.json`, defpolicy: `${BASE}defpolicy.schema.json`, defsecret: `${BASE}defsecret.schema.json`,
  manifest: `${BASE}manifest.schema.json`, patch: `${BASE}patch.schema.json`,
};
