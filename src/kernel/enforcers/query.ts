// Query caps (sys/query@1): introspect.* effects. A grant's `scope` narrows introspection to the
// workflows whose names start with it ("demo/" allows demo/Counter@1); the world-wide reads
// (introspect.manifest, introspect.journal_head) then need an unscoped grant. No scope, or an
// empty one, allows every introspection (the cap's own comment: "empty = all introspection").
import { ALLOW, deny, kindMismatch, quoted } from './enforcer.ts';
import type { BuiltinEnforcer, CapCheck, CapVerdict } from './enforcer.ts';
import { optionalText, requiredText } from './params.ts';

const NAME = 'of sys/query@1 (built in)';
const PER_WORKFLOW: ReadonlySet<string> = new Set(['introspect.workflow_state', 'introspect.list_cells']);
const WORLD_WIDE: ReadonlySet<string> = new Set(['introspect.manifest', 'introspect.journal_head']);

/** The built-in enforcer described above. */
export const enforceQuery: BuiltinEnforcer = (check: CapCheck): CapVerdict => {
  const scope = optionalText(check.capParams, 'scope', 'cap');
  if (scope === null || scope === '') return ALLOW;
  if (WORLD_WIDE.has(check.effectKind)) {
    return deny('scope_not_allowed', `"${check.effectKind}" reads the whole world, but the grant is scoped to ${quoted(scope)}; use an unscoped query grant`);
  }
  if (!PER_WORKFLOW.has(check.effectKind)) return kindMismatch(NAME, check.effectKind);
  const workflow = requiredText(check.effectParams.value, 'workflow', 'effect');
  if (!workflow.startsWith(scope)) {
    return deny('scope_not_allowed', `workflow ${quoted(workflow)} is outside the grant's scope ${quoted(scope)}`);
  }
  return ALLOW;
};
