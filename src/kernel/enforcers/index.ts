// Which enforcer checks a grant's effects: the defcap's enforcer module when it names one (a
// built-in for sys/* names, else the world's pure module), else the built-in for its cap type.
import { CAP_ALLOW_ALL } from '../../air/index.ts';
import type { DefCap, DefIndex, DefModule } from '../../air/index.ts';
import type { Hash } from '../../cbor/index.ts';
import { KernelError } from '../errors.ts';
import { allowAll } from './enforcer.ts';
import type { BuiltinEnforcer } from './enforcer.ts';
import { enforceGovernance } from './governance.ts';
import { enforceHost } from './host.ts';
import { enforceHttpOut } from './http-out.ts';
import { enforceLlmBasic } from './llm-basic.ts';
import { enforceQuery } from './query.ts';
import { enforceWorkspace } from './workspace.ts';

export { ALLOW, deny } from './enforcer.ts';
export type { CapVerdict } from './enforcer.ts';
export { EnforcerInputError } from './params.ts';
export { runEnforcerModule } from './module-enforcer.ts';
export type { EnforcerEnv } from './module-enforcer.ts';

/** An enforcer, resolved once per manifest. */
export type Enforcer =
  | { readonly kind: 'builtin'; readonly name: string; readonly check: BuiltinEnforcer }
  | { readonly kind: 'module'; readonly name: string; readonly module: DefModule }
  /** A sys/* enforcer this kernel does not implement: it denies. */
  | { readonly kind: 'unavailable'; readonly name: string };

/** The built-in enforcer modules, by name. */
const BY_MODULE: ReadonlyMap<string, BuiltinEnforcer> = new Map([
  [CAP_ALLOW_ALL, allowAll],
  ['sys/CapEnforceHttpOut@1', enforceHttpOut],
  ['sys/CapEnforceLlmBasic@1', enforceLlmBasic],
  ['sys/CapEnforceWorkspace@1', enforceWorkspace],
  ['sys/CapEnforceGovernance@1', enforceGovernance],
  ['sys/CapEnforceHost@1', enforceHost],
]);

/**
 * Enforcers of caps that name none, by cap type (upstream chooses the default by cap type).
 * sys/query@1 names no enforcer but has a scope to check. blob.put and blob.get name no
 * namespace in their params, so sys/blob@1's `namespaces` has nothing to constrain yet; timer,
 * portal and secret caps have no params. Those, and any other cap type, allow every effect.
 */
const BY_CAP_TYPE: ReadonlyMap<string, BuiltinEnforcer> = new Map([
  ['http.out', enforceHttpOut],
  ['llm.basic', enforceLlmBasic],
  ['workspace', enforceWorkspace],
  ['governance', enforceGovernance],
  ['query', enforceQuery],
  ['host', enforceHost],
]);

/** The enforcer of a defcap's grants; a module enforcer must be a pure module of the world. */
export function resolveEnforcer(cap: DefCap, index: DefIndex, manifestHash: Hash): Enforcer {
  const name = cap.enforcer?.module;
  if (name === undefined) {
    const check = BY_CAP_TYPE.get(cap.cap_type);
    return check === undefined ? { kind: 'builtin', name: CAP_ALLOW_ALL, check: allowAll } : { kind: 'builtin', name: `${cap.cap_type} (built in)`, check };
  }
  const builtin = BY_MODULE.get(name);
  if (builtin !== undefined) return { kind: 'builtin', name, check: builtin };
  if (name.startsWith('sys/')) return { kind: 'unavailable', name };
  const module = index.get('defmodule', name)?.def;
  if (module === undefined || module.module_kind !== 'pure') {
    throw new KernelError('MANIFEST_INVALID', `manifest ${manifestHash}: cap ${cap.name}'s enforcer ${name} is not a pure module in the world's defs; define it and list it in the manifest's "modules"`);
  }
  return { kind: 'module', name, module };
}
