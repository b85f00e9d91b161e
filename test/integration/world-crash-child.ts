// Child of world-crash.test.ts: opens the world at argv[2] and sends events, one cell per event
// (`e-<seq>`), printing `ack <seq>` only after `send` returned (the records are durable).
import { encodeCanonical } from '../../src/cbor/index.ts';
import { EmbeddedWorld } from '../../src/node/index.ts';

const [root = '', first = '0'] = process.argv.slice(2);
const world = await EmbeddedWorld.open(root);
for (let seq = Number(first); ; seq += 1) {
  world.send({ schema: 'demo/PerfEvent@1', value: encodeCanonical({ cell: `e-${seq}`, inc: 1 }, { selfDescribe: false }) });
  process.stdout.write(`ack ${seq}\n`);
}
