// The adapter of the four internal governance.* effects (DESIGN §8): a workflow proposes,
// shadows, decides and applies changes to its own world through a WorldGovernance the node
// implements. Each effect is first gated like any other (sys/CapEnforceGovernance@1 limits what a
// proposal may change, read from the summary in its params; the policy decides); the node then
// checks that the summary describes the patch, and the world's own rules decide the rest (the
// approval policy, quorum, strict quiescence). Refusals are error receipts carrying the message.
// Its adapter_id is KERNEL_ADAPTER_ID (the kernel's own key signs).
import { assert } from '../cbor/index.ts';
import type { CborObject, CborValue, Hash } from '../cbor/index.ts';
import type { Adapter, AdapterContext, AdapterIntent, AdapterOutcome } from './adapter.ts';
import { KERNEL_ADAPTER_ID } from './kernel-adapter-id.ts';
import { readParams } from './typed-params.ts';

/** What a governance step gives back: the receipt's fields, or why it was refused. */
export type GovernanceResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

/** A proposal as a workflow submits it: the patch document (JSON bytes) and what it claims about it. */
export interface GovernanceProposal {
  readonly document: Uint8Array;
  /** sys/GovPatchSummary@1 as the workflow wrote it (what the cap enforcer checked), or null. */
  readonly summary: CborObject | null;
  readonly manifest_base: Hash | null;
  readonly description: string | null;
}

/** A decision a workflow asks for: it is signed by the workflow's own principal key, if the node has one. */
export interface GovernanceDecisionRequest {
  readonly proposal_id: number;
  readonly decision: 'approve' | 'reject';
  readonly approver: string;
  readonly reason: string | null;
}

/** The world's governance as the emitting workflow may use it; each call names the intent that asks. */
export interface WorldGovernance {
  propose(intentHash: Hash, proposal: GovernanceProposal): GovernanceResult<{ proposal_id: number; patch_hash: Hash; manifest_base: Hash }>;
  /** Shadows a proposal; once `signal` has aborted (the intent's deadline passed) it journals nothing. */
  shadow(intentHash: Hash, proposalId: number, signal: AbortSignal): Promise<GovernanceResult<CborValue>>;
  decide(intentHash: Hash, request: GovernanceDecisionRequest): GovernanceResult<{ patch_hash: Hash }>;
  /** Applies at strict quiescence, this intent exempt: the world settles it with the swap. */
  apply(intentHash: Hash, proposalId: number): GovernanceResult<{ manifest_hash_new: Hash; patch_hash: Hash }>;
}

/** Each governance effect's def name and the schema of its params. */
const EFFECTS = {
  'sys/governance.propose@1': 'sys/GovProposeParams@1',
  'sys/governance.shadow@1': 'sys/GovShadowParams@1',
  'sys/governance.approve@1': 'sys/GovApproveParams@1',
  'sys/governance.apply@1': 'sys/GovApplyParams@1',
} as const;
type GovernanceEffect = keyof typeof EFFECTS;

/** The governance effects' def names. */
export const GOVERNANCE_EFFECTS: readonly string[] = Object.freeze(Object.keys(EFFECTS));

/** Executes governance.* against a WorldGovernance. */
export class GovernanceAdapter implements Adapter {
  readonly id = KERNEL_ADAPTER_ID;
  readonly kinds: readonly string[] = GOVERNANCE_EFFECTS;

  constructor(private readonly world: WorldGovernance) {}

  async execute(intent: AdapterIntent, context: AdapterContext): Promise<AdapterOutcome> {
    assert(intent.effect_kind in EFFECTS, `the executor routes only governance effects to the governance adapter, not ${intent.effect_kind}`);
    const effect = intent.effect_kind as GovernanceEffect;
    const reading = readParams(intent, EFFECTS[effect]);
    if (!reading.ok) return { status: 'error', payload: reading.message };
    const result = await this.run(effect, intent.intent_hash, reading.params, context);
    return result.ok ? { status: 'ok', payload: result.value } : { status: 'error', payload: `${intent.effect_kind}: ${result.message}` };
  }

  private async run(effect: GovernanceEffect, intentHash: Hash, params: CborObject, context: AdapterContext): Promise<GovernanceResult<CborValue>> {
    const proposalId = Number(params.proposal_id ?? -1);
    switch (effect) {
      case 'sys/governance.propose@1': {
        const document = patchDocument(params.patch ?? null, context);
        if (!document.ok) return document;
        const result = this.world.propose(intentHash, {
          document: document.value, summary: (params.summary ?? null) as CborObject | null,
          manifest_base: (params.manifest_base ?? null) as Hash | null, description: (params.description ?? null) as string | null,
        });
        return result.ok ? { ok: true, value: { ...result.value } } : result;
      }
      case 'sys/governance.shadow@1':
        return this.world.shadow(intentHash, proposalId, context.signal);
      case 'sys/governance.approve@1': {
        const decision = tagOf(params.decision ?? null) === 'reject' ? 'reject' : 'approve';
        const request = { proposal_id: proposalId, decision, approver: String(params.approver), reason: (params.reason ?? null) as string | null } as const;
        const result = this.world.decide(intentHash, request);
        if (!result.ok) return result;
        return { ok: true, value: { proposal_id: proposalId, decision: { $tag: decision, $value: null }, patch_hash: result.value.patch_hash, approver: request.approver, reason: request.reason } };
      }
      case 'sys/governance.apply@1': {
        const result = this.world.apply(intentHash, proposalId);
        return result.ok ? { ok: true, value: { proposal_id: proposalId, ...result.value } } : result;
      }
    }
  }
}

/** The patch document's JSON bytes from a sys/GovPatchInput@1: inline, or a blob in CAS. */
function patchDocument(input: CborValue, context: AdapterContext): GovernanceResult<Uint8Array> {
  const tag = tagOf(input);
  const value = (input as { $value?: CborValue } | null)?.$value ?? null;
  if (tag === 'patch_doc_json' && value instanceof Uint8Array) return { ok: true, value };
  if (tag === 'hash' && typeof value === 'string') return blob(value as Hash, context);
  if (tag === 'patch_blob_ref' && value !== null && typeof value === 'object' && 'blob_ref' in value) {
    const { blob_ref: ref, format } = value as { blob_ref: Hash; format: string };
    if (format !== 'patch_doc_json') return { ok: false, message: `patch blob format "${format}" is not supported; store the patch document as JSON and name the format "patch_doc_json"` };
    return blob(ref, context);
  }
  return { ok: false, message: `patch input "${tag}" is not supported; pass the patch document as JSON (patch_doc_json, or a blob by hash)` };
}

function blob(hash: Hash, context: AdapterContext): GovernanceResult<Uint8Array> {
  try {
    return { ok: true, value: context.blobs.get(hash) };
  } catch (error) {
    return { ok: false, message: `the patch blob ${hash} cannot be read: ${error instanceof Error ? error.message : String(error)}` };
  }
}

function tagOf(value: CborValue): string | null {
  return value !== null && typeof value === 'object' && '$tag' in value && typeof value.$tag === 'string' ? value.$tag : null;
}
