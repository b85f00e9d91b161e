// The executor routes a node gives a hosted world: the built-in adapters whose keys the world
// folder's node holds (a key named after the adapter_id), plus the internal effects
// (workspace.*, introspect.*, governance.*) when it holds the kernel's key. Both the long-running
// node and the one-shot `aos world run` (run-effects.ts) take their adapters from here. Each
// adapter comes from its own module: the adapters' index also holds the LLM adapter, whose SDKs
// take ~250 ms to load, which every command that opens a world would then pay; the LLM adapter
// itself is loaded on its first intent (LazyLlmAdapter).
//
// The host adapter (key host.local) confines sessions to the node's host roots: the root's
// `work/` folder, plus the directories the caller names (`aos task --workdir`); any other work
// dir is refused by host.session.open. Its commands run in a bubblewrap sandbox that hides the
// node's secrets (every world's .aos: keys, vault, journal, CAS; and their .env files). The LLM adapter (key
// llm.default) has one provider per name an intent may give: openai-responses and anthropic
// with their API keys from the world's defsecrets llm/openai_api@1 and llm/anthropic_api@1 (the
// executor resolves them per grant), and scripted, replying from a script file, when the caller
// names one.
import { mkdirSync, readdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { BLOB_ADAPTER_ID_DEFAULT, BlobAdapter } from '../adapters/blob-adapter.ts';
import { HostBuildAdapter } from '../adapters/host/build-module.ts';
import { BubblewrapSandbox } from '../adapters/host/exec-sandbox.ts';
import { HOST_ADAPTER_ID_DEFAULT, HostAdapter } from '../adapters/host/host-adapter.ts';
import { FileSessionStore } from '../adapters/host/session-file.ts';
import { HTTP_ADAPTER_ID_DEFAULT, HttpAdapter } from '../adapters/http-adapter.ts';
import type { Adapter, AdapterContext, AdapterIntent, AdapterOutcome } from '../adapters/index.ts';
import type { LlmAdapter } from '../adapters/llm/llm-adapter.ts';
import type { LlmProviderOptions } from '../adapters/llm/llm-options.ts';
import type { ExecutorRoute } from './effect-executor.ts';
import type { EmbeddedWorld } from './embedded-world.ts';
import { hasKernelKey, internalRoutes } from './internal-effects.ts';
import { listKeys, loadSigner } from './keys.ts';
import { dotenvFile } from './dotenv.ts';
import { NODE_WORLDS_FOLDER, stateDir } from './node-profile.ts';
import { SystemTimerClock, TIMER_ADAPTER_ID_DEFAULT, TimerAdapter } from './timer-adapter.ts';

/** The folder under a world root where host sessions may live without being named. */
export const HOST_WORK_DIR = 'work';
/** Where a world's host sessions are kept across restarts, relative to the world root. */
export const HOST_SESSIONS_FILE = join('.aos', 'host-sessions.json');
/** The LLM adapter's id: llm-adapter.ts's LLM_ADAPTER_ID_DEFAULT, written out so this module need not load it (test/integration/demiurge-node-routes.test.ts keeps them equal). */
export const LLM_ADAPTER_ID = 'llm.default';
/** The defsecrets holding the API keys of the hosted providers. */
export const LLM_API_KEY_SECRETS = Object.freeze({ 'openai-responses': 'llm/openai_api@1', anthropic: 'llm/anthropic_api@1' });
const LLM_GENERATE_EFFECT = 'sys/llm.generate@1';
/** What host.exec inherits from the node's environment unless the caller says otherwise: enough to find programs, no secrets. */
const HOST_ENV_PASSTHROUGH_DEFAULT: readonly string[] = Object.freeze(['PATH']);

/** What a caller adds to the node's routes. */
export interface NodeRouteOptions {
  /** Further directories host sessions may use, besides <root>/work; each must exist. */
  readonly hostRoots?: readonly string[];
  /** The script file of the `scripted` LLM provider; without one there is no such provider. */
  readonly llmScript?: string;
  /** Environment variables every host.exec inherits; default HOST_ENV_PASSTHROUGH_DEFAULT. */
  readonly hostEnvPassthrough?: readonly string[];
}

/** The LLM adapter, loaded (with its SDKs) when its first intent comes. */
class LazyLlmAdapter implements Adapter {
  readonly id = LLM_ADAPTER_ID;
  readonly kinds: readonly string[] = [LLM_GENERATE_EFFECT];
  private loaded: Promise<LlmAdapter> | null = null;
  constructor(private readonly providers: Readonly<Record<string, LlmProviderOptions>>) {}

  async execute(intent: AdapterIntent, context: AdapterContext): Promise<AdapterOutcome> {
    this.loaded ??= import('../adapters/llm/llm-adapter.ts').then(({ LlmAdapter: Loaded }) => new Loaded({ id: this.id, providers: this.providers }));
    return (await this.loaded).execute(intent, context);
  }
}

function llmProviders(options: NodeRouteOptions): Record<string, LlmProviderOptions> {
  return {
    'openai-responses': { kind: 'openai-responses', apiKeySecret: LLM_API_KEY_SECRETS['openai-responses'] },
    anthropic: { kind: 'anthropic', apiKeySecret: LLM_API_KEY_SECRETS.anthropic },
    ...(options.llmScript !== undefined ? { scripted: { kind: 'scripted', scriptPath: resolve(options.llmScript) } } : {}),
  };
}

/**
 * What host commands must not see: each root's state folder (.aos: keys, vault, journal, CAS) and
 * .env file (provider keys): the world's own and, since one node may serve several worlds
 * (<root>/worlds/<id>), its node root's and every sibling world's. Listed anew for each command,
 * so a world created later is hidden too.
 */
export function nodeSecretPaths(worldDir: string): string[] {
  const world = resolve(worldDir);
  const root = basename(dirname(world)) === NODE_WORLDS_FOLDER ? dirname(dirname(world)) : world;
  const worlds = join(root, NODE_WORLDS_FOLDER);
  let others: string[] = [];
  try {
    others = readdirSync(worlds, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => join(worlds, entry.name));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' && (error as NodeJS.ErrnoException).code !== 'ENOTDIR') throw error;
  }
  return [...new Set([world, root, ...others])].flatMap((dir) => [stateDir(dir), dotenvFile(dir)]);
}

type AdapterMaker = () => { adapter: Adapter; deadlineMs?: number | null };
const BUILT_IN_ADAPTERS: ReadonlyMap<string, AdapterMaker> = new Map<string, AdapterMaker>([
  [BLOB_ADAPTER_ID_DEFAULT, () => ({ adapter: new BlobAdapter() })],
  [HTTP_ADAPTER_ID_DEFAULT, () => ({ adapter: new HttpAdapter() })],
  // A timer waits for its time, however long: a node runs as long as it must.
  [TIMER_ADAPTER_ID_DEFAULT, () => ({ adapter: new TimerAdapter(new SystemTimerClock()), deadlineMs: null })],
]);

/** The routes of every adapter the world folder's node has a key for. */
export function nodeRoutes(world: EmbeddedWorld, options: NodeRouteOptions = {}): ExecutorRoute[] {
  const names = new Set(listKeys(world.dir).keys.filter((key) => key.role === 'adapter').map((key) => key.name));
  const routes: ExecutorRoute[] = [];
  for (const [id, make] of BUILT_IN_ADAPTERS) {
    if (!names.has(id)) continue;
    const { adapter, deadlineMs } = make();
    routes.push({ adapter, signer: loadSigner(world.dir, id), ...(deadlineMs !== undefined ? { deadlineMs } : {}) });
  }
  if (names.has(HOST_ADAPTER_ID_DEFAULT)) {
    // The node's own work folder always exists, so a root that holds the key can open sessions.
    const work = join(world.dir, HOST_WORK_DIR);
    mkdirSync(work, { recursive: true });
    const roots = [work, ...(options.hostRoots ?? []).map((root) => resolve(root))];
    // The host adapter, wrapped to also bundle modules from its sessions (host.build_module).
    // Sessions outlive a restart: open work re-attached after one names sessions opened before it.
    const sessionStore = new FileSessionStore(join(world.dir, HOST_SESSIONS_FILE));
    const execSandbox = new BubblewrapSandbox({ hiddenPaths: () => nodeSecretPaths(world.dir) });
    const host = new HostAdapter({ roots, envPassthrough: options.hostEnvPassthrough ?? HOST_ENV_PASSTHROUGH_DEFAULT, sessionStore, execSandbox });
    routes.push({ adapter: new HostBuildAdapter(host), signer: loadSigner(world.dir, HOST_ADAPTER_ID_DEFAULT) });
  }
  if (names.has(LLM_ADAPTER_ID)) routes.push({ adapter: new LazyLlmAdapter(llmProviders(options)), signer: loadSigner(world.dir, LLM_ADAPTER_ID) });
  if (hasKernelKey(world.dir)) routes.push(...internalRoutes(world));
  return routes;
}
