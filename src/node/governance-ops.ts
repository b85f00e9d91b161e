// The governance operations a node serves for one hosted world (control API → world thread):
// propose a patch document, shadow, the fields a principal signs, admit a decision signed
// elsewhere, apply, and the summaries `aos gov ls|show` print. A decision arrives signed: the
// node never holds or receives the principal's private key, and the kernel verifies the signature
// against the approval policy in force. Answers are the data the CLI prints in direct mode.
import { encodeCanonical } from '../cbor/index.ts';
import { valueFromJson } from '../air/index.ts';
import { isPublicKeyId, quorumShortfall, signingFieldsOf } from '../kernel/index.ts';
import type { EventInput, GovernanceDecision, GovernanceSigningFields } from '../kernel/index.ts';
import type { EmbeddedWorld } from './embedded-world.ts';
import { NodeError } from './errors.ts';
import { shadowProposal } from './governance-shadow.ts';
import type { ShadowReport } from './governance-shadow.ts';
import { proposalDetail, proposalSummaries } from './governance-summary.ts';
import type { ProposalDetail, ProposalSummary } from './governance-summary.ts';
import { optionalText, text } from './op-args.ts';
import type { OpArgs } from './op-args.ts';

/** The operation names HostedWorld routes here. */
export const GOVERNANCE_OPS: ReadonlySet<string> = new Set(['gov_ls', 'gov_show', 'gov_propose', 'gov_shadow', 'gov_subject', 'gov_decide', 'gov_apply']);

/** Who may be named as a proposal's author through the API: a plain name (never `workflow:…`, which only the world writes). */
const AUTHOR_PATTERN = /^[a-z][a-z0-9._-]{0,63}$/;
/** The author of proposals sent through the API without one. */
const API_AUTHOR = 'api';

type Args = OpArgs;

/** What a propose answers (as `aos gov propose --json` prints it). */
export interface ProposeAnswer {
  readonly proposal_id: number;
  readonly patch_hash: string | null;
  readonly base_manifest_hash: string | null;
  readonly manifest_hash: string | null;
  readonly touches: readonly string[];
  readonly height: number | null;
}

/** What a decision answers: the node's view after it (the CLI adds the signer's key name). */
export interface DecideAnswer {
  readonly proposal_id: number;
  readonly decision: GovernanceDecision;
  readonly principal: { readonly name: string | null; readonly public_key: string };
  readonly status: string | null;
  readonly height: number | null;
  readonly missing: readonly string[];
}

/** What an apply answers. */
export interface ApplyAnswer {
  readonly proposal_id: number;
  readonly manifest_hash: string;
  readonly height: number | null;
}

/** Runs governance operation `op` on `world`; `dispatch` runs the executor after a write. */
export function governanceOp(world: EmbeddedWorld, op: string, args: Args, dispatch: () => void): unknown {
  switch (op) {
    case 'gov_ls': return { proposals: proposalSummaries(world) } satisfies { proposals: ProposalSummary[] };
    case 'gov_show': return proposalDetail(world, proposalId(args)) satisfies ProposalDetail;
    case 'gov_propose': return propose(world, args);
    case 'gov_shadow': return shadow(world, args);
    case 'gov_subject': return signingFieldsOf(existing(world, proposalId(args)), decisionOf(args), optionalText(args, 'reason') ?? null) satisfies GovernanceSigningFields;
    case 'gov_decide': return decide(world, args);
    case 'gov_apply': {
      const id = proposalId(args);
      const records = world.applyProposal({ proposal_id: id });
      // The new manifest may route work differently: let the executor look again.
      dispatch();
      return { proposal_id: id, manifest_hash: world.view.hash, height: records[0]?.height ?? null } satisfies ApplyAnswer;
    }
    default: throw new NodeError('BAD_INPUT', `no governance operation ${op}`);
  }
}

function propose(world: EmbeddedWorld, args: Args): ProposeAnswer {
  const document = new TextEncoder().encode(text(args, 'document_json'));
  const author = optionalText(args, 'author') ?? API_AUTHOR;
  if (!AUTHOR_PATTERN.test(author)) throw new NodeError('BAD_INPUT', `author ${JSON.stringify(author.slice(0, 80))} is not a plain name`, 'name yourself in lowercase letters, digits, ".", "_" and "-" (e.g. "cli"); `workflow:` authors are written only by the world');
  const description = optionalText(args, 'description');
  const records = world.propose({ document, author, ...(description !== undefined ? { description } : {}) });
  const body = records[0]?.body;
  if (body?.kind !== 'governance') throw new NodeError('BAD_INPUT', 'the proposal journaled no governance record', 'this is a bug in AgentOS; please report it');
  const proposal = existing(world, body.proposal_id);
  return { proposal_id: proposal.id, patch_hash: proposal.patch_hash, base_manifest_hash: proposal.base_manifest_hash, manifest_hash: proposal.manifest_hash, touches: proposal.touches, height: records[0]?.height ?? null };
}

async function shadow(world: EmbeddedWorld, args: Args): Promise<{ report_hash: string; report: ShadowReport }> {
  const id = proposalId(args);
  const inputs = args.inputs ?? undefined;
  if (inputs !== undefined && (typeof inputs !== 'number' || !Number.isSafeInteger(inputs) || inputs < 0)) throw new NodeError('BAD_INPUT', 'inputs must be a whole number ≥ 0', 'e.g. "inputs": 100 (0 replays none)');
  const samples = samplesOf(world, args.samples ?? []);
  const { report, hash } = await shadowProposal(world, id, { ...(inputs !== undefined ? { inputs } : {}), samples });
  return { report_hash: hash, report };
}

function decide(world: EmbeddedWorld, args: Args): DecideAnswer {
  const id = proposalId(args);
  const decision = decisionOf(args);
  const principal = text(args, 'principal');
  if (!isPublicKeyId(principal)) throw new NodeError('BAD_INPUT', `principal ${JSON.stringify(principal.slice(0, 80))} is not a public key id`, 'send the principal\'s ed25519:<64 hex> key id');
  const signature = Buffer.from(text(args, 'signature_b64'), 'base64');
  const reason = optionalText(args, 'reason');
  const records = world.submitGovernanceDecision({ proposal_id: id, decision, principal, signature: new Uint8Array(signature), ...(reason !== undefined ? { reason } : {}) });
  const proposal = world.proposals()[id];
  const policy = world.view.manifest.approval_policy;
  return {
    proposal_id: id, decision, principal: { name: policy?.principals.find((entry) => entry.public_key === principal)?.name ?? null, public_key: principal },
    status: proposal?.status ?? null, height: records[0]?.height ?? null,
    missing: proposal === undefined ? [] : quorumShortfall(policy, proposal.touches, proposal.approvers),
  };
}

/** Sample events as the CLI's --sample file holds them: [{"schema": …, "value": …}]. */
function samplesOf(world: EmbeddedWorld, value: unknown): EventInput[] {
  if (!Array.isArray(value)) throw new NodeError('BAD_INPUT', 'samples must be a list of {"schema": …, "value": …}');
  return value.map((entry: unknown, position) => {
    const where = `samples[${position}]`;
    if (typeof entry !== 'object' || entry === null || typeof (entry as { schema?: unknown }).schema !== 'string') throw new NodeError('BAD_INPUT', `${where} has no "schema"`, 'each sample is {"schema": …, "value": …}');
    const { schema, value: json } = entry as { schema: string; value: unknown };
    return { schema, value: encodeCanonical(valueFromJson(json as never, { ref: schema }, world.view.index, { path: where }), { selfDescribe: false }) };
  });
}

function existing(world: EmbeddedWorld, id: number) {
  const proposal = world.proposals()[id];
  if (proposal === undefined) throw new NodeError('NO_PROPOSAL', `there is no proposal ${id} (this world has ${world.proposals().length})`, 'list them with `aos gov ls`');
  return proposal;
}

function proposalId(args: Args): number {
  const id = args.proposal_id;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) throw new NodeError('BAD_INPUT', 'proposal_id must be a whole number ≥ 0', 'proposal ids are whole numbers from 0; list them with `aos gov ls`');
  return id;
}

function decisionOf(args: Args): GovernanceDecision {
  const decision = args.decision;
  if (decision !== 'approve' && decision !== 'reject') throw new NodeError('BAD_INPUT', `decision must be "approve" or "reject", not ${JSON.stringify(decision)}`);
  return decision;
}



