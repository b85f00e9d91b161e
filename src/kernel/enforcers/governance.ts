// sys/CapEnforceGovernance@1: a governance.propose must stay within the grant's patch ops, def
// kinds, def name prefixes and manifest sections (each empty or absent = any), read from the
// proposal's patch summary, as upstream. The other governance effects (shadow, approve, apply)
// act on an existing proposal and are gated by the policy and the approval policy instead.
// The summary is the one in the params: whoever executes the proposal must check that it
// describes the patch (upstream's kernel computes it from the patch at enqueue).
import { isCborObject } from '../../cbor/index.ts';
import type { CborValue } from '../../cbor/index.ts';
import { ALLOW, deny, listed, quoted } from './enforcer.ts';
import type { BuiltinEnforcer, CapCheck, CapVerdict } from './enforcer.ts';
import { allowList, EnforcerInputError, optionalRecord } from './params.ts';

/** The built-in enforcer described above. */
export const enforceGovernance: BuiltinEnforcer = (check: CapCheck): CapVerdict => {
  if (check.effectKind !== 'governance.propose') return ALLOW;
  const cap = check.capParams;
  const ops = allowList(cap, 'ops', 'cap');
  const kinds = allowList(cap, 'def_kinds', 'cap');
  const prefixes = allowList(cap, 'name_prefixes', 'cap');
  const sections = allowList(cap, 'manifest_sections', 'cap');
  if (ops === null && kinds === null && prefixes === null && sections === null) return ALLOW;
  const summary = optionalRecord(check.effectParams.value, 'summary', 'effect');
  if (summary === null) {
    return deny('summary_required', 'the proposal carries no patch summary, and the grant limits what a patch may change; include the summary of the patch');
  }
  for (const op of allowList(summary, 'ops', 'effect') ?? []) {
    if (ops !== null && !ops.includes(op)) return deny('op_not_allowed', `patch op ${quoted(op)} is not among the grant's ops (${listed(ops)})`);
  }
  for (const change of defChanges(summary.def_changes ?? null)) {
    if (kinds !== null && !kinds.includes(change.kind)) {
      return deny('def_kind_not_allowed', `the patch changes a ${quoted(change.kind)}, which is not among the grant's def_kinds (${listed(kinds)})`);
    }
    if (prefixes !== null && !prefixes.some((prefix) => change.name.startsWith(prefix))) {
      return deny('name_prefix_not_allowed', `the patch changes ${quoted(change.name)}, whose name starts with none of the grant's name_prefixes (${listed(prefixes)})`);
    }
  }
  for (const section of allowList(summary, 'manifest_sections', 'effect') ?? []) {
    if (sections !== null && !sections.includes(section)) {
      return deny('manifest_section_not_allowed', `the patch changes manifest section ${quoted(section)}, which is not among the grant's manifest_sections (${listed(sections)})`);
    }
  }
  return ALLOW;
};

function defChanges(value: CborValue): ReadonlyArray<{ readonly kind: string; readonly name: string }> {
  if (value === null) return [];
  if (!Array.isArray(value)) throw new EnforcerInputError('effect', 'the patch summary\'s "def_changes" is not a list');
  return value.map((change: CborValue) => {
    if (!isCborObject(change) || typeof change.kind !== 'string' || typeof change.name !== 'string') {
      throw new EnforcerInputError('effect', 'an entry of the patch summary\'s "def_changes" has no text kind and name');
    }
    return { kind: change.kind, name: change.name };
  });
}
