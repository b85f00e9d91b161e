// How a proposal is described to people and tools (`aos gov ls|show`, the control API): approvals
// by principal name, what the quorum still needs, the rejection and apply heights. One function
// for both paths, so a command prints the same whether it opened the folder or asked a node.
import { quorumShortfall } from '../kernel/index.ts';
import type { ApplyBlockers, Proposal } from '../kernel/index.ts';
import type { EmbeddedWorld } from './embedded-world.ts';
import { NodeError } from './errors.ts';
import { readShadowReport } from './governance-shadow.ts';
import type { ShadowReport } from './governance-shadow.ts';

/** A proposal as `ls` and `show` print it. */
export function summaryOf(world: EmbeddedWorld, proposal: Proposal) {
  const policy = world.view.manifest.approval_policy;
  const nameOf = (key: string) => policy?.principals.find((principal) => principal.public_key === key)?.name ?? null;
  return {
    id: proposal.id, status: proposal.status, description: proposal.description, author: proposal.author, patch_hash: proposal.patch_hash,
    base_manifest_hash: proposal.base_manifest_hash, manifest_hash: proposal.manifest_hash, touches: proposal.touches, proposed_at: proposal.proposed_at,
    report_hash: proposal.report_hash, approvals: proposal.approvers.map((key) => ({ principal: nameOf(key), public_key: key })),
    missing: proposal.status === 'proposed' || proposal.status === 'shadowed' ? quorumShortfall(policy, proposal.touches, proposal.approvers) : [],
    rejection: proposal.rejection === null ? null : { principal: proposal.rejection.principal === null ? null : nameOf(proposal.rejection.principal), reasons: proposal.rejection.reasons, at: proposal.rejection.at },
    applied_at: proposal.applied_at,
  };
}

export type ProposalSummary = ReturnType<typeof summaryOf>;

/** A proposal with its shadow report and, once approved, what would block its apply now. */
export interface ProposalDetail extends ProposalSummary {
  readonly report: ShadowReport | null;
  readonly blockers: ApplyBlockers | null;
}

/** Every proposal of the world, summarised. */
export function proposalSummaries(world: EmbeddedWorld): ProposalSummary[] {
  return world.proposals().map((proposal) => summaryOf(world, proposal));
}

/** One proposal in detail; NO_PROPOSAL when there is none with that id. */
export function proposalDetail(world: EmbeddedWorld, proposalId: number): ProposalDetail {
  const proposal = world.proposals()[proposalId];
  if (proposal === undefined) throw new NodeError('NO_PROPOSAL', `there is no proposal ${proposalId} (this world has ${world.proposals().length})`, 'list them with `aos gov ls`');
  const report = proposal.report_hash === null ? null : readShadowReport(world, proposal.report_hash);
  const blockers = proposal.status === 'approved' ? world.applyBlockers() : null;
  return { ...summaryOf(world, proposal), report, blockers };
}
