// Goal: reading a world (aos world state, cells, journal tail) opens it read-only: the state is
// the world's, from its snapshot and any journal tail, and inputs are refused with a clear error
// instead of being journaled by a reader.
// Method: a copy of the perf ladder world on the embedded default; events, a snapshot, more
// events (a tail); open read-only and compare with the writer's view.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeCanonical, encodeCanonical } from '../../../src/cbor/index.ts';
import { buildWorld, writeModuleHashes } from '../../../src/cli/build/index.ts';
import { EmbeddedWorld, NodeError } from '../../../src/node/index.ts';

const ROOT = join(import.meta.dirname, '../../..');
const COUNTER = 'demo/PerfCounter@1';
const event = (inc: number) => ({ schema: 'demo/PerfEvent@1', value: encodeCanonical({ cell: '', inc }, { selfDescribe: false }) });

test('a read-only open reads snapshot plus tail and refuses inputs', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'aos-read-only-'));
  try {
    cpSync(join(ROOT, 'worlds/ladder/12-performance'), dir, { recursive: true, filter: (path) => !path.endsWith('.aos') });
    writeModuleHashes(dir, (await buildWorld(dir)).modules);
    const writer = await EmbeddedWorld.create(dir);
    writer.sendBatch([event(1), event(2), event(3)]);
    writer.snapshot();
    writer.send(event(10));
    const head = writer.head;
    writer.close();

    const reader = await EmbeddedWorld.open(dir, { readOnly: true });
    try {
      assert.deepEqual(decodeCanonical(reader.state(COUNTER) ?? new Uint8Array()), { count: 16 }, 'snapshot (6) plus the replayed tail (10)');
      assert.deepEqual(reader.head, head);
      for (const attempt of [() => reader.send(event(1)), () => reader.sendBatch([event(1)]), () => reader.snapshot()]) {
        assert.throws(attempt, (error: unknown) => error instanceof NodeError && error.code === 'READ_ONLY' && /opened read-only/.test(error.message));
      }
    } finally {
      reader.close();
    }
    const again = await EmbeddedWorld.open(dir);
    try {
      assert.deepEqual(again.head, head, 'the refused inputs journaled nothing');
      again.send(event(1));
      assert.deepEqual(decodeCanonical(again.state(COUNTER) ?? new Uint8Array()), { count: 17 });
    } finally {
      again.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
