// Runs a world's open work once, from the command line: the node's adapter keys decide which
// adapters serve (a key named after an adapter's id), the executor settles what it can, and the
// run ends when nothing is left to do or the time is up. A long-running node does the same in a
// loop; this is the one-shot form for `aos world run`.
// Each adapter from its own module: the adapters' index also holds the LLM adapter, whose SDKs
// take ~250 ms to load, which every command that opens a world would then pay.
import { BLOB_ADAPTER_ID_DEFAULT, BlobAdapter } from '../adapters/blob-adapter.ts';
import { HTTP_ADAPTER_ID_DEFAULT, HttpAdapter } from '../adapters/http-adapter.ts';
import type { Adapter } from '../adapters/index.ts';
import { EffectExecutor } from './effect-executor.ts';
import { internalRoutes, KERNEL_ADAPTER_ID } from './internal-effects.ts';
import type { ExecutorProblem, ExecutorRoute } from './effect-executor.ts';
import type { EmbeddedWorld } from './embedded-world.ts';
import { listKeys, loadSigner } from './keys.ts';
import { NodeSecrets } from './secrets.ts';
import { SystemTimerClock, TIMER_ADAPTER_ID_DEFAULT, TimerAdapter } from './timer-adapter.ts';

/** The built-in adapters a one-shot run can serve, by the adapter_id their key must be named. */
type AdapterMaker = () => { adapter: Adapter; deadlineMs?: number | null };
const BUILT_IN_ADAPTERS: ReadonlyMap<string, AdapterMaker> = new Map<string, AdapterMaker>([
  [BLOB_ADAPTER_ID_DEFAULT, () => ({ adapter: new BlobAdapter() })],
  [HTTP_ADAPTER_ID_DEFAULT, () => ({ adapter: new HttpAdapter() })],
  // A timer waits for its time, however long: the run's own time limit bounds it.
  [TIMER_ADAPTER_ID_DEFAULT, () => ({ adapter: new TimerAdapter(new SystemTimerClock()), deadlineMs: null })],
]);

/** What a run did. */
export interface EffectRun {
  readonly adapters: readonly string[];
  /** Receipts admitted during the run (intents its receipts opened included). */
  readonly settled: number;
  readonly open: number;
  readonly timedOut: boolean;
  readonly problems: readonly ExecutorProblem[];
}

/** Receipts journaled from `height` on: what the run settled, including work its receipts opened. */
function receiptsSince(world: EmbeddedWorld, height: number): number {
  let count = 0;
  for (let from = height; from < world.head.height; from += RECEIPT_COUNT_PAGE) count += world.tail(from, RECEIPT_COUNT_PAGE, 'effect_receipt').length;
  return count;
}

/** Journal records read per page while counting receipts. */
const RECEIPT_COUNT_PAGE = 4_096;

/** Runs the open work of `world` on the adapters its root has keys for, for at most `timeoutMs`. */
export async function runEffects(world: EmbeddedWorld, timeoutMs: number): Promise<EffectRun> {
  const names = new Set(listKeys(world.dir).keys.filter((key) => key.role === 'adapter').map((key) => key.name));
  const routes: ExecutorRoute[] = [];
  for (const [id, make] of BUILT_IN_ADAPTERS) {
    if (!names.has(id)) continue;
    const { adapter, deadlineMs } = make();
    routes.push({ adapter, signer: loadSigner(world.dir, id), ...(deadlineMs !== undefined ? { deadlineMs } : {}) });
  }
  // Internal effects (workspace.*, introspect.*) are signed by the kernel's key, when the node has one.
  if (names.has(KERNEL_ADAPTER_ID)) routes.push(...internalRoutes(world));
  const startHeight = world.head.height;
  // Secrets resolve from the environment, the root's .env and its vault, per the intent's grant.
  const secrets = new NodeSecrets({ root: world.dir, secrets: [...world.view.authority.secrets.values()] });
  const executor = new EffectExecutor(world, routes, { secrets });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<true>((resolve) => { timer = setTimeout(() => resolve(true), timeoutMs); });
  try {
    executor.dispatch();
    const ended = await Promise.race([executor.idle().then(() => false as const), timedOut]);
    return { adapters: [...new Set(routes.map((route) => route.adapter.id))], settled: receiptsSince(world, startHeight), open: world.openIntents().size, timedOut: ended, problems: [...executor.problems] };
  } finally {
    clearTimeout(timer);
    executor.close();
  }
}
