// Structural validation with ajv against the (extended) AIR JSON Schemas. The only file that loads ajv.
import { createRequire } from 'node:module';
import type { Ajv2020 as Ajv2020Class, ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import { AirError } from './errors.ts';
import type { AirWhere } from './errors.ts';
import type { NodeKind } from './defs.ts';
import { extendedSchemas, SCHEMA_ID } from './schema-extensions.ts';
import { showJson } from './show-json.ts';

let ajv: Ajv2020Class | undefined;

/**
 * ajv is required on first validation, not imported: opening a stored world never validates
 * JSON, and loading ajv's ~270 KB cost every such open several milliseconds. A require made
 * from this module's URL also keeps ajv out of the esbuild bundles (it loads from node_modules).
 */
function newAjv(): Ajv2020Class {
  const { Ajv2020 } = createRequire(import.meta.url)('ajv/dist/2020.js') as { Ajv2020: typeof Ajv2020Class };
  // allErrors stays off: the first error per document is the one we can explain precisely.
  return new Ajv2020({ strict: false, allErrors: false, validateFormats: false });
}
const validators = new Map<NodeKind | 'patch', ValidateFunction>();

/** Compiles each kind's validator on first use: compiling all of them costs a CLI start ~200 ms. */
function validatorFor(kind: NodeKind | 'patch'): ValidateFunction {
  const known = validators.get(kind);
  if (known !== undefined) return known;
  if (ajv === undefined) {
    ajv = newAjv();
    for (const schema of extendedSchemas()) ajv.addSchema(schema);
  }
  const validate = ajv.getSchema(SCHEMA_ID[kind]);
  if (validate === undefined) throw new AirError('SCHEMA_VIOLATION', {}, `internal: schema ${SCHEMA_ID[kind]} did not compile`);
  validators.set(kind, validate);
  return validate;
}

/** Validates one node (or a patch document) against its JSON Schema; throws an AirError naming the JSON path. */
export function checkStructure(kind: NodeKind | 'patch', document: unknown, where: AirWhere): void {
  const validate = validatorFor(kind);
  const safe = jsonSafe(document);
  if (validate(safe)) return;
  const error = pickError(validate.errors ?? []);
  throw new AirError('SCHEMA_VIOLATION', { ...where, path: pointerToPath(error?.instancePath ?? '', where.path) }, describe(error, safe));
}

/** ajv cannot see bigints; structure checks run on a number copy while values keep their exact bigints. */
function jsonSafe(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) out[key] = jsonSafe(child);
    return out;
  }
  return value;
}

/**
 * Of oneOf failures ajv reports every branch. The deepest error explains the problem, unless
 * every branch failed at that same place: then the value fits none of the shapes, and saying
 * so (with the shapes) beats quoting one arbitrary branch.
 */
function pickError(errors: readonly ErrorObject[]): ErrorObject | undefined {
  let deepest: ErrorObject | undefined;
  for (const error of errors) {
    if (deepest === undefined || error.instancePath.length > deepest.instancePath.length) deepest = error;
  }
  if (deepest === undefined) return undefined;
  const alternatives = errors.filter((error) => (error.keyword === 'oneOf' || error.keyword === 'anyOf') && error.instancePath === deepest?.instancePath);
  // ajv names the type-expression schemas only on some of the oneOf errors; prefer those.
  return alternatives.find((error) => TYPE_SCHEMA.test(error.schemaPath)) ?? alternatives.at(-1) ?? deepest;
}

const TYPE_SHAPES = '{"bool":{}}, {"int":{}}, {"nat":{}}, {"dec128":{}}, {"bytes":{}}, {"text":{}}, {"time":{}}, {"duration":{}}, ' +
  '{"hash":{}}, {"uuid":{}}, {"unit":{}}, {"record":{…}}, {"variant":{…}}, {"list":T}, {"set":T}, {"map":{"key":K,"value":T}}, {"option":T} or {"ref":"ns/Name@1"}';

const TYPE_SCHEMA = /Type(Expr|Primitive|Composite)/;

function shapesHint(error: ErrorObject): string {
  if (TYPE_SCHEMA.test(error.schemaPath)) return `expected a type: one of ${TYPE_SHAPES}`;
  if (error.schemaPath.includes('patches')) return 'expected one patch op: add_def, replace_def, remove_def, set_manifest_refs, set_defaults, set_routing_events, set_routing_inboxes, set_module_bindings, set_secrets or set_approval_policy';
  if (error.schemaPath.includes('/map/')) return 'expected a map key type: {"int":{}}, {"nat":{}}, {"text":{}}, {"uuid":{}} or {"hash":{}}';
  return 'which matches none of the allowed shapes';
}

function pointerToPath(pointer: string, base: string | undefined): string {
  let path = base ?? '';
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    path += /^\d+$/.test(key) ? `[${key}]` : /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
  }
  return path;
}

function valueAt(document: unknown, pointer: string): unknown {
  let node: unknown = document;
  for (const raw of pointer.split('/').slice(1)) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[raw.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return node;
}

function shown(value: unknown): string {
  return showJson(value);
}

function describe(error: ErrorObject | undefined, document: unknown): string {
  if (error === undefined) return 'does not match the AIR schema';
  const found = valueAt(document, error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required': return `missing required field "${String(params.missingProperty)}"`;
    case 'additionalProperties': return `unknown field "${String(params.additionalProperty)}" (not part of AIR here; check the spelling)`;
    case 'pattern': return `found ${shown(found)}, expected text matching ${String(params.pattern)}${patternHint(String(params.pattern))}`;
    case 'enum': return `found ${shown(found)}, expected one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const': return `found ${shown(found)}, expected ${JSON.stringify(params.allowedValue)}`;
    case 'type': return `found ${shown(found)}, expected ${String(params.type)}`;
    case 'minimum': return `found ${shown(found)}, expected a number ≥ ${String(params.limit)}`;
    case 'minItems': return `found ${shown(found)}, expected at least ${String(params.limit)} item(s)`;
    case 'maxProperties': return `found ${shown(found)}, expected an empty object`;
    case 'oneOf': case 'anyOf': return `found ${shown(found)}, ${shapesHint(error)}`;
    default: return `found ${shown(found)}: ${error.message ?? 'does not match the AIR schema'}`;
  }
}

function patternHint(pattern: string): string {
  if (pattern.includes('@([1-9]') || pattern.includes('@[1-9]')) return ' (a name is namespace/Name@version, e.g. "demo/Counter@1")';
  if (pattern.startsWith('^sha256:')) return ' ("sha256:" and 64 lowercase hex digits)';
  return '';
}
