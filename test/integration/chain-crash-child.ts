// Child of chain-crash.test.ts: opens the chain world at argv[2], starts the chain when argv[3] is
// "start", and runs its blob puts, printing `ack <n>` as each put starts (its intent may not be
// durable yet: the executor commits receipts without waiting for the disk) until it is killed.
// With argv[5] "writer", the store's writer thread commits every deferred write from the first.
import { BlobAdapter } from '../../src/adapters/index.ts';
import type { Adapter } from '../../src/adapters/index.ts';
import { encodeCanonical } from '../../src/cbor/index.ts';
import { EffectExecutor, EmbeddedWorld } from '../../src/node/index.ts';
import { testSigner } from '../support/receipt-keys.ts';

const [root = '', mode = '', count = '0', writes = 'inline'] = process.argv.slice(2);
const world = await EmbeddedWorld.open(root, writes === 'writer' ? { writerAfter: 0 } : {});
const blobs = new BlobAdapter();
let started = 0;
const counted: Adapter = {
  id: blobs.id, kinds: blobs.kinds, inStore: true,
  execute: (intent, context) => {
    process.stdout.write(`ack ${started++}\n`);
    return blobs.execute(intent, context);
  },
};
const executor = new EffectExecutor(world, [{ adapter: counted, signer: testSigner('blob.default') }]);
if (mode === 'start') world.send({ schema: 'bench/ChainStart@1', value: encodeCanonical({ count: Number(count) }, { selfDescribe: false }) });
executor.dispatch();
await executor.idle();
// The chain ran out before the parent killed this child: it waits to be killed all the same.
setInterval(() => undefined, 1_000);
