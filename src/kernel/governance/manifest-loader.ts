// A manifest the world swaps to, read from its content store: the candidate of an applied
// proposal (live, and again on replay), or the manifest a snapshot was taken under. Its nodes
// were validated when the proposal compiled and stored them, and every read is checked against
// its hash by the store, so they are not validated again here.
import { decodeVerified } from '../../cbor/index.ts';
import type { Hash } from '../../cbor/index.ts';
import { builtinCatalog, isSysName, MANIFEST_SECTION } from '../../air/index.ts';
import type { Def, DefKind, Manifest } from '../../air/index.ts';
import type { ContentStore } from '../content-store.ts';
import { KernelError } from '../errors.ts';
import { compileManifest } from '../manifest-view.ts';
import type { ManifestView } from '../manifest-view.ts';

/** The compiled view of the manifest stored under `hash`, with the defs it lists. */
export function loadManifestView(store: ContentStore, hash: Hash): ManifestView {
  const manifest = decodeVerified(store.get(hash)) as unknown as Manifest;
  if (manifest.$kind !== 'manifest') throw new KernelError('MANIFEST_INVALID', `the node stored as ${hash} is a ${String(manifest.$kind)}, not a manifest`);
  const index = builtinCatalog().fork();
  for (const kind of Object.keys(MANIFEST_SECTION) as DefKind[]) {
    for (const ref of manifest[MANIFEST_SECTION[kind]] ?? []) {
      if (isSysName(ref.name)) continue;
      const bytes = store.get(ref.hash);
      const def = decodeVerified(bytes) as unknown as Def;
      if (def.$kind !== kind || def.name !== ref.name) {
        throw new KernelError('MANIFEST_INVALID', `manifest ${hash} lists ${kind} ${ref.name} at ${ref.hash}, but that node is ${def.$kind} ${def.name}`);
      }
      index.set({ def, hash: ref.hash, bytes, where: { file: `cas:${ref.hash}` }, builtin: false });
    }
  }
  return compileManifest(manifest, hash, index);
}
