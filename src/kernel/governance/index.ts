export type { ApplyBlockers } from './quiescence.ts';
export type { ApplyInput } from './governance-inputs.ts';
export type { ProposalInput } from './compile-proposal.ts';
export { governanceSigningBytes, quorumShortfall, signingFieldsOf } from './governance-decision.ts';
export type { GovernanceDecision, GovernanceDecisionInput, GovernanceSigningFields } from './governance-decision.ts';
export type { GovernanceOp, GovernanceRecordBody } from './governance-record.ts';
export { loadManifestView } from './manifest-loader.ts';
export type { Proposal, ProposalStatus } from './proposal-ledger.ts';
