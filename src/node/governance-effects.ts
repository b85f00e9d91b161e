// What governance.* effects do in one embedded world (DESIGN §8): the node side of the
// governance adapter. A workflow proposes (its name is the author) and shadows; it decides only
// with a principal key the node assigns to it (governance-principals.ts), which the approval
// policy must name; it applies
// with its own governance.apply exempt from quiescence (the world settles that intent with the
// swap). The summary in a proposal's params is what the grant's cap enforcer checked, so it must
// describe the patch: its ops, def changes and manifest sections are compared with the patch's own.
import { isCborObject, ZERO_HASH } from '../cbor/index.ts';
import type { CborObject, CborValue, Hash } from '../cbor/index.ts';
import { compilePatch, sealNode } from '../air/index.ts';
import type { PatchSummary } from '../air/index.ts';
import type { GovernanceDecisionRequest, GovernanceProposal, GovernanceResult, WorldGovernance } from '../adapters/governance-adapter.ts';
import { KernelError, loadManifestView } from '../kernel/index.ts';
import type { ManifestView, OpenIntent } from '../kernel/index.ts';
import type { ApprovalSigner } from './approval-signer.ts';
import type { EmbeddedWorld } from './embedded-world.ts';
import { NodeError } from './errors.ts';
import { loadWorkflowPrincipals, WORKFLOW_PRINCIPALS_FILE } from './governance-principals.ts';
import { shadowProposal } from './governance-shadow.ts';
import type { ShadowReport } from './governance-shadow.ts';

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The governance of one embedded world; `principals` are the keys the node assigned to workflows,
 * by module (by default those of <root>/.aos/workflow-principals.json, read when a workflow first decides).
 */
export class EmbeddedGovernance implements WorldGovernance {
  private principals: ReadonlyMap<string, ApprovalSigner> | undefined;

  constructor(private readonly world: EmbeddedWorld, principals?: ReadonlyMap<string, ApprovalSigner>) {
    this.principals = principals;
  }

  propose(intentHash: Hash, proposal: GovernanceProposal): GovernanceResult<{ proposal_id: number; patch_hash: Hash; manifest_base: Hash }> {
    const module = this.originOf(intentHash);
    const base = this.world.view.hash;
    const mismatch = this.summaryMismatch(proposal);
    if (mismatch !== null) return { ok: false, message: mismatch };
    return this.attempt(() => {
      const records = this.world.propose({ document: proposal.document, author: `workflow:${module}`, ...(proposal.description !== null ? { description: proposal.description } : {}) });
      const body = records[0]?.body;
      if (body?.kind !== 'governance' || body.patch_hash === undefined) throw new NodeError('BAD_INPUT', 'the proposal journaled no compiled patch', 'this is a bug in AgentOS; please report it');
      return { proposal_id: body.proposal_id, patch_hash: body.patch_hash, manifest_base: base };
    });
  }

  async shadow(intentHash: Hash, proposalId: number, signal: AbortSignal): Promise<GovernanceResult<CborValue>> {
    this.originOf(intentHash);
    try {
      const pending = [...this.world.openIntents().values()].filter((intent) => intent.hash !== intentHash);
      const { report } = await shadowProposal(this.world, proposalId, { signal });
      return { ok: true, value: shadowReceipt(report, loadManifestView(this.world.cas, report.manifest_hash), pending) };
    } catch (error) {
      if (error instanceof NodeError || error instanceof KernelError) return { ok: false, message: error.message };
      throw error;
    }
  }

  decide(intentHash: Hash, request: GovernanceDecisionRequest): GovernanceResult<{ patch_hash: Hash }> {
    const module = this.originOf(intentHash);
    let principals: ReadonlyMap<string, ApprovalSigner>;
    try {
      principals = this.principals ??= loadWorkflowPrincipals(this.world.dir);
    } catch (error) {
      if (error instanceof NodeError) return { ok: false, message: `${error.message}; ${error.hint ?? ''}` };
      throw error;
    }
    const signer = principals.get(module);
    if (signer === undefined) {
      return { ok: false, message: `workflow ${module} holds no principal key on this node, so it cannot ${request.decision} proposals; a workflow decides only as a principal the approval policy names (the node assigns one in .aos/${WORKFLOW_PRINCIPALS_FILE})` };
    }
    if (signer.name !== request.approver) return { ok: false, message: `workflow ${module} decides as principal "${signer.name}", not "${request.approver}"` };
    return this.attempt(() => {
      this.world.decideProposal(request.proposal_id, request.decision, signer, request.reason);
      const patchHash = this.world.proposals()[request.proposal_id]?.patch_hash ?? null;
      if (patchHash === null) throw new NodeError('BAD_INPUT', `proposal ${request.proposal_id} has no patch`, 'this is a bug in AgentOS; please report it');
      return { patch_hash: patchHash };
    });
  }

  apply(intentHash: Hash, proposalId: number): GovernanceResult<{ manifest_hash_new: Hash; patch_hash: Hash }> {
    this.originOf(intentHash);
    return this.attempt(() => {
      this.world.applyProposal({ proposal_id: proposalId, intent_hash: intentHash });
      const proposal = this.world.proposals()[proposalId];
      if (proposal?.manifest_hash === undefined || proposal.manifest_hash === null || proposal.patch_hash === null) throw new NodeError('BAD_INPUT', `proposal ${proposalId} applied without a manifest`, 'this is a bug in AgentOS; please report it');
      return { manifest_hash_new: proposal.manifest_hash, patch_hash: proposal.patch_hash };
    });
  }

  /** The workflow that emitted an open intent. */
  private originOf(intentHash: Hash): string {
    const intent = this.world.openIntents().get(intentHash);
    if (intent === undefined) throw new NodeError('BAD_INPUT', `governance intent ${intentHash} is not open`, 'only open intents are executed');
    return intent.module;
  }

  /** Why the summary in the params does not describe the patch, or null when it does (or there is none). */
  private summaryMismatch(proposal: GovernanceProposal): string | null {
    let document: unknown;
    try {
      document = JSON.parse(UTF8.decode(proposal.document));
    } catch {
      return null; // the world journals the rejection with the reason
    }
    const base = (document as { base_manifest_hash?: unknown } | null)?.base_manifest_hash;
    if (proposal.manifest_base !== null && proposal.manifest_base !== base) {
      return `manifest_base ${proposal.manifest_base} is not the patch's base_manifest_hash ${String(base)}`;
    }
    if (proposal.summary === null) return null;
    const compiled = compilePatch(document, { manifest: sealNode(this.world.view.manifest), index: this.world.view.index });
    if (!compiled.ok) return null;
    const claimed = normalized(proposal.summary);
    const actual = fromPatch(compiled.patch.summary);
    for (const field of ['ops', 'def_changes', 'manifest_sections'] as const) {
      if (claimed[field] !== actual[field]) return `the summary's ${field} (${claimed[field]}) do not describe the patch (${actual[field]}); the grant was checked against the summary, so it must be the patch's own`;
    }
    const hash = proposal.summary.patch_hash;
    if (hash !== ZERO_HASH && hash !== compiled.patch.patchHash) return `the summary's patch_hash ${String(hash)} is not the patch's (${compiled.patch.patchHash}); write the zero hash when it is not known`;
    return null;
  }

  private attempt<T>(work: () => T): GovernanceResult<T> {
    try {
      return { ok: true, value: work() };
    } catch (error) {
      if (error instanceof NodeError || error instanceof KernelError) return { ok: false, message: error.message };
      throw error;
    }
  }
}

interface SummaryText { readonly ops: string; readonly def_changes: string; readonly manifest_sections: string }

function normalized(summary: CborObject): SummaryText {
  const list = (value: CborValue | undefined): CborValue[] => (Array.isArray(value) ? [...value as CborValue[]] : []);
  const changes = list(summary.def_changes).map((change) => {
    const fields = isCborObject(change) ? change : {};
    const action = fields.action;
    const tag = action !== null && action !== undefined && isCborObject(action) && typeof action.$tag === 'string' ? action.$tag : String(action);
    return `${String(fields.kind)} ${String(fields.name)} ${tag}`;
  });
  return { ops: [...new Set(list(summary.ops).map(String))].sort().join(','), def_changes: changes.sort().join(','), manifest_sections: list(summary.manifest_sections).map(String).sort().join(',') };
}

function fromPatch(summary: PatchSummary): SummaryText {
  return {
    ops: [...new Set(summary.ops)].sort().join(','),
    def_changes: summary.def_changes.map((change) => `${change.kind} ${change.name} ${change.action}`).sort().join(','),
    manifest_sections: [...summary.manifest_sections].sort().join(','),
  };
}

/** The report as sys/GovShadowReceipt@1 (the whole report is in CAS, its hash journaled); `pending` is the work in flight at the fork. */
function shadowReceipt(report: ShadowReport, candidate: ManifestView, pending: readonly OpenIntent[]): CborValue {
  const ledger = (name: string) => (name === 'capability' ? 'capability' : 'policy');
  return {
    proposal_id: report.proposal_id, manifest_hash: report.manifest_hash,
    predicted_effects: report.effects_predicted.map((effect) => ({ kind: effect.kind, cap: effect.grant, intent_hash: effect.intent_hash, params_json: effect.params })),
    pending_workflow_receipts: pending.map((intent) => ({
      instance_id: `${intent.module}${intent.key === null ? '' : ` ${Buffer.from(intent.key).toString('base64')}`}`, origin_module_id: intent.module,
      origin_instance_key_b64: intent.key === null ? null : Buffer.from(intent.key).toString('base64'), intent_hash: intent.hash, effect_kind: intent.kind, emitted_at_seq: intent.emittedAt,
    })),
    workflow_instances: report.state_changes.map((diff) => ({ instance_id: `${diff.module}${diff.key === null ? '' : ` ${JSON.stringify(diff.key)}`}`, status: diff.change, last_processed_event_seq: report.forked_at, module_version: null, inflight_intents: 0 })),
    module_effect_allowlists: [...candidate.modules.values()].filter((module) => module.abi.workflow !== undefined && !module.name.startsWith('sys/'))
      .map((module) => ({ module: module.name, effects_emitted: [...(module.abi.workflow?.effects_emitted ?? [])] })),
    ledger_deltas: report.ledger_changes.filter((change) => change.ledger === 'capability' || change.ledger === 'policy')
      .map((change) => ({ ledger: { $tag: ledger(change.ledger), $value: null }, name: change.name, change: { $tag: change.change, $value: null } })),
  } as unknown as CborValue;
}
