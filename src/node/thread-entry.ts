// Where a thread's code is. Shipped, the CLI is an esbuild bundle (dist/aos.js) with each thread
// entry bundled beside it (dist/world-thread.js, dist/read-job-thread.js: package.json's build);
// from sources (tests, `node --import tsx`) the thread is the TypeScript file beside this one,
// and registers tsx itself, since Node 20 does not carry `--import tsx` into worker threads.
import { existsSync } from 'node:fs';

/** The node's thread entries: each is a file beside this one, and an entry of the bundle. */
export type ThreadName = 'world-thread' | 'read-job-thread';

export type ThreadEntry = { readonly kind: 'bundle'; readonly url: URL } | { readonly kind: 'source'; readonly boot: string };

/** The code of thread `name` for a module whose URL is `hostUrl` (a file of src/node, or the bundle holding it). */
export function threadEntry(hostUrl: string, name: ThreadName): ThreadEntry {
  if (!new URL(hostUrl).pathname.endsWith('.ts')) return { kind: 'bundle', url: new URL(`./${name}.js`, hostUrl) };
  const url = new URL(`./${name}.ts`, hostUrl);
  return { kind: 'source', boot: `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(url.href)}); });` };
}

/**
 * Whether thread `name` can start for a module at `hostUrl`: always from sources; in a bundle
 * only when its entry was bundled beside it (the CLI's is; a program that bundles our code
 * another way may not have it, and then runs the work on its own thread).
 */
export function threadAvailable(hostUrl: string, name: ThreadName): boolean {
  const entry = threadEntry(hostUrl, name);
  return entry.kind === 'source' || existsSync(entry.url);
}
