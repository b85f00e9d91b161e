// Run by bench/restore.ts in a fresh process: opens a world and reads the counter, timing it.
import { decodeCanonical } from '../src/cbor/index.ts';
import { EmbeddedWorld } from '../src/node/index.ts';

const start = process.hrtime.bigint();
const world = await EmbeddedWorld.open(process.argv[2] ?? '.');
const state = decodeCanonical(world.state('demo/PerfCounter@1') ?? new Uint8Array());
const openMs = Number(process.hrtime.bigint() - start) / 1e6;
world.close();
process.stdout.write(`open_ms=${openMs} state=${JSON.stringify(state)}\n`);
