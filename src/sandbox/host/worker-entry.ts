// Where a SandboxHost finds its worker. Shipped, the CLI is an esbuild bundle (dist/aos.js)
// with the worker bundled next to it (dist/sandbox-worker.js, see package.json "build"), and
// plain Node runs both. From sources (tests, `node --import tsx`), the worker is the
// TypeScript file beside this one: Node 20 does not carry `--import tsx` into worker
// threads, so that worker registers tsx itself before importing its entry.

/** File name of the bundled worker, next to the bundle that holds SandboxHost. */
export const BUNDLED_WORKER_FILE = 'sandbox-worker.js';

/** How to start a worker: a file to run, or (from sources) code to evaluate. */
export type WorkerEntry =
  | { readonly kind: 'bundle'; readonly url: URL }
  | { readonly kind: 'source'; readonly url: URL; readonly boot: string };

/** The worker for a SandboxHost whose module URL is `hostUrl` (its `import.meta.url`). */
export function workerEntry(hostUrl: string): WorkerEntry {
  if (!new URL(hostUrl).pathname.endsWith('.ts')) return { kind: 'bundle', url: new URL(`./${BUNDLED_WORKER_FILE}`, hostUrl) };
  const url = new URL('./sandbox-worker.ts', hostUrl);
  const boot = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(url.href)}); });`;
  return { kind: 'source', url, boot };
}
