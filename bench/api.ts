// api: the local node's control API under load. The perf world is served by `aos node up` in a
// process of its own (the CLI and its world thread bundled with esbuild, as shipped); 8
// concurrent clients POST events over HTTP for 30 s, each acknowledged only once durable.
// Afterwards the node is stopped and its journal read back: every acknowledged event must be
// journaled exactly once, and no request may have failed (those are correctness, not timing:
// the bench throws). Prints events/s and the p50/p99 latency a client saw.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { assert, decodeCanonical } from '../src/cbor/index.ts';
import { EmbeddedWorld } from '../src/node/index.ts';
import { NODE_TOKEN_FILE, readToken, stateDir } from '../src/node/node-profile.ts';
import { REPO_ROOT } from './paths.ts';
import type { BenchResult } from './report.ts';
import { freshWorld, rssMb } from './world-kit.ts';

const CLIENTS = 8;
/** Seconds of load; AOS_BENCH_API_SECONDS shortens it for a smoke run. */
const SECONDS = Number(process.env['AOS_BENCH_API_SECONDS'] ?? 30);
const NODE_DIR = join(REPO_ROOT, 'dist/bench/api-node');
const JOURNAL_PAGE = 4_096;

/** The CLI and its world thread, bundled as `npm run build` bundles them. */
async function bundleNode(): Promise<string> {
  await build({
    entryPoints: { aos: join(REPO_ROOT, 'src/cli/run.ts'), 'world-thread': join(REPO_ROOT, 'src/node/world-thread.ts') },
    bundle: true, platform: 'node', format: 'esm', target: 'node20', outdir: NODE_DIR, logLevel: 'warning',
    external: ['esbuild', 'better-sqlite3', 'quickjs-emscripten', '@jitl/*', 'tsx'],
    banner: { js: "import { createRequire as __aosCreateRequire } from 'node:module'; const require = __aosCreateRequire(import.meta.url);" },
  });
  return join(NODE_DIR, 'aos.js');
}

function aos(cli: string, ...args: string[]): string {
  const result = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: REPO_ROOT });
  if (result.status !== 0) throw new Error(`aos ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

/** Resident set size of another process, in MB (Linux /proc). */
function rssOf(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match === null ? 0 : Math.round(Number(match[1]) / 1024 * 10) / 10;
}

interface ClientRun { readonly acked: string[]; readonly latencies: number[]; readonly errors: string[] }

async function client(url: string, token: string, id: number, until: number): Promise<ClientRun> {
  const run: ClientRun = { acked: [], latencies: [], errors: [] };
  for (let seq = 0; Date.now() < until; seq += 1) {
    const cell = `c${id}-${seq}`;
    const start = process.hrtime.bigint();
    try {
      const response = await fetch(`${url}/worlds/main/events`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ schema: 'demo/PerfEvent@1', value: { cell, inc: 1 } }) });
      const body = await response.text();
      if (!response.ok) {
        run.errors.push(`HTTP ${response.status}: ${body.slice(0, 200)}`);
        continue;
      }
      run.latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
      run.acked.push(cell);
    } catch (error) {
      run.errors.push(error instanceof Error ? error.message : String(error));
    }
  }
  return run;
}

/** How many times each event (by its unique cell text) is in the journal. */
function journaledCounts(world: EmbeddedWorld): Map<string, number> {
  const counts = new Map<string, number>();
  for (let from = 0; from < world.head.height; from += JOURNAL_PAGE) {
    for (const record of world.tail(from, JOURNAL_PAGE, 'domain_event')) {
      if (record.body.kind !== 'domain_event' || record.body.schema !== 'demo/PerfEvent@1') continue;
      const value = decodeCanonical(record.body.value) as { cell: string };
      counts.set(value.cell, (counts.get(value.cell) ?? 0) + 1);
    }
  }
  return counts;
}

export async function run(): Promise<BenchResult> {
  const cli = await bundleNode();
  const { dir, world, cleanup } = await freshWorld('12-performance');
  world.close();
  let nodeRss = 0;
  try {
    const up = JSON.parse(aos(cli, 'node', 'up', '--root', dir, '--port', '0', '--background', '--json')) as { url: string; pid: number };
    // The node guards every request but /health with the token it wrote at start.
    const token = readToken(join(stateDir(dir), NODE_TOKEN_FILE));
    assert(token !== null, 'aos node up writes a token file');
    let runs: ClientRun[];
    const start = process.hrtime.bigint();
    try {
      const until = Date.now() + SECONDS * 1000;
      const sampler = setInterval(() => { nodeRss = Math.max(nodeRss, rssOf(up.pid)); }, 1000);
      runs = await Promise.all(Array.from({ length: CLIENTS }, (_unused, id) => client(up.url, token, id, until)));
      clearInterval(sampler);
      nodeRss = Math.max(nodeRss, rssOf(up.pid));
    } finally {
      aos(cli, 'node', 'down', '--root', dir);
    }
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const errors = runs.flatMap((one) => one.errors);
    const acked = runs.flatMap((one) => one.acked);
    const reopened = await EmbeddedWorld.open(dir, { readOnly: true });
    let counts: Map<string, number>;
    try {
      counts = journaledCounts(reopened);
    } finally {
      reopened.close();
    }
    const missing = acked.filter((cell) => counts.get(cell) === undefined);
    const repeated = [...counts].filter(([, times]) => times > 1);
    if (errors.length > 0 || missing.length > 0 || repeated.length > 0) {
      throw new Error(`api bench: ${errors.length} failed requests (${errors.slice(0, 3).join('; ')}), ${missing.length} acknowledged events missing from the journal, ${repeated.length} journaled more than once`);
    }
    const latencies = runs.flatMap((one) => one.latencies).sort((a, b) => a - b);
    const at = (q: number) => Math.round((latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))] ?? 0) * 1000) / 1000;
    return {
      name: 'api',
      metrics: { events_per_s: Math.round(acked.length / seconds), p50_ms: at(0.5), p99_ms: at(0.99), events: acked.length, errors: errors.length, node_rss_mb: nodeRss, client_rss_mb: rssMb() },
      params: {
        clients: CLIENTS, seconds: SECONDS, transport: 'HTTP/1.1 keep-alive on loopback (fetch), JSON bodies', api: 'POST /worlds/main/events, acknowledged once durable',
        durability: 'sqlite WAL, fdatasync before a send is answered; sends that queue behind the one in service share one transaction (group commit, up to WORLD_SEND_GROUP_MAX)', node: 'aos node up (esbuild bundle), world in a worker thread', world: 'worlds/ladder/12-performance',
        checked: 'every acknowledged event journaled exactly once',
      },
    };
  } finally {
    cleanup();
  }
}
