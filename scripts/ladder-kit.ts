// What every ladder driver gets: a fresh copy of its world, built and created on the embedded
// default, helpers to send typed events and read state, and replay-or-die at the end.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeCanonical, encodeCanonical } from '../src/cbor/index.ts';
import type { CborValue } from '../src/cbor/index.ts';
import { valueFromJson, valueToSugarJson } from '../src/air/index.ts';
import { buildWorld, writeModuleHashes } from '../src/cli/build/index.ts';
import { EmbeddedWorld } from '../src/node/index.ts';
import type { SealedRecord } from '../src/kernel/index.ts';

/** A ladder world under test. */
export class LadderWorld {
  private constructor(readonly dir: string, public world: EmbeddedWorld) {}

  static async start(source: string): Promise<LadderWorld> {
    const dir = mkdtempSync(join(tmpdir(), 'aos-ladder-'));
    cpSync(source, dir, { recursive: true, filter: (path) => !path.includes(`${join(source, '.aos')}`) });
    const built = await buildWorld(dir);
    writeModuleHashes(dir, built.modules);
    return new LadderWorld(dir, await EmbeddedWorld.create(dir));
  }

  /** Sends an event written in the sugar (or canonical) lens; returns its records. */
  send(schema: string, json: unknown): SealedRecord[] {
    const value = valueFromJson(json, { ref: schema }, this.world.view.index, { path: 'event' });
    return this.world.send({ schema, value: encodeCanonical(value, { selfDescribe: false }) });
  }

  /** A workflow's state in the sugar lens (null when it has none). */
  state(workflow: string, keyJson?: unknown): unknown {
    const module = this.world.view.modules.get(workflow);
    if (module?.abi.workflow === undefined) throw new Error(`no workflow ${workflow}`);
    const key = keyJson === undefined || module.key_schema === undefined ? null
      : encodeCanonical(valueFromJson(keyJson, { ref: module.key_schema }, this.world.view.index, { path: 'key' }), { selfDescribe: false });
    const bytes = this.world.state(workflow, key);
    return bytes === null ? null : valueToSugarJson(decodeCanonical(bytes), { ref: module.abi.workflow.state }, this.world.view.index);
  }

  /** Every cell of a keyed workflow: its key and state, in the sugar lens. */
  cells(workflow: string): Array<{ key: CborValue; state: unknown }> {
    const module = this.world.view.modules.get(workflow);
    const stateSchema = module?.abi.workflow?.state ?? '';
    return this.world.cells(workflow).map((cell) => ({
      key: cell.key === null ? null : decodeCanonical(cell.key),
      state: cell.state === null ? null : valueToSugarJson(decodeCanonical(cell.state), { ref: stateSchema }, this.world.view.index),
    }));
  }

  snapshot(): void {
    this.world.snapshot();
  }

  /** Replay or die: reopen from durable state (latest snapshot + tail), then replay from genesis and every snapshot. */
  async replayOrDie(): Promise<{ heights: number; snapshots: number }> {
    const before = this.world.head;
    this.world.close();
    this.world = await EmbeddedWorld.open(this.dir);
    if (this.world.head.hash !== before.hash) throw new Error(`reopening gives head ${this.world.head.hash ?? '-'}, the live world had ${before.hash ?? '-'}`);
    return this.world.verifyReplay();
  }

  close(): void {
    this.world.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A ladder driver: drives its world, asserting as it goes; throws to fail. */
export interface LadderDriver {
  readonly slug: string;
  readonly world: string;
  run(world: LadderWorld): Promise<void> | void;
}

export function expectEqual(actual: unknown, expected: unknown, what: string): void {
  const a = JSON.stringify(actual, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  const e = JSON.stringify(expected, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  if (a !== e) throw new Error(`${what}: expected ${e}, got ${a}`);
}
