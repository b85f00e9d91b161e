// Routing must deliver each event to a module that can read it, keyed the way the module is keyed.
import { AirError } from './errors.ts';
import type { AirWhere } from './errors.ts';
import type { DefIndex } from './def-index.ts';
import type { DefModule, Manifest, Subscription } from './defs.ts';
import type { TypeAst } from './type-ast.ts';
import { schemaHash } from './value/index.ts';

/** Checks routing subscriptions and inboxes against the listed modules and schemas. */
export function checkRouting(manifest: Manifest, modules: Map<string, DefModule>, where: AirWhere, index: DefIndex, errors: AirError[]): void {
  const base = `${where.path ?? ''}.routing`;
  (manifest.routing?.subscriptions ?? []).forEach((subscription, position) => {
    const at: AirWhere = { ...where, path: `${base}.subscriptions[${position}]` };
    try {
      checkSubscription(subscription, modules, at, index);
    } catch (error) {
      if (!(error instanceof AirError)) throw error;
      errors.push(error);
    }
  });
  (manifest.routing?.inboxes ?? []).forEach((inbox, position) => {
    const module = modules.get(inbox.workflow);
    if (module !== undefined && module.module_kind === 'workflow') return;
    errors.push(new AirError('DANGLING_REF', { ...where, path: `${base}.inboxes[${position}].workflow` },
      `inbox "${inbox.source}" delivers to "${inbox.workflow}", which is not a workflow listed in the manifest's "modules"`));
  });
}

function checkSubscription(subscription: Subscription, modules: Map<string, DefModule>, at: AirWhere, index: DefIndex): void {
  const module = modules.get(subscription.module);
  if (module === undefined) {
    throw new AirError('DANGLING_REF', { ...at, path: `${at.path}.module` }, `routes to module "${subscription.module}", which is not listed in the manifest's "modules"`);
  }
  const workflow = module.abi.workflow;
  if (module.module_kind !== 'workflow' || workflow === undefined) {
    throw new AirError('ROUTING_MISMATCH', { ...at, path: `${at.path}.module` }, `routes events to "${subscription.module}", a pure module; only workflows receive events`);
  }
  if (index.get('defschema', subscription.event) === undefined) {
    throw new AirError('DANGLING_REF', { ...at, path: `${at.path}.event` }, `routes schema "${subscription.event}", which is neither defined in this world nor built in`);
  }
  if (!acceptsEvent(workflow.event, subscription.event, index)) {
    throw new AirError('ROUTING_MISMATCH', { ...at, path: `${at.path}.event` },
      `routes "${subscription.event}" to "${subscription.module}", whose event schema is "${workflow.event}"; ` +
      `route "${workflow.event}" instead, or add "${subscription.event}" as an alternative of that variant`);
  }
  checkKeyField(subscription, module, at, index);
}

/** A module reads its own event schema, and each schema that is an alternative of its event variant. */
function acceptsEvent(moduleEvent: string, routed: string, index: DefIndex): boolean {
  if (moduleEvent === routed) return true;
  const type = index.resolve(moduleEvent);
  if (type === undefined || !('variant' in type)) return false;
  return Object.values(type.variant).some((alternative) => 'ref' in alternative && alternative.ref === routed);
}

function checkKeyField(subscription: Subscription, module: DefModule, at: AirWhere, index: DefIndex): void {
  const path = `${at.path}.key_field`;
  if (module.key_schema === undefined) {
    if (subscription.key_field === undefined) return;
    throw new AirError('BAD_KEY_FIELD', { ...at, path }, `sets key_field "${subscription.key_field}", but module "${module.name}" is not keyed (it has no key_schema); drop key_field or give the module a key_schema`);
  }
  if (subscription.key_field === undefined) {
    throw new AirError('BAD_KEY_FIELD', { ...at, path }, `module "${module.name}" is keyed by "${module.key_schema}", so this subscription needs a key_field naming where the key is in "${subscription.event}"`);
  }
  const fieldType = fieldAt(subscription.event, subscription.key_field, index, { ...at, path });
  const keyType: TypeAst = { ref: module.key_schema };
  if (schemaHash(fieldType, index, { ...at, path }) !== schemaHash(keyType, index, { ...at, path })) {
    throw new AirError('BAD_KEY_FIELD', { ...at, path }, `key_field "${subscription.key_field}" of "${subscription.event}" has a different type than the key schema "${module.key_schema}"`);
  }
}

function fieldAt(eventSchema: string, keyField: string, index: DefIndex, where: AirWhere): TypeAst {
  let type: TypeAst = { ref: eventSchema };
  for (const segment of keyField.split('.')) {
    const record = recordOf(type, index);
    const field = record?.[segment];
    if (field === undefined) {
      const fields = record === undefined ? 'it is not a record' : `its fields are ${Object.keys(record).map((f) => `"${f}"`).join(', ')}`;
      throw new AirError('BAD_KEY_FIELD', where, `key_field "${keyField}": "${eventSchema}" has no field "${segment}" at that place (${fields})`);
    }
    type = field;
  }
  return type;
}

function recordOf(type: TypeAst, index: DefIndex): Readonly<Record<string, TypeAst>> | undefined {
  let current: TypeAst | undefined = type;
  for (let hops = 0; current !== undefined && 'ref' in current && hops < 64; hops += 1) current = index.resolve(current.ref);
  return current !== undefined && 'record' in current ? current.record : undefined;
}
