// demo/BlobEchoSM@1: Start{data} (accepted in Idle or Done) puts the bytes under their sha256
// ref; a matching put receipt gets them back; the get receipt's bytes are hashed, and when ref
// and hash both equal the stored ref the echo is complete (retrieved_blob_ref set). Receipts
// arrive through the Receipt arm; PutResult/GetResult can only arrive as domain events from
// outside (unsigned claims), so they are ignored: upstream trusted them.
import { decodeReceipt, defineWorkflow, effect, RECEIPT_ENVELOPE_SCHEMA, sha256Hash } from 'agentos/sdk';
import type { AirValue } from 'agentos/sdk';

type Pc = { $tag: 'Idle' } | { $tag: 'Putting' } | { $tag: 'Getting' } | { $tag: 'Done' };
interface BlobEchoState {
  readonly pc: Pc;
  readonly pending_blob_ref: string | null;
  readonly stored_blob_ref: string | null;
  readonly retrieved_blob_ref: string | null;
  readonly retrieved_blob_hash: string | null;
}
type BlobEchoEvent =
  | { $tag: 'Start'; $value: { data: Uint8Array } }
  | { $tag: 'PutResult'; $value: AirValue }
  | { $tag: 'GetResult'; $value: AirValue }
  | { $tag: 'Receipt'; $value: AirValue };

const idle = (): BlobEchoState => ({ pc: { $tag: 'Idle' }, pending_blob_ref: null, stored_blob_ref: null, retrieved_blob_ref: null, retrieved_blob_hash: null });

defineWorkflow<BlobEchoState, BlobEchoEvent>({
  init: idle,
  step(state, event) {
    const input = event.value;
    if (input.$tag === 'Start') {
      if (state.pc.$tag !== 'Idle' && state.pc.$tag !== 'Done') return { state };
      const blobRef = sha256Hash(input.$value.data);
      // A restart clears the previous echo's refs (upstream kept them, mixing two runs).
      return {
        state: { ...idle(), pc: { $tag: 'Putting' }, pending_blob_ref: blobRef },
        effects: [effect.blobPut({ bytes: input.$value.data, blob_ref: blobRef, refs: null })],
      };
    }
    if (input.$tag !== 'Receipt') return { state };
    const receipt = decodeReceipt({ schema: RECEIPT_ENVELOPE_SCHEMA, value: input.$value });
    const ok = receipt.envelope.status === 'ok';
    if (receipt.kind === 'blob.put' && state.pc.$tag === 'Putting') {
      if (!ok || receipt.payload.blob_ref !== state.pending_blob_ref) return { state: { ...state, pc: { $tag: 'Done' } } };
      const stored = receipt.payload.blob_ref;
      return { state: { ...state, pc: { $tag: 'Getting' }, stored_blob_ref: stored }, effects: [effect.blobGet({ blob_ref: stored })] };
    }
    if (receipt.kind === 'blob.get' && state.pc.$tag === 'Getting') {
      if (!ok) return { state: { ...state, pc: { $tag: 'Done' } } };
      const hash = sha256Hash(receipt.payload.bytes);
      const echoed = receipt.payload.blob_ref === state.stored_blob_ref && hash === state.stored_blob_ref;
      return { state: { ...state, pc: { $tag: 'Done' }, retrieved_blob_hash: hash, ...(echoed ? { retrieved_blob_ref: receipt.payload.blob_ref } : {}) } };
    }
    return { state };
  },
});
