// Goal: blob.put stores the bytes and a canonical sys/BlobEdge@1 node and answers with their
// hashes; blob.get returns the bytes; every refusal (blob_ref mismatch, missing, corrupt or
// oversized blob, misfit params) is an error receipt that still fits the receipt schema.
// Method: run the adapter against a CAS in memory; recompute the edge node independently from
// the schema (valueFromCbor + encodeCanonical) and compare bytes and hashes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BLOB_GET_BYTES_MAX, BLOB_GET_EFFECT, BLOB_PUT_EFFECT, BlobAdapter, blobEdgeNode } from '../../../src/adapters/index.ts';
import { builtinCatalog, valueFromCbor } from '../../../src/air/index.ts';
import { decodeCanonical, encodeCanonical, hashBytes, InvariantError, isHash, ZERO_HASH } from '../../../src/cbor/index.ts';
import type { CborObject, CborValue, Hash } from '../../../src/cbor/index.ts';
import { checkedPayload, MemoryBlobs, testContext, testIntent } from '../../support/adapter-fixture.ts';

const PUT_RECEIPT = 'sys/BlobPutReceipt@1';
const GET_RECEIPT = 'sys/BlobGetReceipt@1';
const text = (value: string): Uint8Array => new TextEncoder().encode(value);

async function put(blobs: MemoryBlobs, params: CborObject): Promise<{ status: string; receipt: CborObject }> {
  const outcome = await new BlobAdapter().execute(testIntent(BLOB_PUT_EFFECT, params), testContext(blobs));
  return { status: outcome.status, receipt: checkedPayload(outcome, PUT_RECEIPT) };
}

async function get(blobs: MemoryBlobs, blobRef: Hash): Promise<{ status: string; receipt: CborObject }> {
  const outcome = await new BlobAdapter().execute(testIntent(BLOB_GET_EFFECT, { blob_ref: blobRef }), testContext(blobs));
  return { status: outcome.status, receipt: checkedPayload(outcome, GET_RECEIPT) };
}

/** The edge node as the schema defines it, built without the adapter's helper. */
function expectedEdge(blobRef: Hash, refs: readonly Hash[]): Uint8Array {
  const value: CborValue = valueFromCbor({ blob_ref: blobRef, refs: [...refs] }, { ref: 'sys/BlobEdge@1' }, builtinCatalog(), { path: 'edge' });
  return encodeCanonical(value);
}

test('put then get round-trips the bytes; the receipts carry blob_ref, size and edge_ref', async () => {
  const blobs = new MemoryBlobs();
  const bytes = text('hello blob');
  const stored = await put(blobs, { bytes, blob_ref: null, refs: null });
  assert.equal(stored.status, 'ok');
  assert.equal(stored.receipt['blob_ref'], hashBytes(bytes));
  assert.equal(stored.receipt['size'], bytes.byteLength);
  const fetched = await get(blobs, hashBytes(bytes));
  assert.equal(fetched.status, 'ok');
  assert.deepEqual(fetched.receipt, { blob_ref: hashBytes(bytes), size: bytes.byteLength, bytes });
});

test('the edge node is stored canonically: a leaf has refs [], refs are kept in order, edge_ref is its hash', async () => {
  const blobs = new MemoryBlobs();
  const leaf = text('leaf');
  const leafPut = await put(blobs, { bytes: leaf, blob_ref: hashBytes(leaf), refs: null });
  const leafEdge = expectedEdge(hashBytes(leaf), []);
  assert.equal(leafPut.receipt['edge_ref'], hashBytes(leafEdge));
  assert.deepEqual(blobs.get(hashBytes(leafEdge)), leafEdge);
  assert.deepEqual([...leafEdge.subarray(0, 3)], [0xd9, 0xd9, 0xf7], 'a node carries the self-describe prefix');

  const refs = [hashBytes(text('b')), hashBytes(text('a'))];
  const parent = text('parent');
  const parentPut = await put(blobs, { bytes: parent, blob_ref: null, refs });
  const parentEdge = expectedEdge(hashBytes(parent), refs);
  assert.equal(parentPut.receipt['edge_ref'], hashBytes(parentEdge));
  assert.deepEqual(blobs.get(hashBytes(parentEdge)), parentEdge);
  assert.deepEqual(decodeCanonical(parentEdge), { blob_ref: hashBytes(parent), refs });
  assert.deepEqual(blobEdgeNode(hashBytes(parent), refs), { bytes: parentEdge, hash: hashBytes(parentEdge) });
  assert.equal(blobs.objects.size, 4, 'two blobs and two edge nodes');
});

test('putting the same bytes again (an at-least-once retry) gives the same receipt', async () => {
  const blobs = new MemoryBlobs();
  const params = { bytes: text('again'), blob_ref: null, refs: [ZERO_HASH] };
  assert.deepEqual(await put(blobs, params), await put(blobs, params));
  assert.equal(blobs.objects.size, 2);
});

test('a blob_ref that is not the hash of the bytes is an error, and nothing is stored', async () => {
  const blobs = new MemoryBlobs();
  const bytes = text('actual');
  const { status, receipt } = await put(blobs, { bytes, blob_ref: hashBytes(text('claimed')), refs: null });
  assert.equal(status, 'error');
  assert.equal(receipt['blob_ref'], hashBytes(bytes), 'the receipt names the computed hash');
  assert.equal(receipt['edge_ref'], hashBytes(expectedEdge(hashBytes(bytes), [])));
  assert.equal(blobs.objects.size, 0);
});

test('an empty blob is stored like any other', async () => {
  const blobs = new MemoryBlobs();
  const { status, receipt } = await put(blobs, { bytes: new Uint8Array(0), blob_ref: null, refs: null });
  assert.equal(status, 'ok');
  assert.equal(receipt['size'], 0);
  assert.deepEqual((await get(blobs, hashBytes(new Uint8Array(0)))).receipt['bytes'], new Uint8Array(0));
});

/** The message an error receipt of blob.get carries in its bytes. */
function messageOf(receipt: CborObject): string {
  const bytes = receipt['bytes'];
  assert.ok(bytes instanceof Uint8Array);
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}

test('getting a missing blob is an error whose bytes say what is missing and what to do', async () => {
  const missing = hashBytes(text('never stored'));
  const { status, receipt } = await get(new MemoryBlobs(), missing);
  assert.equal(status, 'error');
  assert.equal(receipt['blob_ref'], missing);
  assert.equal(receipt['size'], 0);
  assert.match(messageOf(receipt), new RegExp(`blob ${missing} could not be read from the CAS \\(.*\\); put it with blob\\.put first`));
});

test('a blob over BLOB_GET_BYTES_MAX is refused; a corrupt CAS answer is refused', async () => {
  const blobs = new MemoryBlobs();
  const big = new Uint8Array(BLOB_GET_BYTES_MAX + 1);
  const bigRef = blobs.put(big);
  const large = await get(blobs, bigRef);
  assert.equal(large.status, 'error');
  assert.equal(large.receipt['size'], big.byteLength);
  assert.match(messageOf(large.receipt), /over the 4194304-byte cap \(BLOB_GET_BYTES_MAX\)/);

  const liar = new MemoryBlobs();
  const ref = hashBytes(text('original'));
  liar.objects.set(ref, text('tampered'));
  const corrupt = await get(liar, ref);
  assert.equal(corrupt.status, 'error');
  assert.match(messageOf(corrupt.receipt), /do not hash to it; the stored blob is corrupt/);
});

test('params that do not fit the schema settle as error receipts (ZERO_HASH), not throws', async () => {
  const blobs = new MemoryBlobs();
  const badPut = await new BlobAdapter().execute(testIntent(BLOB_PUT_EFFECT, { bytes: 'not bytes' }), testContext(blobs));
  assert.equal(badPut.status, 'error');
  assert.deepEqual(checkedPayload(badPut, PUT_RECEIPT), { blob_ref: ZERO_HASH, edge_ref: ZERO_HASH, size: 0 });
  const badGet = await new BlobAdapter().execute(testIntent(BLOB_GET_EFFECT, { blob_ref: 'sha256:nope' }), testContext(blobs));
  const receipt = checkedPayload(badGet, GET_RECEIPT);
  assert.equal(badGet.status, 'error');
  assert.match(messageOf(receipt), /do not fit sys\/BlobGetParams@1/);
  assert.ok(isHash(receipt['blob_ref']));
});

test('an effect kind the adapter does not execute is an executor bug', async () => {
  await assert.rejects(new BlobAdapter().execute(testIntent('sys/timer.set@1', {}), testContext(new MemoryBlobs())), InvariantError);
});
