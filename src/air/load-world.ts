// AIR documents in, a validated world out: structure, semantics, canonical nodes and hashes.
import { AirError } from './errors.ts';
import type { AirWhere } from './errors.ts';
import { authoredNodes, parseAirJson } from './authoring.ts';
import type { AuthoredNode } from './authoring.ts';
import { checkStructure } from './structural.ts';
import { canonicalDef, canonicalManifest, sealNode } from './canonical-node.ts';
import type { CanonicalNode } from './canonical-node.ts';
import { DefIndex } from './def-index.ts';
import type { DefEntry } from './def-index.ts';
import { checkDef } from './check-defs.ts';
import { resolveManifest } from './check-manifest.ts';
import { isSysName } from './defs.ts';
import type { Def, Manifest } from './defs.ts';

/** One AIR file's text and the name to report it by. */
export interface AirDocument {
  readonly file: string;
  readonly text: string;
}

/** A validated world: its manifest (if it has one), every def it can see, and notes for the author. */
export interface AirWorld {
  readonly manifest: CanonicalNode<Manifest> | null;
  readonly index: DefIndex;
  /** The defs this world's own files define (not imports, not the catalog). */
  readonly own: readonly DefEntry[];
  readonly warnings: readonly string[];
}

/** The outcome of loading: a world when there were no errors, and every error found. */
export interface AirLoadResult {
  readonly world: AirWorld | null;
  readonly errors: readonly AirError[];
}

/** Options: defs visible to the world without being its own (the catalog, imported worlds). */
export interface LoadOptions {
  readonly base: DefIndex;
}

function collecting(errors: AirError[], check: () => void): void {
  try {
    check();
  } catch (error) {
    if (!(error instanceof AirError)) throw error;
    errors.push(error);
  }
}

/** Parses and structurally validates every node of the documents; malformed nodes become errors. */
export function readNodes(documents: readonly AirDocument[], errors: AirError[], broken: Set<string> = new Set()): AuthoredNode[] {
  const nodes: AuthoredNode[] = [];
  for (const document of documents) {
    collecting(errors, () => {
      const parsed = parseAirJson(document.text, document.file);
      for (const node of authoredNodes(parsed, document.file)) {
        collecting(errors, () => {
          try {
            checkStructure(node.kind, node.json, node.where);
          } catch (error) {
            if (typeof node.json.name === 'string') broken.add(node.json.name);
            throw error;
          }
          nodes.push(node);
        });
      }
    });
  }
  return nodes;
}

/** Loads a world from its documents against a base index (the built-in catalog, plus imports). */
export function loadWorld(documents: readonly AirDocument[], options: LoadOptions): AirLoadResult {
  const errors: AirError[] = [];
  const warnings: string[] = [];
  const broken = new Set<string>();
  const nodes = readNodes(documents, errors, broken);
  const index = options.base.fork();
  const own = indexOwnDefs(nodes, index, options.base, errors);
  for (const entry of own) checkDef(entry.def, entry.where, index, errors);
  const manifests = nodes.filter((node) => node.kind === 'manifest');
  if (manifests.length > 1) {
    const files = manifests.map((node) => node.where.file ?? '(input)').join(', ');
    errors.push(new AirError('DUPLICATE_NAME', manifests[1]?.where ?? {}, `a world has one manifest; found ${manifests.length} (in ${files})`));
  }
  let manifest: CanonicalNode<Manifest> | null = null;
  const authored = manifests[0];
  if (authored !== undefined) {
    const resolved = resolveManifest(authored.json as unknown as Manifest, authored.where, index, errors, warnings);
    manifest = sealNode(canonicalManifest(resolved));
    noteUnlisted(own, manifest.node, warnings);
  }
  if (errors.length > 0) return { world: null, errors: sortErrors(withoutEchoes(errors, broken)) };
  return { world: { manifest, index, own, warnings }, errors: [] };
}

function indexOwnDefs(nodes: readonly AuthoredNode[], index: DefIndex, base: DefIndex, errors: AirError[]): DefEntry[] {
  const own: DefEntry[] = [];
  const firstSeen = new Map<string, AirWhere>();
  for (const node of nodes) {
    if (node.kind === 'manifest') continue;
    const def = canonicalDef(node.json as unknown as Def);
    const sealed = sealNode(def);
    const key = DefIndex.key(def.$kind, def.name);
    const earlier = firstSeen.get(key);
    if (earlier !== undefined) {
      errors.push(new AirError('DUPLICATE_NAME', node.where, `${def.$kind} "${def.name}" is defined twice (first in ${earlier.file ?? 'the input'}${earlier.path ? ` at ${earlier.path}` : ''}); names are unique per kind`));
      continue;
    }
    firstSeen.set(key, node.where);
    const existing = base.get(def.$kind, def.name);
    if (existing !== undefined && existing.builtin && isSysName(def.name)) {
      if (existing.hash !== sealed.hash) {
        errors.push(new AirError('RESERVED_NAME', node.where, `redefines built-in "${def.name}"; the sys/* namespace belongs to the built-in catalog; pick your own namespace (e.g. "app/${def.name.slice(4)}")`));
      } else {
        own.push(existing);
      }
      continue;
    }
    if (existing !== undefined && !existing.builtin) {
      if (existing.hash !== sealed.hash) {
        errors.push(new AirError('DUPLICATE_NAME', node.where, `${def.$kind} "${def.name}" is also defined, differently, by an imported world (${existing.where.file ?? 'import'}); rename one of them`));
      }
      continue;
    }
    if (isSysName(def.name)) {
      errors.push(new AirError('RESERVED_NAME', node.where, `defines "${def.name}" in the reserved sys/* namespace, which only the built-in catalog may use; pick your own namespace`));
      continue;
    }
    const entry: DefEntry = { def, hash: sealed.hash, bytes: sealed.bytes, where: node.where, builtin: false };
    index.set(entry);
    own.push(entry);
  }
  return own;
}

function noteUnlisted(own: readonly DefEntry[], manifest: Manifest, warnings: string[]): void {
  const listed = new Set<string>();
  for (const section of ['schemas', 'modules', 'effects', 'caps', 'policies', 'secrets'] as const) {
    for (const ref of manifest[section] ?? []) listed.add(ref.name);
  }
  for (const entry of own) {
    if (!listed.has(entry.def.name)) warnings.push(`${entry.where.file ?? '(input)'}: ${entry.def.$kind} "${entry.def.name}" is defined but not listed in the manifest`);
  }
  for (const ref of manifest.modules) {
    const module = own.find((entry) => entry.def.name === ref.name);
    if (module?.def.$kind === 'defmodule' && /^sha256:0{64}$/.test(module.def.wasm_hash)) {
      warnings.push(`${module.where.file ?? '(input)'}: module "${ref.name}" has no built artifact yet (wasm_hash is the zero hash); run \`aos build\``);
    }
  }
}

function sortErrors(errors: AirError[]): AirError[] {
  // Stable order: by file, then by the order found within a file.
  return errors.map((error, order) => ({ error, order }))
    .sort((a, b) => compareText(a.error.where.file ?? '', b.error.where.file ?? '') || a.order - b.order)
    .map((item) => item.error);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A def that failed its structure check is not indexed, so every reference to it would also
 * report "not defined". Those echoes hide the one error that matters; drop them.
 */
function withoutEchoes(errors: readonly AirError[], broken: ReadonlySet<string>): AirError[] {
  if (broken.size === 0) return [...errors];
  return errors.filter((error) => error.code !== 'DANGLING_REF' || ![...broken].some((name) => error.detail.includes(`"${name}"`)));
}
