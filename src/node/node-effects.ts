// The executor routes a node gives a hosted world: the built-in adapters whose keys the world
// folder's node holds (a key named after the adapter_id), plus the internal effects
// (workspace.*, introspect.*, governance.*) when it holds the kernel's key. Both the long-running
// node and the one-shot `aos world run` (run-effects.ts) take their adapters from here. Each
// adapter comes from its own module: the adapters' index also holds the LLM adapter, whose SDKs
// take ~250 ms to load, which every command that opens a world would then pay.
import { BLOB_ADAPTER_ID_DEFAULT, BlobAdapter } from '../adapters/blob-adapter.ts';
import { HTTP_ADAPTER_ID_DEFAULT, HttpAdapter } from '../adapters/http-adapter.ts';
import type { Adapter } from '../adapters/index.ts';
import type { ExecutorRoute } from './effect-executor.ts';
import type { EmbeddedWorld } from './embedded-world.ts';
import { hasKernelKey, internalRoutes } from './internal-effects.ts';
import { listKeys, loadSigner } from './keys.ts';
import { SystemTimerClock, TIMER_ADAPTER_ID_DEFAULT, TimerAdapter } from './timer-adapter.ts';

type AdapterMaker = () => { adapter: Adapter; deadlineMs?: number | null };
const BUILT_IN_ADAPTERS: ReadonlyMap<string, AdapterMaker> = new Map<string, AdapterMaker>([
  [BLOB_ADAPTER_ID_DEFAULT, () => ({ adapter: new BlobAdapter() })],
  [HTTP_ADAPTER_ID_DEFAULT, () => ({ adapter: new HttpAdapter() })],
  // A timer waits for its time, however long: a node runs as long as it must.
  [TIMER_ADAPTER_ID_DEFAULT, () => ({ adapter: new TimerAdapter(new SystemTimerClock()), deadlineMs: null })],
]);

/** The routes of every adapter the world folder's node has a key for. */
export function nodeRoutes(world: EmbeddedWorld): ExecutorRoute[] {
  const names = new Set(listKeys(world.dir).keys.filter((key) => key.role === 'adapter').map((key) => key.name));
  const routes: ExecutorRoute[] = [];
  for (const [id, make] of BUILT_IN_ADAPTERS) {
    if (!names.has(id)) continue;
    const { adapter, deadlineMs } = make();
    routes.push({ adapter, signer: loadSigner(world.dir, id), ...(deadlineMs !== undefined ? { deadlineMs } : {}) });
  }
  if (hasKernelKey(world.dir)) routes.push(...internalRoutes(world));
  return routes;
}
