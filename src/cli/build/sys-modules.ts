// The built-in sys/* workflows whose code ships with AgentOS (src/sys-modules, written with the
// SDK like any module). `aos build` bundles the ones a world's manifest lists into the world
// folder's CAS and records them for world creation (src/node/sys-modules.ts says why).
import { join } from 'node:path';
import type { Hash } from '../../cbor/index.ts';
import { AirError, loadWorldPath } from '../../air/index.ts';
import type { FileCas } from '../../store/index.ts';
import { writeSysModuleBuild } from '../../node/sys-modules.ts';
import { bundleModule } from './bundle-module.ts';
import { packageRoot } from '../../adapters/package-root.ts';

/** Each built-in workflow with shipped code, and its source relative to the package root. */
const SYS_MODULE_SOURCES: ReadonlyMap<string, string> = new Map([
  ['sys/Workspace@1', 'src/sys-modules/workspace.ts'],
  ['sys/HttpPublish@1', 'src/sys-modules/http-publish.ts'],
  // The agent session workflow (src/agent): its AIR (air/agent) declares it with no artifact too.
  ['aos.agent/SessionWorkflow@1', 'src/agent/session-workflow.ts'],
]);

/** The built-in workflows a world's manifest lists (none when its AIR does not load: creating it reports why). */
function listedSysModules(root: string): ReadonlySet<string> {
  try {
    const loaded = loadWorldPath(root);
    return new Set((loaded.world?.manifest?.node.modules ?? []).map((ref) => ref.name));
  } catch (error) {
    if (error instanceof AirError) return new Set();
    throw error;
  }
}

/** Bundles the built-in workflows `root`'s manifest lists into `cas`; returns name → bundle hash. */
export async function buildSysModules(root: string, cas: FileCas): Promise<Record<string, Hash>> {
  const built: Record<string, Hash> = {};
  const listed = listedSysModules(root);
  for (const [name, source] of SYS_MODULE_SOURCES) {
    if (!listed.has(name)) continue;
    const bundled = await bundleModule(join(packageRoot(), source), { moduleName: name });
    built[name] = cas.put(bundled.bytes);
  }
  writeSysModuleBuild(root, new Map(Object.entries(built)));
  return built;
}
