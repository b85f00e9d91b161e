// Runs a world's open work once, from the command line: the node's adapter keys decide which
// adapters serve (a key named after an adapter's id), the executor settles what it can, and the
// run ends when nothing is left to do or the time is up. A long-running node does the same in a
// loop; this is the one-shot form for `aos world run`.
// The adapters are the node's (node-effects.ts): the ones whose keys the root holds.
import { EffectExecutor } from './effect-executor.ts';
import type { ExecutorProblem } from './effect-executor.ts';
import type { EmbeddedWorld } from './embedded-world.ts';
import { nodeRoutes } from './node-effects.ts';
import { NodeSecrets } from './secrets.ts';

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
  const routes = nodeRoutes(world);
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
