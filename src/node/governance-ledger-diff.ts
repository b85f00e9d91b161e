// What a candidate manifest changes in the world's ledgers, for a shadow report and `aos gov
// show`: defs (caps, policies, modules, effects, schemas, secrets), cap grants (budgets included),
// the default policy, module bindings, routing and the approval policy.
import { hashValue } from '../cbor/index.ts';
import type { CborValue } from '../cbor/index.ts';
import { MANIFEST_SECTION } from '../air/index.ts';
import type { DefKind } from '../air/index.ts';
import type { ManifestView } from '../kernel/index.ts';

/** One change: which ledger, which entry, how. */
export interface LedgerChange {
  readonly ledger: 'capability' | 'policy' | 'module' | 'effect' | 'schema' | 'secret' | 'grant' | 'default_policy' | 'binding' | 'routing' | 'approval_policy';
  readonly name: string;
  readonly change: 'added' | 'removed' | 'changed';
  readonly detail?: string;
}

const LEDGER_OF: Readonly<Record<DefKind, LedgerChange['ledger']>> = {
  defcap: 'capability', defpolicy: 'policy', defmodule: 'module', defeffect: 'effect', defschema: 'schema', defsecret: 'secret',
};

/** The changes from `base` to `candidate`, ledger by ledger. */
export function ledgerChanges(base: ManifestView, candidate: ManifestView): LedgerChange[] {
  const changes: LedgerChange[] = [];
  for (const [kind, section] of Object.entries(MANIFEST_SECTION) as Array<[DefKind, typeof MANIFEST_SECTION[DefKind]]>) {
    compare(changes, LEDGER_OF[kind], refsOf(base.manifest[section]), refsOf(candidate.manifest[section]));
  }
  const grants = (view: ManifestView) => new Map((view.manifest.defaults?.cap_grants ?? []).map((grant) => [grant.name, grant as unknown]));
  compare(changes, 'grant', grants(base), grants(candidate), (before, after) => {
    const budget = (grant: unknown) => hashValue(((grant as { budget?: unknown }).budget ?? null) as CborValue);
    return budget(before) === budget(after) ? 'params or cap changed' : 'budget changed';
  });
  const policy = (view: ManifestView) => new Map(view.manifest.defaults?.policy === undefined ? [] : [['default', view.manifest.defaults.policy as unknown]]);
  compare(changes, 'default_policy', policy(base), policy(candidate), (before, after) => `${String(before)} → ${String(after)}`);
  const bindings = (view: ManifestView) => new Map(Object.entries(view.manifest.module_bindings ?? {}).map(([module, binding]) => [module, binding as unknown]));
  compare(changes, 'binding', bindings(base), bindings(candidate));
  const routes = (view: ManifestView) => new Map((view.manifest.routing?.subscriptions ?? []).map((route) => [`${route.event} → ${route.module}`, route as unknown]));
  compare(changes, 'routing', routes(base), routes(candidate));
  const approval = (view: ManifestView) => new Map(view.manifest.approval_policy === undefined ? [] : [['approval_policy', view.manifest.approval_policy as unknown]]);
  compare(changes, 'approval_policy', approval(base), approval(candidate));
  return changes;
}

function refsOf(refs: ReadonlyArray<{ name: string; hash: string }> | undefined): Map<string, unknown> {
  return new Map((refs ?? []).map((ref) => [ref.name, ref.hash]));
}

function compare(changes: LedgerChange[], ledger: LedgerChange['ledger'], before: Map<string, unknown>, after: Map<string, unknown>, detail?: (before: unknown, after: unknown) => string): void {
  for (const [name, value] of after) {
    const old = before.get(name);
    if (old === undefined) changes.push({ ledger, name, change: 'added' });
    else if (hashValue(old as CborValue) !== hashValue(value as CborValue)) changes.push({ ledger, name, change: 'changed', ...(detail !== undefined ? { detail: detail(old, value) } : {}) });
  }
  for (const name of before.keys()) if (!after.has(name)) changes.push({ ledger, name, change: 'removed' });
}
