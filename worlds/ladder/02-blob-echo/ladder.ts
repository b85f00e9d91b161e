// Ladder 02 (upstream smoke fixture 02-blob-echo): Start{data: "Blob Echo Example"} puts the
// bytes, gets them back by ref and hashes them. Upstream fakes both receipts and checks only
// replay; we run the real blob adapter and also check: the final state (all four refs equal the
// bytes' sha256, upstream's unasserted `data_ok`), the journal's shape (each effect journals its
// cap and policy decisions before its intent, and its receipt settles it before the next), the
// blob and its sys/BlobEdge@1 node in the CAS with edge_ref = sha256(canonical {blob_ref, refs: []}),
// both receipts ed25519-signed by the world's trusted blob key, Start while Putting ignored, a
// second echo from Done (empty bytes), a snapshot mid-run, and no open work or fault at the end.
import { decodeCanonical, encodeCanonical, hashBytes, isHash } from '../../../src/cbor/index.ts';
import { BLOB_ADAPTER_ID_DEFAULT, BlobAdapter } from '../../../src/adapters/index.ts';
import { expectEqual, kindsOf } from '../../../scripts/ladder-kit.ts';
import type { LadderDriver, LadderWorld } from '../../../scripts/ladder-kit.ts';

const WORKFLOW = 'demo/BlobEchoSM@1';
const EVENT = 'demo/BlobEchoEvent@1';
const DATA = new TextEncoder().encode('Blob Echo Example');
/** Upstream's expected ref for DATA (ladder.md), written out so a hashing change cannot hide. */
const DATA_REF = 'sha256:e86c12bd8e9bc9a9bcfdc643b00753f0ba0de51c3fffe8d2491d93c7e6941810';
const DECIDED = ['cap_decision', 'policy_decision', 'effect_intent'];

const start = (data: Uint8Array) => ({ Start: { data: Buffer.from(data).toString('base64') } });
const echoed = (ref: string) => ({ pc: 'Done', pending_blob_ref: ref, stored_blob_ref: ref, retrieved_blob_ref: ref, retrieved_blob_hash: ref });

/** Runs one echo from Start to Done; returns the put and get receipt payloads. */
async function echo(world: LadderWorld, data: Uint8Array, beforeDispatch: () => void = () => undefined): Promise<unknown[]> {
  const started = world.send(EVENT, start(data));
  expectEqual(kindsOf(started), ['domain_event', ...DECIDED], 'Start journals the event, the decisions, then blob.put');
  beforeDispatch();
  const from = world.world.head.height;
  await world.until('the echo completes', () => world.world.openIntents().size === 0 && (world.state(WORKFLOW) as { pc: string }).pc === 'Done');
  const records = world.records(from);
  expectEqual(kindsOf(records), ['effect_receipt', ...DECIDED, 'effect_receipt'], 'the put receipt, then get decided and intended, then its receipt');
  const intents = [...started, ...records].filter((record) => record.body.kind === 'effect_intent').map((record) => record.body);
  expectEqual(intents.map((body) => (body.kind === 'effect_intent' ? body.effect_kind : '')), ['blob.put', 'blob.get'], 'effect kinds in order');
  const settled = records.map((record) => (record.body.kind === 'effect_receipt' ? record.body.intent_hash : '')).filter((hash) => hash !== '');
  expectEqual(settled, intents.map((body) => (body.kind === 'effect_intent' ? body.intent_hash : '')), 'each receipt settles its intent, in order');
  return records.flatMap((record) => {
    if (record.body.kind !== 'effect_receipt') return [];
    expectEqual([record.body.adapter_id, record.body.status], [BLOB_ADAPTER_ID_DEFAULT, 'ok'], 'receipt adapter and status');
    return [decodeCanonical(record.body.payload)];
  });
}

/** The blob and its edge node are in the CAS, and the edge_ref is upstream's: sha256(canonical {blob_ref, refs: []}). */
function checkStored(world: LadderWorld, data: Uint8Array, ref: string, putReceipt: unknown): void {
  if (!isHash(ref)) throw new Error(`${ref} is not a hash`);
  const edgeBytes = encodeCanonical({ blob_ref: ref, refs: [] });
  expectEqual(putReceipt, { blob_ref: ref, edge_ref: hashBytes(edgeBytes), size: data.length }, 'put receipt');
  expectEqual(world.world.cas.get(ref), data, 'the blob in the CAS');
  expectEqual(decodeCanonical(world.world.cas.get(hashBytes(edgeBytes))), { blob_ref: ref, refs: [] }, 'the edge node in the CAS');
}

export const driver: LadderDriver = {
  slug: '02-blob-echo',
  world: 'worlds/ladder/02-blob-echo',
  adapterKeys: [BLOB_ADAPTER_ID_DEFAULT],
  async run(world) {
    const executor = world.executor([{ adapter: new BlobAdapter() }]);
    expectEqual(hashBytes(DATA), DATA_REF, 'upstream\'s ref for the data');
    const [put, get] = await echo(world, DATA, () => {
      expectEqual(kindsOf(world.send(EVENT, start(new Uint8Array([1])))), ['domain_event'], 'Start while Putting emits nothing');
      world.snapshot();
    });
    checkStored(world, DATA, DATA_REF, put);
    expectEqual(get, { blob_ref: DATA_REF, size: DATA.length, bytes: DATA }, 'get receipt');
    expectEqual(world.state(WORKFLOW), echoed(DATA_REF), 'final state: every ref is the data\'s sha256 (upstream\'s data_ok)');

    const empty = new Uint8Array(0);
    const emptyRef = hashBytes(empty);
    const [emptyPut] = await echo(world, empty);
    checkStored(world, empty, emptyRef, emptyPut);
    expectEqual(world.state(WORKFLOW), echoed(emptyRef), 'a second echo from Done, of no bytes');

    expectEqual(world.verifyReceiptSignatures(), 4, 'all four receipts verify against the world\'s trusted blob key');
    expectEqual(world.records(0, 'workflow_fault').length + world.records(0, 'receipt_rejected').length, 0, 'no faults, no rejected receipts');
    expectEqual([world.world.openIntents().size, executor.problems.length], [0, 0], 'no open work left');
  },
};
