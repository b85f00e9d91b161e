// Child process of crash-durability.test.ts: appends batches to world "crash" under the root
// given as argv[2] until it is killed, writing "ack <height>" for the last height of each
// batch only after append returned (so the parent knows that height was made durable).
import { writeSync } from 'node:fs';
import { hashBytes } from '../../../src/cbor/index.ts';
import { openSqliteNodeStore } from '../../../src/store/index.ts';
import type { JournalEntry } from '../../../src/store/index.ts';
import { seededRandom } from './store-fixtures.ts';

const BATCH_ENTRIES_MAX = 20;
// The parent kills the child long before this; the bound only keeps a stray child finite.
const BATCHES_MAX = 100_000;

const [root, seedText] = process.argv.slice(2);
if (root === undefined || seedText === undefined) {
  writeSync(2, 'usage: crash-append-child.ts <root> <seed>\n');
  process.exit(2);
}
const random = seededRandom(Number(seedText));
const node = openSqliteNodeStore(root);
const world = node.worlds().includes('crash') ? node.open('crash') : node.create('crash');
for (let batchIndex = 0; batchIndex < BATCHES_MAX; batchIndex += 1) {
  const from = world.journal.head()?.next_height ?? 0;
  const batch: JournalEntry[] = [];
  for (let index = 0; index < 1 + random(BATCH_ENTRIES_MAX); index += 1) {
    const bytes = new TextEncoder().encode(`height ${from + index} ${'.'.repeat(200)}`);
    batch.push({ height: from + index, kind: 'domain_event', bytes, hash: hashBytes(bytes) });
  }
  world.journal.append(batch);
  writeSync(1, `ack ${from + batch.length - 1}\n`);
}
node.close();
