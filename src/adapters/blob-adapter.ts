// The sys/blob.put@1 and sys/blob.get@1 adapter, over the world's CAS.
//
// blob.put stores the bytes and a sys/BlobEdge@1 node {blob_ref, refs} linking the blob to
// the blobs it references (refs omitted = a leaf: []), as upstream does: the edge node is the
// canonical CBOR of that record (self-describe prefix included) and edge_ref is its hash, so
// the same bytes and refs always give the same edge_ref. refs are recorded as given, in order;
// they are not checked to exist (the CAS interface cannot ask without reading whole blobs).
// When params carry a blob_ref that is not the hash of the bytes, nothing is stored and the
// receipt is an error with the computed blob_ref and the edge_ref the put would have written.
//
// blob.get returns the bytes inline in its receipt, so it refuses blobs over
// BLOB_GET_BYTES_MAX. Its receipt schema has no field for a message: an error receipt carries
// the UTF-8 message in `bytes` and the blob's size in `size` when it was read (else 0).
//
// Neither receipt schema can say why params did not fit (a kernel bug): those error receipts
// carry ZERO_HASH, which is never the hash of real bytes. CAS write failures propagate: the
// executor retries the intent rather than settling it on a local disk fault.
import { assert, encodeCanonical, hashBytes, InvariantError, isHash, ZERO_HASH } from '../cbor/index.ts';
import type { CborObject, Hash } from '../cbor/index.ts';
import type { Adapter, AdapterContext, AdapterIntent, AdapterOutcome } from './adapter.ts';
import { AdapterError } from './errors.ts';
import { BLOB_GET_BYTES_MAX } from './limits.ts';
import { readParams } from './typed-params.ts';

/** The effect that stores a blob and its edge node. */
export const BLOB_PUT_EFFECT = 'sys/blob.put@1';
/** The effect that reads a blob back. */
export const BLOB_GET_EFFECT = 'sys/blob.get@1';
/** The adapter_id of a blob adapter built without one. */
export const BLOB_ADAPTER_ID_DEFAULT = 'blob.default';

/** How a blob adapter is built. */
export interface BlobAdapterOptions {
  /** The adapter_id its receipts carry; default BLOB_ADAPTER_ID_DEFAULT. */
  readonly id?: string;
}

/** The canonical bytes of a sys/BlobEdge@1 node and their hash (the edge_ref). */
export function blobEdgeNode(blobRef: Hash, refs: readonly Hash[]): { readonly bytes: Uint8Array; readonly hash: Hash } {
  const bytes = encodeCanonical({ blob_ref: blobRef, refs: [...refs] });
  return { bytes, hash: hashBytes(bytes) };
}

/** Executes blob.put and blob.get against the context's CAS. */
export class BlobAdapter implements Adapter {
  readonly id: string;
  readonly kinds: readonly string[] = [BLOB_PUT_EFFECT, BLOB_GET_EFFECT];
  // Puts stage into the node CAS and gets read it: nothing leaves the store.
  readonly inStore = true;

  constructor(options: BlobAdapterOptions = {}) {
    this.id = options.id ?? BLOB_ADAPTER_ID_DEFAULT;
    if (this.id === '') throw new AdapterError('BAD_OPTION', 'a blob adapter needs a non-empty id (the adapter_id of its receipts)');
  }

  // Synchronous work behind the async interface: a failure rejects the promise like any adapter's.
  async execute(intent: AdapterIntent, context: AdapterContext): Promise<AdapterOutcome> {
    assert(this.kinds.includes(intent.effect_kind), `the executor routes only ${this.kinds.join(' and ')} to the blob adapter, not ${intent.effect_kind}`);
    return intent.effect_kind === BLOB_PUT_EFFECT ? this.put(intent, context) : this.get(intent, context);
  }

  private put(intent: AdapterIntent, context: AdapterContext): AdapterOutcome {
    const reading = readParams(intent, 'sys/BlobPutParams@1');
    if (!reading.ok) return { status: 'error', payload: { blob_ref: ZERO_HASH, edge_ref: ZERO_HASH, size: 0 } };
    const { bytes, blob_ref: claimed, refs } = reading.params;
    assert(bytes instanceof Uint8Array, 'checked blob.put bytes are bytes');
    const blobRef = hashBytes(bytes);
    const edge = blobEdgeNode(blobRef, hashList(refs ?? []));
    const payload: CborObject = { blob_ref: blobRef, edge_ref: edge.hash, size: bytes.byteLength };
    if (claimed !== null && claimed !== blobRef) return { status: 'error', payload };
    assert(context.blobs.put(bytes) === blobRef, 'the CAS names bytes by their sha256');
    assert(context.blobs.put(edge.bytes) === edge.hash, 'the CAS names the edge node by its sha256');
    return { status: 'ok', payload };
  }

  private get(intent: AdapterIntent, context: AdapterContext): AdapterOutcome {
    const reading = readParams(intent, 'sys/BlobGetParams@1');
    if (!reading.ok) return getFailure(ZERO_HASH, 0, reading.message);
    const blobRef = reading.params['blob_ref'];
    assert(isHash(blobRef), 'a checked blob_ref is a hash');
    let bytes: Uint8Array;
    try {
      bytes = context.blobs.get(blobRef);
    } catch (error) {
      if (error instanceof InvariantError) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      return getFailure(blobRef, 0, `blob ${blobRef} could not be read from the CAS (${reason}); put it with blob.put first`);
    }
    if (hashBytes(bytes) !== blobRef) {
      return getFailure(blobRef, bytes.byteLength, `the CAS returned ${bytes.byteLength} bytes for ${blobRef} that do not hash to it; the stored blob is corrupt`);
    }
    if (bytes.byteLength > BLOB_GET_BYTES_MAX) {
      return getFailure(blobRef, bytes.byteLength, `blob ${blobRef} has ${bytes.byteLength} bytes, over the ${BLOB_GET_BYTES_MAX}-byte cap (BLOB_GET_BYTES_MAX) of a blob.get receipt; pass its blob_ref on instead of its bytes`);
    }
    return { status: 'ok', payload: { blob_ref: blobRef, size: bytes.byteLength, bytes } };
  }
}

/** An error receipt of blob.get: the message travels as UTF-8 in `bytes`. */
function getFailure(blobRef: Hash, size: number, message: string): AdapterOutcome {
  return { status: 'error', payload: { blob_ref: blobRef, size, bytes: new TextEncoder().encode(message) } };
}

function hashList(value: unknown): Hash[] {
  assert(Array.isArray(value), 'checked refs are a list');
  return value.map((item: unknown) => {
    assert(isHash(item), 'checked refs are hashes');
    return item;
  });
}
