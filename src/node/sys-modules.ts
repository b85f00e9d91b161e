// The code of the built-in sys/* workflows (sys/Workspace@1, sys/HttpPublish@1). Their defs in
// the built-in catalog carry no artifact (wasm_hash is all zeros: upstream patches it at load),
// so a world that lists one needs the code AgentOS ships for it. `aos build` bundles the shipped
// sources into the world folder's CAS and records which bundle serves which module in
// SYS_MODULES_FILE; creating the world copies that record into the world's meta, so the world
// keeps running (and replaying) the exact bundles it was created with, even after a rebuild.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { decodeCanonical, encodeCanonical, isCborObject, isHash, ZERO_HASH } from '../cbor/index.ts';
import type { Hash } from '../cbor/index.ts';
import type { DefModule } from '../air/index.ts';
import type { ManifestView } from '../kernel/index.ts';
import type { CasStore, MetaStore } from '../store/index.ts';
import { NodeError } from './errors.ts';

/** Where `aos build` records the bundles of the built-in workflows it built, relative to the world folder. */
export const SYS_MODULES_FILE = join('.aos', 'sys-modules.json');
/** The world meta key holding the bundles a world was created with (canonical CBOR, name → hash). */
const META_SYS_MODULES = 'sys_modules';

/** Module name → bundle hash of built-in workflows. */
export type SysModuleArtifacts = ReadonlyMap<string, Hash>;

/** Workflows outside sys/ whose code also ships with AgentOS: the agent session (src/agent). */
const SHIPPED_NON_SYS: ReadonlySet<string> = new Set(['aos.agent/SessionWorkflow@1']);

/** True for a built-in workflow whose def carries no artifact of its own. */
export function needsShippedCode(module: DefModule): boolean {
  return (module.name.startsWith('sys/') || SHIPPED_NON_SYS.has(module.name)) && module.module_kind === 'workflow' && module.wasm_hash === ZERO_HASH;
}

/** Records the bundles `aos build` made for a world folder (replacing any earlier record). */
export function writeSysModuleBuild(root: string, artifacts: SysModuleArtifacts): void {
  const file = join(root, SYS_MODULES_FILE);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(Object.fromEntries([...artifacts].sort(([a], [b]) => (a < b ? -1 : 1))), null, 2)}\n`);
}

/** The bundles of the built-in workflows `view` lists, as the folder's last build recorded them; each must be in `cas`. */
export function sysModulesForCreate(root: string, view: ManifestView, cas: CasStore): SysModuleArtifacts {
  const needed = [...view.modules.values()].filter(needsShippedCode).map((module) => module.name);
  if (needed.length === 0) return new Map();
  const recorded = readBuildRecord(root);
  const artifacts = new Map<string, Hash>();
  for (const name of needed) {
    const hash = recorded.get(name);
    if (hash === undefined || !cas.has(hash)) {
      throw new NodeError('MODULE_ARTIFACT_MISSING', `the manifest lists the built-in workflow ${name}, whose code AgentOS ships, but no bundle of it is built in ${root}`, `run \`aos build --root ${root}\` (it bundles the built-in workflows the manifest lists), then create the world again`);
    }
    artifacts.set(name, hash);
  }
  return artifacts;
}

/** Keeps a world's built-in bundles in its meta. */
export function storeSysModules(meta: MetaStore, artifacts: SysModuleArtifacts): void {
  if (artifacts.size > 0) meta.put(META_SYS_MODULES, encodeCanonical(Object.fromEntries(artifacts)));
}

/** The built-in bundles a world was created with (none for a world that lists no built-in workflow). */
export function loadSysModules(meta: MetaStore): SysModuleArtifacts {
  const bytes = meta.get(META_SYS_MODULES);
  if (bytes === null) return new Map();
  const value = decodeCanonical(bytes);
  if (!isCborObject(value) || !Object.values(value).every(isHash)) {
    throw new NodeError('AIR_MISMATCH', `the world's record of its built-in workflow bundles (meta ${META_SYS_MODULES}) is damaged`, 'restore the world from a backup or an export');
  }
  return new Map(Object.entries(value) as Array<[string, Hash]>);
}

function readBuildRecord(root: string): Map<string, Hash> {
  const file = join(root, SYS_MODULES_FILE);
  if (!existsSync(file)) return new Map();
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new NodeError('MODULE_ARTIFACT_MISSING', `${file} is not valid JSON: ${(error as Error).message}`, `run \`aos build --root ${root}\` again to rewrite it`, { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || !Object.values(parsed).every((hash) => typeof hash === 'string' && isHash(hash))) {
    throw new NodeError('MODULE_ARTIFACT_MISSING', `${file} does not map module names to bundle hashes`, `run \`aos build --root ${root}\` again to rewrite it`);
  }
  return new Map(Object.entries(parsed) as Array<[string, Hash]>);
}
