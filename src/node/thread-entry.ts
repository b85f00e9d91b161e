// Where a world thread's code is. Shipped, the CLI is an esbuild bundle (dist/aos.js) with
// dist/world-thread.js beside it; from sources (tests, `node --import tsx`) the thread is the
// TypeScript file beside this one, and registers tsx itself, since Node 20 does not carry
// `--import tsx` into worker threads.

/** File name of the bundled world thread, next to the bundle that holds WorldWorker. */
export const BUNDLED_THREAD_FILE = 'world-thread.js';

export type ThreadEntry = { readonly kind: 'bundle'; readonly url: URL } | { readonly kind: 'source'; readonly boot: string };

/** The thread code for a WorldWorker whose module URL is `hostUrl`. */
export function threadEntry(hostUrl: string): ThreadEntry {
  if (!new URL(hostUrl).pathname.endsWith('.ts')) return { kind: 'bundle', url: new URL(`./${BUNDLED_THREAD_FILE}`, hostUrl) };
  const url = new URL('./world-thread.ts', hostUrl);
  return { kind: 'source', boot: `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(url.href)}); });` };
}
