// demo/Notes@1: each Note asks to store its text as a blob; a stored blob counts. Whether it may
// store anything is the policy's to say: at first it may not (the step is denied), until the
// evolver's change is approved and applied.
import { decodeReceipt, defineWorkflow, effect, RECEIPT_ENVELOPE_SCHEMA } from 'agentos/sdk';
import type { AirValue } from 'agentos/sdk';

type Nat = number | bigint;
interface NotesState { readonly stored: Nat; readonly last_blob: string | null }
type NotesEvent = { $tag: 'Note'; $value: { text: string } } | { $tag: 'Receipt'; $value: AirValue };

/** ASCII text as bytes (QuickJS has no TextEncoder; other characters become '?'). */
function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (char) => (char.charCodeAt(0) < 0x80 ? char.charCodeAt(0) : 0x3f));
}

defineWorkflow<NotesState, NotesEvent>({
  init: () => ({ stored: 0, last_blob: null }),
  step(state, event) {
    const input = event.value;
    if (input.$tag === 'Note') return { state, effects: [effect.blobPut({ bytes: ascii(input.$value.text) })] };
    const receipt = decodeReceipt({ schema: RECEIPT_ENVELOPE_SCHEMA, value: input.$value });
    if (receipt.kind !== 'blob.put' || receipt.envelope.status !== 'ok') return { state };
    return { state: { stored: (typeof state.stored === 'bigint' ? Number(state.stored) : state.stored) + 1, last_blob: receipt.payload.blob_ref } };
  },
});
