// Internal effects (DESIGN §7: workspace.*, introspect.*, and governance.* as it arrives) run in
// the node, against the world that emitted them, and are signed by the kernel's own key: the
// node key named KERNEL_ADAPTER_ID ("kernel", role adapter), which a world trusts like any
// adapter key. Every host that runs a world's effects (a ladder driver, `aos world run`, a node)
// adds these routes to its executor; a new internal adapter is added here once for all of them.
import { GovernanceAdapter } from '../adapters/governance-adapter.ts';
import { IntrospectAdapter } from '../adapters/introspect-adapter.ts';
import { KERNEL_ADAPTER_ID } from '../adapters/kernel-adapter-id.ts';
import { WorkspaceAdapter } from '../adapters/workspace/workspace-adapter.ts';
import type { Adapter, ReceiptSigner } from '../adapters/index.ts';
import type { ExecutorRoute } from './effect-executor.ts';
import type { EmbeddedWorld } from './embedded-world.ts';
import { EmbeddedGovernance } from './governance-effects.ts';
import { EmbeddedIntrospection } from './introspection.ts';
import { listKeys, loadSigner } from './keys.ts';
import { WorldWorkspaceRegistry } from './workspace-registry.ts';

export { KERNEL_ADAPTER_ID };

/** The adapters of the internal effects, each reading `world` (adapter_id KERNEL_ADAPTER_ID). */
export function internalAdapters(world: EmbeddedWorld): Adapter[] {
  return [new WorkspaceAdapter(new WorldWorkspaceRegistry(world)), new IntrospectAdapter(new EmbeddedIntrospection(world)), new GovernanceAdapter(new EmbeddedGovernance(world))];
}

/**
 * Executor routes for the internal effects of `world`, signed by `signer` (by default the
 * world folder's node key named KERNEL_ADAPTER_ID: generate it with
 * `aos key gen --name kernel --role adapter` before creating the world, so the world trusts it).
 */
export function internalRoutes(world: EmbeddedWorld, signer: ReceiptSigner = loadSigner(world.dir, KERNEL_ADAPTER_ID)): ExecutorRoute[] {
  return internalAdapters(world).map((adapter) => ({ adapter, signer }));
}

/** True when the world folder's node has the kernel's key (so internal effects can be signed). */
export function hasKernelKey(dir: string): boolean {
  return listKeys(dir).keys.some((key) => key.role === 'adapter' && key.name === KERNEL_ADAPTER_ID);
}
