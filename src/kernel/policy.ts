// The policy gate (DESIGN §6): the manifest's default policy decides each effect its grant let
// through. No default policy allows everything, as upstream; otherwise the first rule whose
// matchers all fit decides, and an effect no rule matches is denied.
import type { DefPolicy, PolicyDecision, PolicyMatch } from '../air/index.ts';

/** What a policy rule can match on. */
export interface PolicySubject {
  readonly effectKind: string;
  /** The grant's name (upstream's `cap_name`). */
  readonly capName: string;
  readonly capType: string;
  readonly originKind: 'workflow';
  /** The emitting module. */
  readonly originName: string;
}

/** Which policy decided, by which rule (null: no policy, or no rule matched), and how. */
export interface PolicyOutcome {
  readonly policy: string | null;
  readonly ruleIndex: number | null;
  readonly decision: PolicyDecision;
}

const NO_POLICY: PolicyOutcome = Object.freeze({ policy: null, ruleIndex: null, decision: 'allow' });

/** The default policy's decision on an effect (null policy: allow). */
export function decidePolicy(policy: DefPolicy | null, subject: PolicySubject): PolicyOutcome {
  if (policy === null) return NO_POLICY;
  const index = policy.rules.findIndex((rule) => matches(rule.when, subject));
  const rule = policy.rules[index];
  return rule === undefined ? { policy: policy.name, ruleIndex: null, decision: 'deny' } : { policy: policy.name, ruleIndex: index, decision: rule.decision };
}

function matches(when: PolicyMatch, subject: PolicySubject): boolean {
  return (when.effect_kind === undefined || when.effect_kind === subject.effectKind) &&
    (when.cap_name === undefined || when.cap_name === subject.capName) &&
    (when.cap_type === undefined || when.cap_type === subject.capType) &&
    (when.origin_kind === undefined || when.origin_kind === subject.originKind) &&
    (when.origin_name === undefined || when.origin_name === subject.originName);
}

/** How a subject reads in a message: what a rule would have to match. */
export function describeSubject(subject: PolicySubject): string {
  return `effect_kind "${subject.effectKind}", cap_name "${subject.capName}", cap_type "${subject.capType}", origin_kind "${subject.originKind}", origin_name "${subject.originName}"`;
}
