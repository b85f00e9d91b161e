// The one canonical form of each node: what is hashed, stored in CAS and compared.
// Authoring choices that carry no meaning (ref order, empty optional sections, lens of grant
// params, comments) are normalised away, so equal meaning gives equal bytes and equal hashes.
import { encodeCanonical, hashBytes, ZERO_HASH } from '../cbor/index.ts';
import type { CborValue, Hash } from '../cbor/index.ts';
import type { Def, DefModule, Manifest, NamedRef, Node } from './defs.ts';

/** A node in canonical form with its canonical bytes and hash. */
export interface CanonicalNode<T extends Node = Node> {
  readonly node: T;
  readonly bytes: Uint8Array;
  readonly hash: Hash;
}

/** Canonical bytes and hash of an already-canonical node. */
export function sealNode<T extends Node>(node: T): CanonicalNode<T> {
  const bytes = encodeCanonical(node as unknown as CborValue);
  return { node, bytes, hash: hashBytes(bytes) };
}

/** Normalises a validated def: sorted sets, no empty optional lists, the zero hash for unbuilt modules. */
export function canonicalDef(def: Def): Def {
  if (def.$kind !== 'defmodule') return def;
  return canonicalModule(def);
}

function canonicalModule(module: DefModule): DefModule {
  const workflow = module.abi.workflow;
  const abi = workflow === undefined ? module.abi : {
    ...module.abi,
    workflow: {
      ...omitEmpty(workflow, ['effects_emitted', 'cap_slots']),
      ...(workflow.effects_emitted !== undefined && workflow.effects_emitted.length > 0
        ? { effects_emitted: [...new Set(workflow.effects_emitted)].sort() } : {}),
      ...(workflow.cap_slots !== undefined && Object.keys(workflow.cap_slots).length > 0 ? { cap_slots: workflow.cap_slots } : {}),
    },
  };
  return { ...module, wasm_hash: module.wasm_hash ?? ZERO_HASH, abi };
}

function omitEmpty<T extends object>(value: T, keys: ReadonlyArray<keyof T>): T {
  const out = { ...value };
  for (const key of keys) delete out[key];
  return out;
}

const REF_SECTIONS = ['schemas', 'modules', 'effects', 'caps', 'policies', 'secrets'] as const;

/** Normalises a manifest whose refs already carry hashes and whose grant params are canonical values. */
export function canonicalManifest(manifest: Manifest): Manifest {
  const out: Record<string, unknown> = { $kind: 'manifest', air_version: manifest.air_version };
  for (const section of REF_SECTIONS) {
    const refs = manifest[section];
    if (refs === undefined) continue;
    if (section === 'secrets' && refs.length === 0) continue;
    out[section] = sortRefs(refs);
  }
  if (manifest.effect_bindings !== undefined && manifest.effect_bindings.length > 0) out.effect_bindings = manifest.effect_bindings;
  const defaults = manifest.defaults;
  if (defaults !== undefined && (defaults.policy !== undefined || (defaults.cap_grants?.length ?? 0) > 0)) {
    out.defaults = {
      ...(defaults.policy !== undefined ? { policy: defaults.policy } : {}),
      ...((defaults.cap_grants?.length ?? 0) > 0 ? { cap_grants: defaults.cap_grants } : {}),
    };
  }
  if (manifest.module_bindings !== undefined && Object.keys(manifest.module_bindings).length > 0) out.module_bindings = manifest.module_bindings;
  const routing = manifest.routing;
  if (routing !== undefined) {
    const kept: Record<string, unknown> = {};
    // Subscription order is meaning (routing runs in manifest order); inbox order is kept too.
    if ((routing.subscriptions?.length ?? 0) > 0) kept.subscriptions = routing.subscriptions;
    if ((routing.inboxes?.length ?? 0) > 0) kept.inboxes = routing.inboxes;
    if (Object.keys(kept).length > 0) out.routing = kept;
  }
  if (manifest.approval_policy !== undefined) out.approval_policy = manifest.approval_policy;
  return out as unknown as Manifest;
}

function sortRefs(refs: readonly NamedRef[]): NamedRef[] {
  return [...refs].map((ref) => ({ name: ref.name, hash: ref.hash })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
