// The mutable working copy a patch is applied to, op by op, before the candidate is validated.
import type { Hash } from '../../cbor/index.ts';
import { MANIFEST_SECTION } from '../defs.ts';
import type { ApprovalPolicy, CapGrant, DefKind, Manifest, NamedRef, Subscription } from '../defs.ts';

export class PatchState {
  readonly refs = new Map<DefKind, Map<string, Hash>>();
  defaults: { policy?: string; cap_grants?: readonly CapGrant[] } | undefined;
  subscriptions: readonly Subscription[];
  inboxes: ReadonlyArray<{ source: string; workflow: string }>;
  moduleBindings: Readonly<Record<string, { slots: Readonly<Record<string, string>> }>>;
  approvalPolicy: ApprovalPolicy | undefined;
  private readonly base: Manifest;

  constructor(base: Manifest) {
    this.base = base;
    for (const [kind, section] of Object.entries(MANIFEST_SECTION) as Array<[DefKind, keyof Manifest]>) {
      const refs = (base[section] as readonly NamedRef[] | undefined) ?? [];
      this.refs.set(kind, new Map(refs.map((ref) => [ref.name, ref.hash])));
    }
    this.defaults = base.defaults;
    this.subscriptions = base.routing?.subscriptions ?? [];
    this.inboxes = base.routing?.inboxes ?? [];
    this.moduleBindings = base.module_bindings ?? {};
    this.approvalPolicy = base.approval_policy;
  }

  refsOf(kind: DefKind): Map<string, Hash> {
    const refs = this.refs.get(kind);
    if (refs === undefined) throw new Error(`internal: no ref section for ${kind}`);
    return refs;
  }

  /** The manifest as it stands after the ops applied so far (authoring shape; not yet validated). */
  toManifest(): Manifest {
    const section = (kind: DefKind): NamedRef[] => [...this.refsOf(kind)].map(([name, hash]) => ({ name, hash }));
    const out: Record<string, unknown> = {
      $kind: 'manifest', air_version: this.base.air_version,
      schemas: section('defschema'), modules: section('defmodule'), effects: section('defeffect'),
      caps: section('defcap'), policies: section('defpolicy'), secrets: section('defsecret'),
    };
    if (this.base.effect_bindings !== undefined) out.effect_bindings = this.base.effect_bindings;
    if (this.defaults !== undefined) out.defaults = this.defaults;
    out.module_bindings = this.moduleBindings;
    out.routing = { subscriptions: this.subscriptions, inboxes: this.inboxes };
    if (this.approvalPolicy !== undefined) out.approval_policy = this.approvalPolicy;
    return out as unknown as Manifest;
  }
}
