import { AirError } from './errors.ts';
import type { AirWhere } from './errors.ts';
import type { ApprovalPolicy } from './defs.ts';

/** Principals are unique, and every quorum can actually be reached by the principals allowed to meet it. */
export function checkApprovalPolicy(policy: ApprovalPolicy, where: AirWhere, errors: AirError[]): void {
  const names = new Set<string>();
  const keys = new Set<string>();
  policy.principals.forEach((principal, position) => {
    const at = { ...where, path: `${where.path ?? ''}.principals[${position}]` };
    if (names.has(principal.name)) errors.push(new AirError('DUPLICATE_NAME', at, `principal "${principal.name}" is listed twice`));
    if (keys.has(principal.public_key)) errors.push(new AirError('DUPLICATE_NAME', at, `principal "${principal.name}" reuses a public key already listed; each principal needs its own key`));
    names.add(principal.name);
    keys.add(principal.public_key);
  });
  if (policy.quorum > policy.principals.length) {
    errors.push(new AirError('OUT_OF_RANGE', { ...where, path: `${where.path ?? ''}.quorum` },
      `quorum ${policy.quorum} can never be met: only ${policy.principals.length} principal(s) are listed`));
  }
  (policy.rules ?? []).forEach((rule, position) => {
    const at = { ...where, path: `${where.path ?? ''}.rules[${position}]` };
    for (const name of rule.principals ?? []) {
      if (!names.has(name)) errors.push(new AirError('DANGLING_REF', at, `names principal "${name}", who is not in "principals"`));
    }
    const eligible = rule.principals?.length ?? policy.principals.length;
    if (rule.quorum > eligible) {
      errors.push(new AirError('OUT_OF_RANGE', { ...at, path: `${at.path}.quorum` }, `quorum ${rule.quorum} can never be met: only ${eligible} principal(s) may approve under this rule`));
    }
  });
}
