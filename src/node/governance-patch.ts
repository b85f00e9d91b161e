// `aos gov propose --from <folder>`: the patch document that turns the world's current manifest
// into the one a world folder describes. Defs are compared by kind and name (add, replace with
// pre_hash, remove); sys/* defs only by whether the manifest lists them; manifest sections by
// their canonical values (routing, bindings, defaults, approval policy, with pre_hash where the
// op has one). The kernel compiles the document like any other, so nothing here is trusted.
import { hashValue } from '../cbor/index.ts';
import type { CborValue, Hash } from '../cbor/index.ts';
import { isSysName, MANIFEST_SECTION, sectionHash } from '../air/index.ts';
import type { AirWorld, DefKind, Manifest, PatchDocument, PatchOp } from '../air/index.ts';
import type { ManifestView } from '../kernel/index.ts';
import { NodeError } from './errors.ts';

/** The patch from the world's manifest to the folder's; NodeError when the folder has no manifest or nothing differs. */
export function patchFromFolder(view: ManifestView, folder: AirWorld, where: string): PatchDocument {
  const target = folder.manifest?.node;
  if (target === undefined) throw new NodeError('AIR_INVALID', `${where} has no manifest`, 'add air/manifest.air.json to the folder');
  const patches: PatchOp[] = [...defOps(view, folder, target), ...sectionOps(view.manifest, target)];
  if (patches.length === 0) {
    throw new NodeError('BAD_INPUT', `${where} describes the manifest the world already runs (${view.hash}); there is nothing to propose`, 'change its AIR or modules (then `aos build`), and propose again');
  }
  return { version: '1', base_manifest_hash: view.hash, patches };
}

function defOps(view: ManifestView, folder: AirWorld, target: Manifest): PatchOp[] {
  const ops: PatchOp[] = [];
  const refs: { add: Array<{ kind: DefKind; name: string; hash: Hash }>; remove: Array<{ kind: DefKind; name: string }> } = { add: [], remove: [] };
  for (const [kind, section] of Object.entries(MANIFEST_SECTION) as Array<[DefKind, typeof MANIFEST_SECTION[DefKind]]>) {
    const before = new Map((view.manifest[section] ?? []).map((ref) => [ref.name, ref.hash]));
    const after = new Map((target[section] ?? []).map((ref) => [ref.name, ref.hash]));
    for (const [name, hash] of after) {
      const old = before.get(name);
      if (old === hash) continue;
      if (isSysName(name)) {
        refs.add.push({ kind, name, hash });
        continue;
      }
      const entry = folder.index.get(kind, name);
      if (entry === undefined) throw new NodeError('AIR_INVALID', `the folder's manifest lists ${kind} ${name}, which the folder does not define`, 'run `aos air check` on the folder');
      const node = entry.def as unknown as Record<string, unknown>;
      ops.push(old === undefined ? { add_def: { kind, node } } : { replace_def: { kind, name, new_node: node, pre_hash: old } });
    }
    for (const [name, hash] of before) {
      if (after.has(name)) continue;
      if (isSysName(name)) refs.remove.push({ kind, name });
      else ops.push({ remove_def: { kind, name, pre_hash: hash } });
    }
  }
  if (refs.add.length > 0 || refs.remove.length > 0) ops.push({ set_manifest_refs: { ...(refs.add.length > 0 ? { add: refs.add } : {}), ...(refs.remove.length > 0 ? { remove: refs.remove } : {}) } });
  return ops;
}

function sectionOps(base: Manifest, target: Manifest): PatchOp[] {
  const ops: PatchOp[] = [];
  const differs = (a: unknown, b: unknown) => hashValue((a ?? null) as CborValue) !== hashValue((b ?? null) as CborValue);
  if (differs(base.defaults ?? {}, target.defaults ?? {})) {
    ops.push({ set_defaults: { policy: target.defaults?.policy ?? null, cap_grants: target.defaults?.cap_grants ?? [] } });
  }
  if (sectionHash(base, 'routing_events') !== sectionHash(target, 'routing_events')) {
    ops.push({ set_routing_events: { pre_hash: sectionHash(base, 'routing_events'), subscriptions: target.routing?.subscriptions ?? [] } });
  }
  if (sectionHash(base, 'routing_inboxes') !== sectionHash(target, 'routing_inboxes')) {
    ops.push({ set_routing_inboxes: { pre_hash: sectionHash(base, 'routing_inboxes'), inboxes: target.routing?.inboxes ?? [] } });
  }
  if (sectionHash(base, 'module_bindings') !== sectionHash(target, 'module_bindings')) {
    ops.push({ set_module_bindings: { pre_hash: sectionHash(base, 'module_bindings'), bindings: target.module_bindings ?? {} } });
  }
  if (sectionHash(base, 'approval_policy') !== sectionHash(target, 'approval_policy')) {
    ops.push({ set_approval_policy: { pre_hash: sectionHash(base, 'approval_policy'), approval_policy: target.approval_policy ?? null } });
  }
  return ops;
}
