// The b2 chain: Start {count} puts a blob; each blob.put receipt that comes back puts the next
// one, until `count` have settled. Each blob holds its sequence number, so every intent differs.
import { decodeReceipt, defineWorkflow, effect } from 'agentos/sdk';
import type { EffectIntent, WorkflowEvent } from 'agentos/sdk';

interface ChainState { readonly remaining: number | bigint; readonly ok: number | bigint; readonly failed: number | bigint }
type ChainInput = { $tag: 'Start'; $value: { count: number | bigint } } | { $tag: 'Receipt'; $value: unknown };

function put(sequence: number): EffectIntent {
  return effect.blobPut({ bytes: Uint8Array.of(sequence & 0xff, (sequence >>> 8) & 0xff, (sequence >>> 16) & 0xff, (sequence >>> 24) & 0xff) }, { cap_slot: 'store' });
}

defineWorkflow<ChainState, ChainInput>({
  init: () => ({ remaining: 0, ok: 0, failed: 0 }),
  step(state, event) {
    const input = event.value;
    const settled = Number(state.ok) + Number(state.failed);
    if (input.$tag === 'Start') {
      const count = Number(input.$value.count);
      return count === 0 ? { state, effects: [] } : { state: { ...state, remaining: count - 1 }, effects: [put(settled)] };
    }
    const receipt = decodeReceipt({ schema: 'sys/EffectReceiptEnvelope@1', value: input.$value } as WorkflowEvent<unknown>);
    const ok = receipt.envelope.status === 'ok';
    const remaining = Number(state.remaining);
    const next = { remaining: remaining > 0 ? remaining - 1 : 0, ok: Number(state.ok) + (ok ? 1 : 0), failed: Number(state.failed) + (ok ? 0 : 1) };
    return { state: next, effects: remaining > 0 ? [put(settled + 1)] : [] };
  },
});
