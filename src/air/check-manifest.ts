// Resolves a manifest against the world's defs and checks how its parts fit together (DESIGN §4).
import { AirError, childPath } from './errors.ts';
import type { AirWhere } from './errors.ts';
import type { DefIndex } from './def-index.ts';
import { MANIFEST_SECTION } from './defs.ts';
import type { CapGrant, DefEffect, DefKind, DefModule, Manifest, NamedRef } from './defs.ts';
import { checkRouting } from './check-routing.ts';
import { checkApprovalPolicy } from './check-approval-policy.ts';
import { valueFromJson, valueToCanonicalJson } from './value/index.ts';

/** The manifest with every ref's hash filled in and grant params in canonical form, or the problems found. */
export function resolveManifest(authored: Manifest, where: AirWhere, index: DefIndex, errors: AirError[], warnings: string[] = []): Manifest {
  const resolved: Record<string, unknown> = { ...authored };
  for (const kind of Object.keys(MANIFEST_SECTION) as DefKind[]) {
    const section = MANIFEST_SECTION[kind];
    const refs = authored[section];
    if (refs !== undefined) resolved[section] = resolveRefs(kind, refs, childPath(where.path ?? '', section), where, index, errors);
  }
  const manifest = resolved as unknown as Manifest;
  const effects = declaredEffects(manifest, index);
  const modules = listedModules(manifest, index);
  checkModuleEffects(modules, effects, where, index, errors, warnings);
  checkRouting(manifest, modules, where, index, errors);
  const grants = checkDefaults(manifest, where, index, errors);
  checkModuleBindings(manifest, modules, grants, where, index, errors);
  checkSecrets(manifest, grants, where, index, errors);
  checkEffectBindings(manifest, effects, where, errors);
  if (manifest.approval_policy !== undefined) checkApprovalPolicy(manifest.approval_policy, { ...where, path: `${where.path ?? ''}.approval_policy` }, errors);
  if (grants.canonical !== undefined) {
    return { ...manifest, defaults: { ...manifest.defaults, cap_grants: grants.canonical } };
  }
  return manifest;
}

function resolveRefs(kind: DefKind, refs: readonly NamedRef[], path: string, where: AirWhere, index: DefIndex, errors: AirError[]): NamedRef[] {
  const seen = new Set<string>();
  const out: NamedRef[] = [];
  refs.forEach((ref, position) => {
    const at = { ...where, path: `${path}[${position}]` };
    if (seen.has(ref.name)) {
      errors.push(new AirError('DUPLICATE_NAME', at, `"${ref.name}" is listed twice; list each ${kind} once`));
      return;
    }
    seen.add(ref.name);
    const entry = index.get(kind, ref.name);
    if (entry === undefined) {
      errors.push(new AirError('DANGLING_REF', at, `lists ${kind} "${ref.name}", which is neither defined in this world nor built in`));
      return;
    }
    if (ref.hash !== undefined && ref.hash !== entry.hash) {
      errors.push(new AirError('HASH_MISMATCH', { ...at, path: `${at.path}.hash` },
        `pins "${ref.name}" to ${ref.hash}, but the def here hashes to ${entry.hash}; update the pin or drop it to take the def as it is`));
      return;
    }
    out.push({ name: ref.name, hash: entry.hash });
  });
  return out;
}

/** Effect kinds the manifest declares, to the def that declares each. */
export function declaredEffects(manifest: Manifest, index: DefIndex): Map<string, DefEffect> {
  const effects = new Map<string, DefEffect>();
  for (const ref of manifest.effects) {
    const entry = index.get('defeffect', ref.name);
    if (entry !== undefined) effects.set(entry.def.kind, entry.def);
  }
  return effects;
}

/** Modules the manifest lists, by name. */
export function listedModules(manifest: Manifest, index: DefIndex): Map<string, DefModule> {
  const modules = new Map<string, DefModule>();
  for (const ref of manifest.modules) {
    const entry = index.get('defmodule', ref.name);
    if (entry !== undefined) modules.set(ref.name, entry.def);
  }
  return modules;
}

/**
 * An effect kind no def declares anywhere is an error. A known kind the manifest does not list
 * is only a warning: upstream worlds reuse modules that declare more than the world grants, and
 * the kernel refuses such intents at runtime.
 */
function checkModuleEffects(modules: Map<string, DefModule>, effects: Map<string, DefEffect>, where: AirWhere, index: DefIndex, errors: AirError[], warnings: string[]): void {
  const known = new Set(index.ofKind('defeffect').map((entry) => entry.def.kind));
  for (const [name, module] of modules) {
    for (const kind of module.abi.workflow?.effects_emitted ?? []) {
      if (effects.has(kind)) continue;
      if (known.has(kind)) {
        warnings.push(`${where.file ?? '(input)'}: module "${name}" may emit "${kind}", which the manifest does not list; such intents will be refused`);
        continue;
      }
      errors.push(new AirError('EFFECT_NOT_DECLARED', { ...where, path: `${where.path ?? ''}.effects` },
        `module "${name}" may emit "${kind}", but no defeffect of that kind exists; define one (with its params and receipt schemas) and list it in "effects"`));
    }
  }
}

interface GrantCheck {
  readonly byName: Map<string, { readonly grant: CapGrant; readonly capType: string }>;
  readonly canonical?: CapGrant[];
}

function checkDefaults(manifest: Manifest, where: AirWhere, index: DefIndex, errors: AirError[]): GrantCheck {
  const defaults = manifest.defaults;
  const base = `${where.path ?? ''}.defaults`;
  const byName = new Map<string, { grant: CapGrant; capType: string }>();
  if (defaults === undefined) return { byName };
  if (defaults.policy !== undefined && !manifest.policies.some((ref) => ref.name === defaults.policy)) {
    errors.push(new AirError('DANGLING_REF', { ...where, path: `${base}.policy` }, `default policy "${defaults.policy}" is not listed in the manifest's "policies"`));
  }
  const canonical: CapGrant[] = [];
  (defaults.cap_grants ?? []).forEach((grant, position) => {
    const at: AirWhere = { ...where, path: `${base}.cap_grants[${position}]` };
    if (byName.has(grant.name)) {
      errors.push(new AirError('DUPLICATE_NAME', { ...at, path: `${at.path}.name` }, `grant name "${grant.name}" is used twice; grant names must be unique`));
      return;
    }
    // Built-in caps (sys/*) are always available; a world's own caps must be listed.
    const known = index.get('defcap', grant.cap);
    const cap = known !== undefined && (known.builtin || manifest.caps.some((ref) => ref.name === grant.cap)) ? known : undefined;
    if (cap === undefined) {
      errors.push(new AirError('DANGLING_REF', { ...at, path: `${at.path}.cap` }, `grant "${grant.name}" instantiates "${grant.cap}", which is neither built in nor listed in the manifest's "caps"`));
      return;
    }
    try {
      const value = valueFromJson(grant.params, cap.def.schema, index, { ...at, path: `${at.path}.params` });
      canonical.push({ ...grant, params: valueToCanonicalJson(value, cap.def.schema, index) });
      byName.set(grant.name, { grant, capType: cap.def.cap_type });
    } catch (error) {
      if (!(error instanceof AirError)) throw error;
      errors.push(error);
    }
  });
  return { byName, canonical };
}

function checkModuleBindings(manifest: Manifest, modules: Map<string, DefModule>, grants: GrantCheck, where: AirWhere, index: DefIndex, errors: AirError[]): void {
  for (const [moduleName, binding] of Object.entries(manifest.module_bindings ?? {})) {
    const at: AirWhere = { ...where, path: `${where.path ?? ''}.module_bindings[${JSON.stringify(moduleName)}]` };
    const module = modules.get(moduleName) ?? index.get('defmodule', moduleName)?.def;
    if (module === undefined || !modules.has(moduleName)) {
      errors.push(new AirError('DANGLING_REF', at, `binds slots of module "${moduleName}", which is not listed in the manifest's "modules"`));
      continue;
    }
    const slots = module.abi.workflow?.cap_slots ?? {};
    for (const [slot, grantName] of Object.entries(binding.slots)) {
      const slotPath: AirWhere = { ...at, path: `${at.path}.slots.${slot}` };
      const slotType = slots[slot];
      if (slotType === undefined) {
        errors.push(new AirError('DANGLING_REF', slotPath, `module "${moduleName}" has no cap slot "${slot}"; its slots are ${Object.keys(slots).map((s) => `"${s}"`).join(', ') || 'none'}`));
        continue;
      }
      const grant = grants.byName.get(grantName);
      if (grant === undefined) {
        errors.push(new AirError('DANGLING_REF', slotPath, `binds slot "${slot}" to grant "${grantName}", which is not among defaults.cap_grants`));
        continue;
      }
      if (grant.capType !== slotType) {
        errors.push(new AirError('CAP_TYPE_MISMATCH', slotPath, `slot "${slot}" needs a "${slotType}" capability, but grant "${grantName}" is of type "${grant.capType}"`));
      }
    }
  }
}

function checkSecrets(manifest: Manifest, grants: GrantCheck, where: AirWhere, index: DefIndex, errors: AirError[]): void {
  (manifest.secrets ?? []).forEach((ref, position) => {
    const secret = index.get('defsecret', ref.name);
    if (secret === undefined) return;
    for (const grantName of secret.def.allowed_caps ?? []) {
      if (grants.byName.has(grantName)) continue;
      errors.push(new AirError('DANGLING_REF', { ...where, path: `${where.path ?? ''}.secrets[${position}]` },
        `secret "${ref.name}" allows grant "${grantName}", which is not among defaults.cap_grants`));
    }
  });
}

function checkEffectBindings(manifest: Manifest, effects: Map<string, DefEffect>, where: AirWhere, errors: AirError[]): void {
  (manifest.effect_bindings ?? []).forEach((binding, position) => {
    if (effects.has(binding.kind)) return;
    errors.push(new AirError('EFFECT_NOT_DECLARED', { ...where, path: `${where.path ?? ''}.effect_bindings[${position}].kind` },
      `binds effect kind "${binding.kind}" to an adapter, but no effect of that kind is listed in "effects"`));
  });
}
