// A manifest's authority, compiled once per manifest (DESIGN §4, §6): its cap grants with their
// params read and enforcers resolved, grants by cap type, module slot bindings, the default
// policy, the declared secrets, and which effect kinds' params can hold secret refs. Checking an
// effect then only looks things up.
import { AirError, valueFromJson } from '../air/index.ts';
import type { DefEffect, DefIndex, DefPolicy, DefSecret, GrantBudget, Manifest } from '../air/index.ts';
import { encodeCanonical } from '../cbor/index.ts';
import type { CborValue, Hash } from '../cbor/index.ts';
import { resolveEnforcer } from './enforcers/index.ts';
import type { Enforcer } from './enforcers/index.ts';
import { KernelError } from './errors.ts';
import { isPublicKeyId } from './public-key.ts';
import type { PublicKeyId } from './public-key.ts';
import { mayHoldSecretRef } from './secret-refs.ts';

/** A grant's budget ceilings (null: that dimension is not limited), over a rolling window of logical time when `windowNs` is set. */
export interface CompiledBudget {
  readonly costCents: bigint | null;
  readonly tokens: bigint | null;
  readonly count: bigint | null;
  readonly windowNs: bigint | null;
}

/** Who may approve effects held by a require_approval policy decision, and how many distinct principals must. */
export interface EffectApprovalPolicy {
  /** Principal names by public key id. */
  readonly principals: ReadonlyMap<PublicKeyId, string>;
  readonly quorum: number;
}

/** A cap grant ready to check effects against. */
export interface CompiledGrant {
  readonly name: string;
  /** The defcap it instantiates. */
  readonly cap: string;
  readonly capType: string;
  /** Its params: a typed value of the defcap's schema. */
  readonly params: CborValue;
  /** The same, as canonical CBOR (what a module enforcer is given). */
  readonly paramsBytes: Uint8Array;
  /** Logical time from which the grant no longer authorises anything; null: never expires. */
  readonly expiryNs: bigint | null;
  readonly enforcer: Enforcer;
  /** Its budget; null: unlimited (and never charged). */
  readonly budget: CompiledBudget | null;
}

/** Everything that decides whether an emitted effect may run. */
export interface Authority {
  readonly grants: ReadonlyMap<string, CompiledGrant>;
  /** Grants by cap type, in manifest order: an effect on the default slot takes the only one of its type. */
  readonly grantsByCapType: ReadonlyMap<string, readonly CompiledGrant[]>;
  /** Module → slot → grant name (manifest.module_bindings). */
  readonly bindings: ReadonlyMap<string, ReadonlyMap<string, string>>;
  /** The default policy; null: none, every effect a grant allows is allowed. */
  readonly policy: DefPolicy | null;
  /** The manifest's secrets, by defsecret name (`<alias>@<version>`). */
  readonly secrets: ReadonlyMap<string, DefSecret>;
  /** Effect kinds whose params schema can hold a secret ref: only these are searched for refs. */
  readonly secretBearingKinds: ReadonlySet<string>;
  /** The manifest's approval policy; null: nobody can approve, so a require_approval effect waits until a new manifest. */
  readonly approval: EffectApprovalPolicy | null;
}

/** Compiles a manifest's grants, bindings, policy and secrets; a manifest that does not fit its defs is MANIFEST_INVALID. */
export function compileAuthority(manifest: Manifest, hash: Hash, index: DefIndex, effects: ReadonlyMap<string, DefEffect>): Authority {
  const grants = new Map<string, CompiledGrant>();
  const grantsByCapType = new Map<string, CompiledGrant[]>();
  for (const grant of manifest.defaults?.cap_grants ?? []) {
    const cap = index.get('defcap', grant.cap)?.def;
    if (cap === undefined) throw invalid(hash, `grant "${grant.name}" instantiates ${grant.cap}, which is not in the world's defs`);
    let params: CborValue;
    try {
      params = valueFromJson(grant.params, cap.schema, index, { path: `defaults.cap_grants[${JSON.stringify(grant.name)}].params` });
    } catch (error) {
      if (!(error instanceof AirError)) throw error;
      throw invalid(hash, `grant "${grant.name}" has params that do not fit ${cap.name}: ${error.message}`, error);
    }
    const compiled: CompiledGrant = {
      name: grant.name, cap: cap.name, capType: cap.cap_type, params, paramsBytes: encodeCanonical(params, { selfDescribe: false }),
      expiryNs: grant.expiry_ns === undefined ? null : BigInt(grant.expiry_ns), enforcer: resolveEnforcer(cap, index, hash),
      budget: grant.budget === undefined ? null : compileBudget(grant.budget),
    };
    grants.set(grant.name, compiled);
    const sameType = grantsByCapType.get(cap.cap_type);
    if (sameType === undefined) grantsByCapType.set(cap.cap_type, [compiled]);
    else sameType.push(compiled);
  }
  const bindings = new Map<string, ReadonlyMap<string, string>>();
  for (const [module, binding] of Object.entries(manifest.module_bindings ?? {})) {
    for (const [slot, grant] of Object.entries(binding.slots)) {
      if (!grants.has(grant)) throw invalid(hash, `module ${module}'s slot "${slot}" is bound to grant "${grant}", which is not among defaults.cap_grants`);
    }
    bindings.set(module, new Map(Object.entries(binding.slots)));
  }
  return { grants, grantsByCapType, bindings, policy: defaultPolicy(manifest, hash, index), secrets: secretsOf(manifest, hash, index), secretBearingKinds: secretBearingKinds(effects, index), approval: approvalPolicy(manifest, hash) };
}

function compileBudget(budget: GrantBudget): CompiledBudget | null {
  const big = (value: number | bigint | undefined) => (value === undefined ? null : BigInt(value));
  const compiled = { costCents: big(budget.cost_cents), tokens: big(budget.tokens), count: big(budget.count), windowNs: big(budget.window_ns) };
  // A budget that limits nothing (only a window, or empty) is no budget: nothing to charge.
  return compiled.costCents === null && compiled.tokens === null && compiled.count === null ? null : compiled;
}

function approvalPolicy(manifest: Manifest, hash: Hash): EffectApprovalPolicy | null {
  const policy = manifest.approval_policy;
  if (policy === undefined) return null;
  const principals = new Map<PublicKeyId, string>();
  for (const principal of policy.principals) {
    if (!isPublicKeyId(principal.public_key)) throw invalid(hash, `approval principal "${principal.name}" has public key "${principal.public_key}", which is not an ed25519:<64 hex> id`);
    principals.set(principal.public_key, principal.name);
  }
  if (!Number.isSafeInteger(policy.quorum) || policy.quorum < 1 || policy.quorum > principals.size) {
    throw invalid(hash, `approval_policy.quorum is ${policy.quorum}, but it lists ${principals.size} distinct principal(s); the quorum must be from 1 to that number`);
  }
  return { principals, quorum: policy.quorum };
}

function defaultPolicy(manifest: Manifest, hash: Hash, index: DefIndex): DefPolicy | null {
  const name = manifest.defaults?.policy;
  if (name === undefined) return null;
  const policy = index.get('defpolicy', name)?.def;
  if (policy === undefined) throw invalid(hash, `the default policy ${name} is not in the world's defs`);
  return policy;
}

function secretsOf(manifest: Manifest, hash: Hash, index: DefIndex): Map<string, DefSecret> {
  const secrets = new Map<string, DefSecret>();
  for (const ref of manifest.secrets ?? []) {
    const secret = index.get('defsecret', ref.name)?.def;
    if (secret === undefined) throw invalid(hash, `secret ${ref.name} is not in the world's defs`);
    secrets.set(secret.name, secret);
  }
  return secrets;
}

function secretBearingKinds(effects: ReadonlyMap<string, DefEffect>, index: DefIndex): Set<string> {
  const kinds = new Set<string>();
  for (const [kind, effect] of effects) if (mayHoldSecretRef({ ref: effect.params_schema }, index)) kinds.add(kind);
  return kinds;
}

function invalid(hash: Hash, what: string, cause?: unknown): KernelError {
  return new KernelError('MANIFEST_INVALID', `manifest ${hash}: ${what}`, cause === undefined ? undefined : { cause });
}
