// A world's control plane lives in its CAS: the manifest and every def node by hash. Opening a
// world reads them back and loads them through the same validator, so what runs is exactly
// what was created (and later, governed), never whatever the folder holds now.
import { decodeCanonical, decodeVerified, stringifyJsonExact } from '../cbor/index.ts';
import type { Hash } from '../cbor/index.ts';
import { builtinCatalog, isSysName, loadWorld, MANIFEST_SECTION } from '../air/index.ts';
import type { AirWorld, Def, DefIndex, DefKind, Manifest } from '../air/index.ts';
import type { CasStore } from '../store/index.ts';
import { NodeError } from './errors.ts';

/** Puts the manifest and the world's defs (its own and those it imports) into CAS; returns the manifest hash. */
export function storeAir(cas: CasStore, world: AirWorld): Hash {
  if (world.manifest === null) throw new NodeError('AIR_INVALID', 'the world has no manifest', 'add air/manifest.air.json');
  // Imported defs (aos.sync.json air.imports) are read back by hash on open like the world's own.
  const nodes = [world.manifest.bytes, ...[...world.index.all()].filter((entry) => !entry.builtin).map((entry) => entry.bytes)];
  cas.putMany(nodes);
  return world.manifest.hash;
}

/** Loads the manifest with this hash and its defs from CAS, validates them, and checks the hash. */
export function loadAir(cas: CasStore, manifestHash: Hash): AirWorld {
  const manifest = decodeCanonical(cas.get(manifestHash)) as unknown as Manifest;
  const documents = [{ file: `cas:${manifestHash}`, text: stringifyJsonExact(manifest) }];
  for (const kind of Object.keys(MANIFEST_SECTION) as DefKind[]) {
    for (const ref of manifest[MANIFEST_SECTION[kind]] ?? []) {
      if (isSysName(ref.name)) continue;
      documents.push({ file: `cas:${ref.hash}`, text: stringifyJsonExact(decodeCanonical(cas.get(ref.hash))) });
    }
  }
  const result = loadWorld(documents, { base: builtinCatalog() });
  if (result.world === null || result.world.manifest === null) {
    throw new NodeError('AIR_INVALID', `the manifest ${manifestHash} stored in this world no longer validates: ${result.errors[0]?.message ?? ''}`, 'the world was written by an incompatible version; export it with that version');
  }
  if (result.world.manifest.hash !== manifestHash) {
    throw new NodeError('AIR_MISMATCH', `the manifest stored as ${manifestHash} hashes to ${result.world.manifest.hash} when loaded`, 'the CAS was altered; restore it from a backup or an export');
  }
  return result.world;
}

/**
 * The manifest and defs stored under `manifestHash`, read without validating them again: they
 * were validated when the world was created (or a patch applied), and CAS reads check every
 * node against its hash. This is the fast path for opening a world; `loadAir` re-validates
 * (replay --verify and audits use it).
 */
export function readAir(cas: CasStore, manifestHash: Hash): { manifest: Manifest; index: DefIndex } {
  const manifest = decodeVerified(cas.get(manifestHash)) as unknown as Manifest;
  const index = builtinCatalog().fork();
  for (const kind of Object.keys(MANIFEST_SECTION) as DefKind[]) {
    for (const ref of manifest[MANIFEST_SECTION[kind]] ?? []) {
      if (isSysName(ref.name)) continue;
      const bytes = cas.get(ref.hash);
      const def = decodeVerified(bytes) as unknown as Def;
      if (def.$kind !== kind || def.name !== ref.name) {
        throw new NodeError('AIR_MISMATCH', `manifest ${manifestHash} lists ${kind} ${ref.name} at ${ref.hash}, but that node is ${def.$kind} ${def.name}`, 'the CAS was altered; restore it from a backup or an export');
      }
      index.set({ def, hash: ref.hash, bytes, where: { file: `cas:${ref.hash}` }, builtin: false });
    }
  }
  return { manifest, index };
}
