// Wire shapes of AIR patch documents (spec/schemas/patch.schema.json), plus our set_approval_policy.
import type { Hash } from '../../cbor/index.ts';
import type { ApprovalPolicy, CapGrant, DefKind, NamedRef, Subscription } from '../defs.ts';

export type PatchOp =
  | { readonly add_def: { readonly kind: DefKind; readonly node: Record<string, unknown> } }
  | { readonly replace_def: { readonly kind: DefKind; readonly name: string; readonly new_node: Record<string, unknown>; readonly pre_hash: Hash } }
  | { readonly remove_def: { readonly kind: DefKind; readonly name: string; readonly pre_hash: Hash } }
  | { readonly set_manifest_refs: { readonly add?: ReadonlyArray<{ kind: DefKind; name: string; hash: Hash }>; readonly remove?: ReadonlyArray<{ kind: DefKind; name: string }> } }
  | { readonly set_defaults: { readonly policy?: string | null; readonly cap_grants?: readonly CapGrant[] } }
  | { readonly set_routing_events: { readonly pre_hash: Hash; readonly subscriptions: readonly Subscription[] } }
  | { readonly set_routing_inboxes: { readonly pre_hash: Hash; readonly inboxes: ReadonlyArray<{ source: string; workflow: string }> } }
  | { readonly set_module_bindings: { readonly pre_hash: Hash; readonly bindings: Readonly<Record<string, { slots: Readonly<Record<string, string>> }>> } }
  | { readonly set_secrets: { readonly pre_hash: Hash; readonly secrets: ReadonlyArray<NamedRef | { alias: string }> } }
  | { readonly set_approval_policy: { readonly pre_hash: Hash; readonly approval_policy: ApprovalPolicy | null } };

export interface PatchDocument {
  readonly version?: '1';
  readonly base_manifest_hash: Hash;
  readonly patches: readonly PatchOp[];
}

/** The name of an op: its single key. */
export type PatchOpName = 'add_def' | 'replace_def' | 'remove_def' | 'set_manifest_refs' | 'set_defaults' | 'set_routing_events'
  | 'set_routing_inboxes' | 'set_module_bindings' | 'set_secrets' | 'set_approval_policy';

export function opName(op: PatchOp): PatchOpName {
  return Object.keys(op)[0] as PatchOpName;
}
