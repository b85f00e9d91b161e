// Shared by the store tests: journal records, temp world roots, both backends, and a seeded
// random source whose seed every test that uses it prints.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashBytes } from '../../../src/cbor/index.ts';
import { createMemoryNodeStore, openSqliteNodeStore } from '../../../src/store/index.ts';
import type { JournalEntry, NodeStore } from '../../../src/store/index.ts';

/** A journal record whose bytes name its height, so a misplaced record is visible. */
export function journalEntry(height: number, text = `record ${height}`): JournalEntry {
  const bytes = new TextEncoder().encode(text);
  return { height, kind: 'domain_event', bytes, hash: hashBytes(bytes) };
}

/** Records for heights [from, from + count). */
export function journalBatch(from: number, count: number): JournalEntry[] {
  return Array.from({ length: count }, (_, index) => journalEntry(from + index));
}

/** A fresh temp folder to use as a world root, and a way to remove it. */
export function tempRoot(): { root: string; remove: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'aos-store-'));
  return { root, remove: () => rmSync(root, { recursive: true, force: true }) };
}

/** A node store under test and how to dispose of it. */
export interface OpenedNode {
  readonly node: NodeStore;
  dispose(): void;
}

/** Both backends, so contract tests run the same list against each. */
export const BACKENDS: ReadonlyArray<{ name: string; open: () => OpenedNode }> = [
  { name: 'memory', open: () => ({ node: createMemoryNodeStore(), dispose: () => undefined }) },
  {
    name: 'sqlite',
    open: () => {
      const { root, remove } = tempRoot();
      const node = openSqliteNodeStore(root);
      return { node, dispose: () => { node.close(); remove(); } };
    },
  },
];

/** The seed of a randomised test: AOS_SIM_SEED when set, else a fresh one (printed by the caller). */
export function testSeed(): number {
  const fromEnvironment = process.env['AOS_SIM_SEED'];
  return fromEnvironment === undefined ? Math.floor(Math.random() * 2 ** 32) : Number(fromEnvironment);
}

/** A deterministic generator of integers in [0, bound) from a 32-bit seed (mulberry32). */
export function seededRandom(seed: number): (bound: number) => number {
  let state = seed >>> 0;
  return (bound) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    return Math.floor((((mixed ^ (mixed >>> 14)) >>> 0) / 2 ** 32) * bound);
  };
}
