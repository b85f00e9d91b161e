// What the stepper needs from a manifest, computed once per manifest: routes, modules, effects,
// and the authority that decides which emitted effects may run.
import type { Hash } from '../cbor/index.ts';
import type { DefEffect, DefIndex, DefModule, Manifest, TypeAst } from '../air/index.ts';
import { compileAuthority } from './authority.ts';
import type { Authority } from './authority.ts';
import { KernelError } from './errors.ts';

/** The schema of receipts delivered back to workflows. */
export const RECEIPT_ENVELOPE_SCHEMA = 'sys/EffectReceiptEnvelope@1';
/** The schema of a rejection: a receipt refused, or a denied effect settled for a module that takes it. */
export const RECEIPT_REJECTED_SCHEMA = 'sys/EffectReceiptRejected@1';

/** One subscription, resolved: which module gets which schema, how it is keyed and wrapped. */
export interface Route {
  readonly event: string;
  readonly module: string;
  /** Dot path of the key in the event value, for keyed modules. */
  readonly keyPath?: readonly string[];
  /** When the module's event is a variant with this schema as an alternative: the tag to wrap in. */
  readonly wrapTag?: string;
}

/** A manifest compiled for stepping. */
export interface ManifestView {
  readonly hash: Hash;
  readonly manifest: Manifest;
  readonly index: DefIndex;
  readonly routes: readonly Route[];
  readonly modules: ReadonlyMap<string, DefModule>;
  readonly effects: ReadonlyMap<string, DefEffect>;
  /** Grants, bindings, policy and secrets, compiled for checking effects. */
  readonly authority: Authority;
}

export function compileManifest(manifest: Manifest, hash: Hash, index: DefIndex): ManifestView {
  const modules = new Map<string, DefModule>();
  for (const ref of manifest.modules) {
    const entry = index.get('defmodule', ref.name);
    if (entry === undefined) throw new KernelError('MODULE_MISSING', `manifest ${hash} lists module ${ref.name}, which is not in the world's defs`);
    modules.set(ref.name, entry.def);
  }
  const effects = new Map<string, DefEffect>();
  for (const ref of manifest.effects) {
    const entry = index.get('defeffect', ref.name);
    if (entry !== undefined) effects.set(entry.def.kind, entry.def);
  }
  const routes = (manifest.routing?.subscriptions ?? []).map((subscription): Route => {
    const module = modules.get(subscription.module);
    const moduleEvent = module?.abi.workflow?.event ?? subscription.event;
    const wrapTag = moduleEvent === subscription.event ? undefined : variantTagFor(index.resolve(moduleEvent), subscription.event);
    return {
      event: subscription.event, module: subscription.module,
      ...(subscription.key_field !== undefined ? { keyPath: subscription.key_field.split('.') } : {}),
      ...(wrapTag !== undefined ? { wrapTag } : {}),
    };
  });
  return { hash, manifest, index, routes, modules, effects, authority: compileAuthority(manifest, hash, index, effects) };
}

/** The tag of the alternative of a variant type that is exactly a ref to `schema`. */
export function variantTagFor(type: TypeAst | undefined, schema: string): string | undefined {
  if (type === undefined || !('variant' in type)) return undefined;
  for (const [tag, alternative] of Object.entries(type.variant)) {
    if ('ref' in alternative && alternative.ref === schema) return tag;
  }
  return undefined;
}
