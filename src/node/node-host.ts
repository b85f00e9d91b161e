// The local node's world host: many worlds in one process, each in its own worker thread under
// the input watchdog (world-worker.ts), each executing its effects continuously in that thread.
// The registry is the state dir itself: the root folder is the world `main` when it holds one
// (so `aos node up` in a world folder serves that world), and every <root>/worlds/<name>/ that
// holds one is the world `<name>`. Worlds are created by `aos world create` on their folder (through
// the node while it runs: node-lifecycle-ops.ts, which also imports and forks into new worlds); the
// host finds a new one on the next request that names it.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { EventEmitter } from 'node:events';
import { EMBEDDED_WORLD_ID } from './embedded-world.ts';
import { NodeError } from './errors.ts';
import { NODE_WORLDS_FOLDER } from './node-profile.ts';
import { WorldWorker } from './world-worker.ts';
import type { WorldWorkerOptions } from './world-worker.ts';
import type { OpResult, SentInput } from './world-thread-messages.ts';
import type { EventInput } from '../kernel/index.ts';

const WORLD_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** True when a folder holds a world's store (created by `aos world create`). */
function holdsWorld(dir: string): boolean {
  return existsSync(join(dir, '.aos', 'node.sqlite3'));
}

/** A world the node knows: its id, its folder, and whether its thread runs. */
export interface HostedWorldInfo {
  readonly id: string;
  readonly dir: string;
  readonly open: boolean;
}

/** Thrown for a failed world operation, with the code and hint the world gave. */
export class WorldOpError extends Error {
  override readonly name = 'WorldOpError';
  constructor(readonly code: string, message: string, readonly hint?: string) {
    super(message);
  }
}

export class NodeHost {
  private readonly workers = new Map<string, Promise<WorldWorker>>();
  private readonly heads = new EventEmitter();
  private closed = false;

  constructor(readonly root: string, private readonly options: Pick<WorldWorkerOptions, 'inputDeadlineMs'> = {}) {
    // Every open journal stream listens here.
    this.heads.setMaxListeners(0);
  }

  /** The folder world `id` lives in (or would: see node-lifecycle-ops.ts), or null when `id` is no world id. */
  folderFor(id: string): string | null {
    if (!WORLD_ID_PATTERN.test(id)) return null;
    return id === EMBEDDED_WORLD_ID ? this.root : join(this.root, NODE_WORLDS_FOLDER, id);
  }

  /** The folder of world `id`, or null when no such world exists. */
  dirOf(id: string): string | null {
    const dir = this.folderFor(id);
    return dir !== null && holdsWorld(dir) ? dir : null;
  }

  /** Every world under the root, sorted by id (`main` first). */
  list(): HostedWorldInfo[] {
    const worlds: HostedWorldInfo[] = [];
    if (holdsWorld(this.root)) worlds.push({ id: EMBEDDED_WORLD_ID, dir: this.root, open: this.workers.has(EMBEDDED_WORLD_ID) });
    const folder = join(this.root, NODE_WORLDS_FOLDER);
    if (existsSync(folder)) {
      for (const entry of readdirSync(folder, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
        const dir = join(folder, entry.name);
        if (entry.isDirectory() && entry.name !== EMBEDDED_WORLD_ID && WORLD_ID_PATTERN.test(entry.name) && holdsWorld(dir)) worlds.push({ id: entry.name, dir, open: this.workers.has(entry.name) });
      }
    }
    return worlds;
  }

  /** Opens every world now, so their open work is re-attached as the node starts; returns the ones that failed. */
  async openAll(): Promise<Array<{ id: string; error: string }>> {
    const failed: Array<{ id: string; error: string }> = [];
    for (const world of this.list()) {
      try {
        await this.worker(world.id);
      } catch (error) {
        failed.push({ id: world.id, error: error instanceof Error ? error.message : String(error) });
      }
    }
    return failed;
  }

  /** The thread of world `id`, opened on first use. */
  worker(id: string): Promise<WorldWorker> {
    if (this.closed) return Promise.reject(new NodeError('NO_WORLD', 'the node is shutting down'));
    const known = this.workers.get(id);
    if (known !== undefined) return known;
    const dir = this.dirOf(id);
    if (dir === null) return Promise.reject(new NodeError('NO_WORLD', `the node has no world ${JSON.stringify(id)}`, `its worlds: ${this.list().map((world) => world.id).join(', ') || 'none'}; create one with \`aos world create --root ${join(this.root, NODE_WORLDS_FOLDER, '<name>')}\``));
    const opening = WorldWorker.open(dir, { ...this.options, hosted: true, onHead: (height) => this.heads.emit(id, height) });
    this.workers.set(id, opening);
    // A world that fails to open is not cached: the next request tries again.
    opening.catch(() => this.workers.delete(id));
    return opening;
  }

  /** Runs a named operation on world `id` (node-world-ops.ts); a failure is thrown as a WorldOpError. */
  async call(id: string, op: string, args: unknown = null): Promise<unknown> {
    const result: OpResult = await (await this.worker(id)).call(op, args);
    if (!result.ok) throw new WorldOpError(result.error.code, result.error.message, result.error.hint);
    return result.value;
  }

  /**
   * Makes every record a running world has admitted durable (its executor defers the write of
   * receipts: embedded-world.ts), before a reader on a connection of its own (an audit, an
   * export, a fork) looks at the folder. A world not running has nothing pending.
   */
  async settle(id: string): Promise<void> {
    // Every operation syncs before it answers (node-world-ops.ts): the cheapest one will do.
    if (this.workers.has(id)) await this.call(id, 'head');
  }

  /** Sends an event to world `id`; resolves once durable (under the watchdog). */
  async send(id: string, event: EventInput): Promise<SentInput> {
    const sent = await (await this.worker(id)).send(event);
    this.heads.emit(id, (sent.heights.at(-1) ?? -1) + 1);
    return sent;
  }

  /** Calls `listener` with the new next height whenever world `id`'s journal grows; returns the unsubscribe. */
  onHead(id: string, listener: (height: number) => void): () => void {
    this.heads.on(id, listener);
    return () => this.heads.off(id, listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    const workers = [...this.workers.values()];
    this.workers.clear();
    await Promise.all(workers.map(async (opening) => (await opening.catch(() => null))?.close()));
  }
}
