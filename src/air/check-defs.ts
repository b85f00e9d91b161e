// Semantic checks of single defs against the index of everything the world can see (DESIGN §4).
import { AirError, childPath } from './errors.ts';
import type { AirWhere } from './errors.ts';
import type { DefIndex } from './def-index.ts';
import { CAP_ALLOW_ALL } from './defs.ts';
import type { Def, DefCap, DefEffect, DefModule } from './defs.ts';
import { expandType } from './value/index.ts';

/** The pure ABI of a cap enforcer (upstream-kernel §4). */
const ENFORCER_INPUT = 'sys/CapCheckInput@1';
const ENFORCER_OUTPUT = 'sys/CapCheckOutput@1';

/** Checks that every name a def mentions exists with the right kind; records problems in `errors`. */
export function checkDef(def: Def, where: AirWhere, index: DefIndex, errors: AirError[]): void {
  const collect = (check: () => void) => {
    try { check(); } catch (error) { if (error instanceof AirError) errors.push(error); else throw error; }
  };
  switch (def.$kind) {
    case 'defschema': collect(() => expandType(def.type, index, { ...where, path: childPath(where.path ?? '', 'type') })); break;
    case 'defmodule': checkModule(def, where, index, errors); break;
    case 'defeffect': checkEffect(def, where, index, errors); break;
    case 'defcap': checkCap(def, where, index, errors, collect); break;
    case 'defpolicy': case 'defsecret': break;
  }
}

function needSchema(name: string | undefined, path: string, where: AirWhere, index: DefIndex, errors: AirError[]): void {
  if (name === undefined || index.get('defschema', name) !== undefined) return;
  errors.push(new AirError('DANGLING_REF', { ...where, path: `${where.path ?? ''}${path}` },
    `refers to schema "${name}", which is neither defined in this world nor built in; add a defschema named "${name}" or fix the name`));
}

function checkModule(module: DefModule, where: AirWhere, index: DefIndex, errors: AirError[]): void {
  needSchema(module.key_schema, '.key_schema', where, index, errors);
  const workflow = module.abi.workflow;
  const pure = module.abi.pure;
  if (module.module_kind === 'workflow' && workflow !== undefined) {
    needSchema(workflow.state, '.abi.workflow.state', where, index, errors);
    needSchema(workflow.event, '.abi.workflow.event', where, index, errors);
    needSchema(workflow.context, '.abi.workflow.context', where, index, errors);
    needSchema(workflow.annotations, '.abi.workflow.annotations', where, index, errors);
  }
  if (module.module_kind === 'pure' && pure !== undefined) {
    needSchema(pure.input, '.abi.pure.input', where, index, errors);
    needSchema(pure.output, '.abi.pure.output', where, index, errors);
    needSchema(pure.context, '.abi.pure.context', where, index, errors);
  }
  if (module.module_kind === 'pure' && workflow !== undefined) {
    errors.push(new AirError('SCHEMA_VIOLATION', { ...where, path: `${where.path ?? ''}.abi.workflow` }, 'a pure module has a workflow ABI; give it "abi.pure" or make it a workflow'));
  }
  if (module.module_kind === 'workflow' && pure !== undefined) {
    errors.push(new AirError('SCHEMA_VIOLATION', { ...where, path: `${where.path ?? ''}.abi.pure` }, 'a workflow module has a pure ABI; give it "abi.workflow" or make it pure'));
  }
  if (module.key_schema !== undefined && module.module_kind !== 'workflow') {
    errors.push(new AirError('BAD_KEY_FIELD', { ...where, path: `${where.path ?? ''}.key_schema` }, 'only workflow modules can be keyed'));
  }
}

function checkEffect(effect: DefEffect, where: AirWhere, index: DefIndex, errors: AirError[]): void {
  needSchema(effect.params_schema, '.params_schema', where, index, errors);
  needSchema(effect.receipt_schema, '.receipt_schema', where, index, errors);
}

function checkCap(cap: DefCap, where: AirWhere, index: DefIndex, errors: AirError[], collect: (check: () => void) => void): void {
  collect(() => expandType(cap.schema, index, { ...where, path: `${where.path ?? ''}.schema` }));
  // sys/CapAllowAll@1 is the kernel's own allow-everything enforcer: a name, with no module def.
  if (cap.enforcer === undefined || cap.enforcer.module === CAP_ALLOW_ALL) return;
  const enforcer = index.get('defmodule', cap.enforcer.module);
  const path = `${where.path ?? ''}.enforcer.module`;
  if (enforcer === undefined) {
    errors.push(new AirError('DANGLING_REF', { ...where, path }, `enforcer module "${cap.enforcer.module}" is not defined in this world nor built in`));
  } else if (enforcer.def.module_kind !== 'pure') {
    errors.push(new AirError('CAP_TYPE_MISMATCH', { ...where, path }, `enforcer "${cap.enforcer.module}" is a ${enforcer.def.module_kind} module; cap enforcers must be pure modules`));
  } else if (enforcer.def.abi.pure?.input !== ENFORCER_INPUT || enforcer.def.abi.pure.output !== ENFORCER_OUTPUT) {
    errors.push(new AirError('CAP_TYPE_MISMATCH', { ...where, path },
      `enforcer "${cap.enforcer.module}" takes ${enforcer.def.abi.pure?.input ?? 'nothing'} and gives ${enforcer.def.abi.pure?.output ?? 'nothing'}; cap enforcers take ${ENFORCER_INPUT} and give ${ENFORCER_OUTPUT}`));
  }
}
