// The enforcement chain of DESIGN §6 for one emitted effect, after its effects_emitted check and
// params canonicalisation, in this order: grant resolution (module slot binding, else the only
// grant of the effect's cap type), the grant's enforcer, expiry in logical time, the secrets'
// allowances, then the policy, then (unless the policy denied) the grant's budget. Pure: the same manifest, effect and logical time always give
// the same decisions, so replay reproduces them.
import { assert } from '../cbor/index.ts';
import type { Authority, CompiledGrant } from './authority.ts';
import { checkBudget, reservationFor } from './budgets.ts';
import type { BudgetAmounts, BudgetUsage } from './budgets.ts';
import { ALLOW, deny, EnforcerInputError, runEnforcerModule } from './enforcers/index.ts';
import type { CapVerdict, EnforcerEnv } from './enforcers/index.ts';
import type { TypedBytes } from './typed-bytes.ts';
import { decidePolicy, describeSubject } from './policy.ts';
import type { PolicyOutcome, PolicySubject } from './policy.ts';
import { secretName, secretRefsIn } from './secret-refs.ts';

/** An emitted effect that passed the structural checks. */
export interface EffectRequest {
  readonly kind: string;
  /** The cap type its defeffect requires. */
  readonly capType: string;
  readonly paramsSchema: string;
  readonly slot: string | undefined;
  readonly params: TypedBytes;
  /** The emitting module. */
  readonly module: string;
}

/** Which link of the chain gave the capability verdict (for an allow, the last one: every link passed). */
export type CapStage = 'grant' | 'enforcer' | 'expiry' | 'secrets' | 'budget';

/**
 * The decisions on one effect: the capability verdict, and the policy's when the grant allowed it.
 * `reserved` is what the effect reserves of its grant's budget when it opens (budgets.ts); set only
 * on an allowed effect under a grant with a budget.
 */
export interface EffectDecision {
  readonly grant: CompiledGrant | null;
  readonly cap: CapVerdict;
  readonly stage: CapStage;
  readonly policy: PolicyOutcome | null;
  readonly reserved?: BudgetAmounts;
}

/** What checking needs besides the effect: the manifest's authority and the enforcer modules' environment. */
export interface CheckEnv extends EnforcerEnv {
  readonly authority: Authority;
  /** What each grant with a budget has spent so far, and what its open intents reserved. */
  readonly budgets: BudgetUsage;
}

const DEFAULT_SLOT = 'default';

/** What to change after an enforcer denial that is not about the effect's params (those ask for other params or a wider grant). */
const ENFORCER_HINTS: ReadonlyMap<string, string> = new Map([
  ['enforcer_error', '; fix the enforcer module: it must answer every check with a sys/CapCheckOutput@1'],
  ['enforcer_unavailable', ''],
  ['cap_params_invalid', '; give the grant params its enforcer can read'],
]);

/** Runs the chain on one effect; it stops at the first link that denies. */
export function decideEffect(request: EffectRequest, env: CheckEnv): EffectDecision {
  const resolved = resolveGrant(env.authority, request);
  if (!('name' in resolved)) return { grant: null, cap: resolved, stage: 'grant', policy: null };
  const grant = resolved;
  const enforced = runEnforcer(grant, request, env);
  if (!enforced.allowed) return { grant, cap: enforced, stage: 'enforcer', policy: null };
  if (grant.expiryNs !== null && env.logicalNowNs >= grant.expiryNs) {
    const expired = deny('expired', `grant "${grant.name}" expired at logical time ${grant.expiryNs} (now ${env.logicalNowNs}); give it a later expiry_ns, or none`);
    return { grant, cap: expired, stage: 'expiry', policy: null };
  }
  const secrets = checkSecrets(grant, request, env);
  if (!secrets.allowed) return { grant, cap: secrets, stage: 'secrets', policy: null };
  const policy = decidePolicy(env.authority.policy, subjectOf(request, grant));
  if (policy.decision === 'deny') return { grant, cap: ALLOW, stage: 'secrets', policy };
  // A spent budget denies as a capability decision (budget_exhausted); the policy's verdict, which
  // no longer matters, is not journaled then.
  const reserved = reservationFor(grant, request.kind, request.params, env.budgets);
  const budget = checkBudget(grant, env.budgets, env.logicalNowNs, reserved);
  if (!budget.allowed) return { grant, cap: budget, stage: 'budget', policy: null };
  return { grant, cap: ALLOW, stage: 'budget', policy, ...(reserved === null ? {} : { reserved }) };
}

/** True when the effect may not run: its grant or the policy denied it. */
export function isDenied(decision: EffectDecision): boolean {
  return !decision.cap.allowed || decision.policy?.decision === 'deny';
}

/**
 * The grant an effect runs under: its module's binding of the effect's slot, else (on the default
 * slot only) the one grant of the effect's cap type; else a denial saying what to add.
 */
function resolveGrant(authority: Authority, request: EffectRequest): CompiledGrant | CapVerdict {
  const slot = request.slot ?? DEFAULT_SLOT;
  const bound = authority.bindings.get(request.module)?.get(slot);
  if (bound !== undefined) {
    const grant = authority.grants.get(bound);
    assert(grant !== undefined, 'compileAuthority checked that every binding names a grant');
    if (grant.capType !== request.capType) {
      return deny('cap_type_mismatch', `slot "${slot}" of ${request.module} is bound to grant "${bound}" of cap type "${grant.capType}", but "${request.kind}" needs cap type "${request.capType}"; bind the slot to a grant of that type, or emit the effect on another slot`);
    }
    return grant;
  }
  if (slot !== DEFAULT_SLOT) {
    return deny('capability_binding_missing', `slot "${slot}" of ${request.module} is bound to no grant; add module_bindings["${request.module}"].slots["${slot}"] naming a grant of cap type "${request.capType}"`);
  }
  const candidates = authority.grantsByCapType.get(request.capType) ?? [];
  const only = candidates.length === 1 ? candidates[0] : undefined;
  if (only !== undefined) return only;
  if (candidates.length === 0) {
    return deny('capability_binding_missing', `the manifest has no grant of cap type "${request.capType}"; add one to defaults.cap_grants`);
  }
  return deny('capability_binding_missing', `${candidates.length} grants have cap type "${request.capType}" (${candidates.map((grant) => `"${grant.name}"`).join(', ')}) and slot "${slot}" of ${request.module} is bound to none; add module_bindings["${request.module}"].slots["${slot}"] naming one`);
}

function runEnforcer(grant: CompiledGrant, request: EffectRequest, env: CheckEnv): CapVerdict {
  const enforcer = grant.enforcer;
  switch (enforcer.kind) {
    case 'builtin':
      try {
        return enforcer.check({ grant: grant.name, capParams: grant.params, effectKind: request.kind, effectParams: request.params });
      } catch (error) {
        if (!(error instanceof EnforcerInputError)) throw error;
        return deny(error.code, `${enforcer.name} cannot read the params: ${error.message}`);
      }
    case 'module':
      return runEnforcerModule(enforcer.module, {
        cap_def: grant.cap, grant_name: grant.name, cap_params: grant.paramsBytes, effect_kind: request.kind,
        effect_params: request.params.bytes, origin: { kind: 'workflow', name: request.module },
      }, env);
    case 'unavailable':
      return deny('enforcer_unavailable', `enforcer ${enforcer.name} is not implemented by this kernel, so grant "${grant.name}" authorises nothing; use a cap with another enforcer`);
  }
}

/** Every secret the params refer to must be declared and list the grant in its allowed_caps. */
function checkSecrets(grant: CompiledGrant, request: EffectRequest, env: CheckEnv): CapVerdict {
  if (!env.authority.secretBearingKinds.has(request.kind)) return ALLOW;
  for (const ref of secretRefsIn(request.params.value, { ref: request.paramsSchema }, env.schemas)) {
    const name = secretName(ref);
    const secret = env.authority.secrets.get(name);
    if (secret === undefined) {
      return deny('secret_not_declared', `the params refer to secret ${name}, which the manifest does not declare; add a defsecret named ${name} and list it in "secrets"`);
    }
    const allowed = secret.allowed_caps ?? [];
    if (!allowed.includes(grant.name)) {
      return deny('secret_not_allowed', `secret ${name} may be used by grants ${allowed.map((name) => `"${name}"`).join(', ') || '(none)'}, not by "${grant.name}"; add "${grant.name}" to its allowed_caps`);
    }
  }
  return ALLOW;
}

function subjectOf(request: EffectRequest, grant: CompiledGrant): PolicySubject {
  return { effectKind: request.kind, capName: grant.name, capType: grant.capType, originKind: 'workflow', originName: request.module };
}

/** The code and message of the workflow_fault a denied effect fails its instance with. */
export function denialOf(decision: EffectDecision, request: EffectRequest, position: number): { code: string; message: string } {
  const effect = `${request.module} emitted effects[${position}] "${request.kind}"`;
  const cap = decision.cap;
  if (!cap.allowed) {
    const under = decision.grant === null ? '' : ` under grant "${decision.grant.name}" (${decision.grant.cap})`;
    const hint = decision.stage === 'enforcer' ? ENFORCER_HINTS.get(cap.code) ?? '; change the effect, or widen the grant\'s params in defaults.cap_grants' : '';
    return { code: cap.code, message: `${effect}${under}, which was denied (${cap.code}): ${cap.message}${hint}` };
  }
  const policy = decision.policy;
  const grant = decision.grant;
  assert(policy !== null && grant !== null && policy.decision === 'deny' && policy.policy !== null, 'only a denied decision has a denial; without a policy nothing is denied');
  const subject = describeSubject(subjectOf(request, grant));
  if (policy.ruleIndex === null) {
    return { code: 'policy_no_match', message: `${effect} under grant "${grant.name}", which policy ${policy.policy} denies: none of its rules matches (${subject}); add a rule that allows it` };
  }
  return { code: 'policy_denied', message: `${effect} under grant "${grant.name}", which policy ${policy.policy} denies by rule ${policy.ruleIndex} (${subject}); change that rule, or allow the effect in a rule before it` };
}
