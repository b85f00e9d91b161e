// demo/Evolver@1: a workflow that evolves its own world. On Evolve it drafts a patch (a new
// policy, demo/evolve-policy@2, that lets demo/Notes@1 store blobs, made the default) against the
// manifest it runs under (ctx.manifest_hash), proposes it with a summary its governance grant is
// checked against, and shadows it; then it waits for a human principal to approve. On Apply it
// applies the approved proposal itself: its own pending governance.apply does not block the apply
// (the world settles it with the swap). Error receipts are kept as the message, phase "failed".
import { decodeReceipt, defineWorkflow, effect, RECEIPT_ENVELOPE_SCHEMA } from 'agentos/sdk';
import type { AirValue, WorkflowContext } from 'agentos/sdk';

type Nat = number | bigint;
interface EvolverState {
  readonly phase: string;
  readonly proposal_id: Nat | null;
  readonly predicted_effects: Nat;
  readonly manifest_hash: string | null;
  readonly message: string | null;
}
type EvolveEvent = { $tag: 'Evolve' } | { $tag: 'Apply' } | { $tag: 'Receipt'; $value: AirValue };

const NEW_POLICY = 'demo/evolve-policy@2';
const ZERO_HASH = `sha256:${'0'.repeat(64)}`;

/** The policy the evolver drafts: Notes may store blobs; the evolver may still govern. */
const POLICY = Object.freeze({
  $kind: 'defpolicy', name: NEW_POLICY,
  rules: Object.freeze([
    Object.freeze({ when: Object.freeze({ effect_kind: 'blob.put', origin_kind: 'workflow', origin_name: 'demo/Notes@1' }), decision: 'allow' }),
    Object.freeze({ when: Object.freeze({ origin_kind: 'workflow', origin_name: 'demo/Evolver@1' }), decision: 'allow' }),
  ]),
});

/** ASCII text as bytes (QuickJS has no TextEncoder; the patch document is ASCII JSON). */
function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (char) => char.charCodeAt(0));
}

function propose(manifestHash: string): ReturnType<typeof effect.custom> {
  const document = { version: '1', base_manifest_hash: manifestHash, patches: [{ add_def: { kind: 'defpolicy', node: POLICY } }, { set_defaults: { policy: NEW_POLICY } }] };
  return effect.custom('governance.propose', {
    patch: { $tag: 'patch_doc_json', $value: ascii(JSON.stringify(document)) },
    summary: {
      base_manifest_hash: manifestHash, patch_hash: ZERO_HASH, ops: ['add_def', 'set_defaults'],
      def_changes: [{ kind: 'defpolicy', name: NEW_POLICY, action: { $tag: 'added' } }], manifest_sections: ['defaults', 'manifest_refs'],
    },
    manifest_base: manifestHash,
    description: 'let demo/Notes@1 store its notes as blobs',
  });
}

defineWorkflow<EvolverState, EvolveEvent>({
  init: () => ({ phase: 'idle', proposal_id: null, predicted_effects: 0, manifest_hash: null, message: null }),
  step(state, event, ctx: WorkflowContext | null) {
    const input = event.value;
    if (input.$tag === 'Evolve') {
      if ((state.phase !== 'idle' && state.phase !== 'failed') || ctx === null) return { state };
      return { state: { ...state, phase: 'proposing', message: null }, effects: [propose(ctx.manifest_hash)] };
    }
    if (input.$tag === 'Apply') {
      if (state.phase !== 'awaiting_approval' || state.proposal_id === null) return { state };
      return { state: { ...state, phase: 'applying' }, effects: [effect.custom('governance.apply', { proposal_id: state.proposal_id })] };
    }
    const receipt = decodeReceipt({ schema: RECEIPT_ENVELOPE_SCHEMA, value: input.$value });
    if (receipt.envelope.status !== 'ok') return { state: { ...state, phase: 'failed', message: String(receipt.payload) } };
    const payload = receipt.payload as Record<string, AirValue>;
    switch (receipt.envelope.effect_kind) {
      case 'governance.propose': {
        const id = payload.proposal_id as Nat;
        return { state: { ...state, phase: 'shadowing', proposal_id: id }, effects: [effect.custom('governance.shadow', { proposal_id: id })] };
      }
      case 'governance.shadow':
        return { state: { ...state, phase: 'awaiting_approval', predicted_effects: (payload.predicted_effects as readonly AirValue[]).length } };
      case 'governance.apply':
        return { state: { ...state, phase: 'applied', manifest_hash: payload.manifest_hash_new as string } };
      default:
        return { state };
    }
  },
});
