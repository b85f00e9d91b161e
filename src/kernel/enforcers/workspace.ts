// sys/CapEnforceWorkspace@1: workspace.* effects within the grant's ops, workspaces and path
// prefixes (each empty or absent = any), as upstream's enforcer, extended to the kinds it left
// out (empty_root, write_ref, annotations_*). Ops: resolve, list, read, write, diff. Workspaces
// are checked where the params name one (resolve, empty_root); effects on a root hash are checked
// by path. Under path prefixes a path with "." or ".." segments is refused: it could climb out.
import { ALLOW, deny, kindMismatch, listed, quoted } from './enforcer.ts';
import type { BuiltinEnforcer, CapCheck, CapVerdict } from './enforcer.ts';
import { allowList, optionalText, requiredText, underPrefix } from './params.ts';

const NAME = 'sys/CapEnforceWorkspace@1';

/** Each kind's op, the field naming its workspace (if any), and its path field (optional ones read as the root ""). */
const KINDS: ReadonlyMap<string, { readonly op: string; readonly workspace?: 'workspace'; readonly path?: { readonly field: string; readonly required: boolean } }> = new Map([
  ['workspace.resolve', { op: 'resolve', workspace: 'workspace' }],
  ['workspace.empty_root', { op: 'write', workspace: 'workspace' }],
  ['workspace.list', { op: 'list', path: { field: 'path', required: false } }],
  ['workspace.read_ref', { op: 'read', path: { field: 'path', required: true } }],
  ['workspace.read_bytes', { op: 'read', path: { field: 'path', required: true } }],
  ['workspace.annotations_get', { op: 'read', path: { field: 'path', required: false } }],
  ['workspace.write_bytes', { op: 'write', path: { field: 'path', required: true } }],
  ['workspace.write_ref', { op: 'write', path: { field: 'path', required: true } }],
  ['workspace.remove', { op: 'write', path: { field: 'path', required: true } }],
  ['workspace.annotations_set', { op: 'write', path: { field: 'path', required: false } }],
  ['workspace.diff', { op: 'diff', path: { field: 'prefix', required: false } }],
] as const);

/** The built-in enforcer described above. */
export const enforceWorkspace: BuiltinEnforcer = (check: CapCheck): CapVerdict => {
  const kind = KINDS.get(check.effectKind);
  if (kind === undefined) return kindMismatch(NAME, check.effectKind);
  const cap = check.capParams;
  const effect = check.effectParams.value;
  const ops = allowList(cap, 'ops', 'cap');
  if (ops !== null && !ops.some((op) => op.toLowerCase() === kind.op)) {
    return deny('op_not_allowed', `op "${kind.op}" (of "${check.effectKind}") is not among the grant's ops (${listed(ops)})`);
  }
  const workspaces = allowList(cap, 'workspaces', 'cap');
  if (kind.workspace !== undefined && workspaces !== null) {
    const workspace = requiredText(effect, kind.workspace, 'effect');
    if (!workspaces.includes(workspace)) return deny('workspace_not_allowed', `workspace ${quoted(workspace)} is not among the grant's workspaces (${listed(workspaces)})`);
  }
  const prefixes = allowList(cap, 'path_prefixes', 'cap');
  if (kind.path !== undefined && prefixes !== null) {
    const path = kind.path.required ? requiredText(effect, kind.path.field, 'effect') : optionalText(effect, kind.path.field, 'effect') ?? '';
    if (path.split('/').some((segment) => segment === '.' || segment === '..')) {
      return deny('path_not_allowed', `path ${quoted(path)} has "." or ".." segments, which the grant's path prefixes cannot bound`);
    }
    if (!underPrefix(path, prefixes)) return deny('path_not_allowed', `path ${quoted(path)} is not under the grant's path prefixes (${listed(prefixes)})`);
  }
  return ALLOW;
};
