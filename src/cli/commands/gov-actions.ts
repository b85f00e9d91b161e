// What the gov commands do; loaded only when one of them runs.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { encodeCanonical, parseJsonExact, stringifyJsonExact } from '../../cbor/index.ts';
import { AirError, valueFromJson } from '../../air/index.ts';
import type { Hash } from '../../cbor/index.ts';
import { KernelError, quorumShortfall } from '../../kernel/index.ts';
import type { EventInput, GovernanceDecision, Proposal } from '../../kernel/index.ts';
import { EmbeddedWorld, loadApprovalSigner, NodeError } from '../../node/index.ts';
import { GOV_APPLY_WAIT_POLL_MS, GOV_APPLY_WAIT_POLLS_MAX, patchFromFolder, readShadowReport, shadowProposal } from '../../node/index.ts';
import { CliError } from '../cli-error.ts';
import { emit } from '../output.ts';
import { renderProposal, renderShadowReport } from './gov-render.ts';
import type { RootOptions } from './world.ts';

export interface ProposeOptions extends RootOptions { readonly patch?: string; readonly from?: string; readonly description?: string }
export interface ShadowOptions extends RootOptions { readonly inputs: string; readonly sample?: string }
export interface DecideOptions extends RootOptions { readonly key: string; readonly reason?: string }
export interface ApplyOptions extends RootOptions { readonly wait?: boolean }

export async function propose(options: ProposeOptions): Promise<void> {
  if ((options.patch === undefined) === (options.from === undefined)) {
    throw new CliError('BAD_INPUT', 'pass exactly one of --patch <patch.json> and --from <world folder>', 'a patch document says the change op by op; a folder says what the world should become');
  }
  const root = resolve(options.root);
  const built = options.from === undefined ? null : await buildFolder(resolve(options.from));
  const world = await EmbeddedWorld.open(root);
  try {
    let document: Uint8Array;
    if (built !== null) {
      for (const bytes of built.artifacts) world.cas.put(bytes);
      document = new TextEncoder().encode(stringifyJsonExact(patchFromFolder(world.view, built.world, options.from ?? ''), 2));
    } else {
      document = readPatchFile(options.patch ?? '');
    }
    const records = guarded(options, () => world.propose({ document, author: 'cli', ...(options.description !== undefined ? { description: options.description } : {}) }));
    const body = records[0]?.body;
    if (body?.kind !== 'governance') throw new CliError('INTERNAL', 'the proposal journaled no governance record', 'this is a bug in AgentOS; please report it');
    const proposal = world.proposals()[body.proposal_id];
    if (proposal === undefined) throw new CliError('INTERNAL', `proposal ${body.proposal_id} is not in the ledger`, 'this is a bug in AgentOS; please report it');
    const data = { proposal_id: proposal.id, patch_hash: proposal.patch_hash, base_manifest_hash: proposal.base_manifest_hash, manifest_hash: proposal.manifest_hash, touches: proposal.touches, height: records[0]?.height ?? null };
    emit(options, data, () => [
      `proposal ${proposal.id} proposed at height ${data.height ?? '-'}`,
      `patch      ${proposal.patch_hash ?? '-'}`,
      `base       ${proposal.base_manifest_hash ?? '-'}`,
      `candidate  ${proposal.manifest_hash ?? '-'}`,
      `touches    ${proposal.touches.join(', ')}`,
      `next: aos gov shadow ${proposal.id} --root ${options.root}`,
    ].join('\n'));
  } finally {
    world.close();
  }
}

export async function shadow(id: string, options: ShadowOptions): Promise<void> {
  const proposalId = proposalIdOf(id);
  const inputs = Number(options.inputs);
  if (!Number.isSafeInteger(inputs) || inputs < 0) throw new CliError('BAD_INPUT', `--inputs ${options.inputs} is not a count`, 'pass a whole number (0 replays none)');
  const world = await EmbeddedWorld.open(resolve(options.root));
  try {
    const samples = options.sample === undefined ? [] : readSamples(world, options.sample);
    const { report, hash } = await guardedAsync(options, () => shadowProposal(world, proposalId, { inputs, samples }));
    emit(options, { report_hash: hash, report }, () => `shadow report ${hash} journaled\n${renderShadowReport(report)}\nnext: aos gov approve ${proposalId} --key <principal> --root ${options.root}`);
  } finally {
    world.close();
  }
}

export async function decide(id: string, decision: GovernanceDecision, options: DecideOptions): Promise<void> {
  const proposalId = proposalIdOf(id);
  const root = resolve(options.root);
  const signer = loadApprovalSigner(root, options.key);
  const world = await EmbeddedWorld.open(root);
  try {
    const records = guarded(options, () => world.decideProposal(proposalId, decision, signer, options.reason ?? null));
    const proposal = world.proposals()[proposalId];
    const missing = proposal === undefined ? [] : quorumShortfall(world.view.manifest.approval_policy, proposal.touches, proposal.approvers);
    const data = { proposal_id: proposalId, decision, principal: { name: signer.name, public_key: signer.keyId }, status: proposal?.status ?? null, height: records[0]?.height ?? null, missing };
    emit(options, data, () => {
      const what = data.status === 'approved' ? `approved: apply it with \`aos gov apply ${proposalId} --root ${options.root}\``
        : data.status === 'rejected' ? 'rejected: a rejection is final' : `still ${data.status ?? '?'}: ${missing.join('; ')}`;
      return `${decision} by ${signer.name} (${signer.keyId}) journaled at height ${data.height ?? '-'}\nproposal ${proposalId} ${what}`;
    });
  } finally {
    world.close();
  }
}

export async function apply(id: string, options: ApplyOptions): Promise<void> {
  const proposalId = proposalIdOf(id);
  const root = resolve(options.root);
  for (let poll = 0; ; poll += 1) {
    const world = await EmbeddedWorld.open(root);
    try {
      const records = world.applyProposal({ proposal_id: proposalId });
      const data = { proposal_id: proposalId, manifest_hash: world.view.hash, height: records[0]?.height ?? null, waited_polls: poll };
      emit(options, data, () => `proposal ${proposalId} applied at height ${data.height ?? '-'}: the world now runs manifest ${data.manifest_hash}`);
      return;
    } catch (error) {
      const blocked = error instanceof KernelError && error.code === 'APPLY_BLOCKED';
      if (!blocked || options.wait !== true) throw cliErrorOf(error, options);
      if (poll >= GOV_APPLY_WAIT_POLLS_MAX) throw new CliError('APPLY_BLOCKED', `gave up waiting after ${poll} looks: ${error.message}`, `settle the open work (aos world run --root ${options.root}) and apply again`);
      if (poll === 0 && options.json !== true) process.stderr.write(`waiting for quiescence: ${error.message}\n`);
    } finally {
      world.close();
    }
    await sleep(GOV_APPLY_WAIT_POLL_MS);
  }
}

export async function ls(options: RootOptions): Promise<void> {
  const world = await EmbeddedWorld.open(resolve(options.root), { readOnly: true });
  try {
    const rows = world.proposals().map((proposal) => summaryOf(world, proposal));
    emit(options, { proposals: rows }, () => rows.length === 0 ? 'no proposals yet; propose one with `aos gov propose`' : [
      `${'ID'.padEnd(4)} ${'STATUS'.padEnd(9)} ${'APPROVALS'.padEnd(10)} DESCRIPTION`,
      ...rows.map((row) => `${String(row.id).padEnd(4)} ${row.status.padEnd(9)} ${`${row.approvals.length}`.padEnd(10)} ${row.description ?? ''}`),
    ].join('\n'));
  } finally {
    world.close();
  }
}

export async function show(id: string, options: RootOptions): Promise<void> {
  const proposalId = proposalIdOf(id);
  const world = await EmbeddedWorld.open(resolve(options.root), { readOnly: true });
  try {
    const proposal = world.proposals()[proposalId];
    if (proposal === undefined) throw new CliError('NO_PROPOSAL', `there is no proposal ${proposalId} (this world has ${world.proposals().length})`, `list them with \`aos gov ls --root ${options.root}\``);
    const report = proposal.report_hash === null ? null : readShadowReport(world, proposal.report_hash);
    const summary = summaryOf(world, proposal);
    const blockers = proposal.status === 'approved' ? world.applyBlockers() : null;
    emit(options, { ...summary, report, blockers }, () => renderProposal(summary, report, blockers));
  } finally {
    world.close();
  }
}

/** A proposal as `ls` and `show` print it: approvals by principal name, what the quorum still needs. */
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

function proposalIdOf(text: string): number {
  const id = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(id)) throw new CliError('BAD_INPUT', `"${text.slice(0, 40)}" is not a proposal id`, 'proposal ids are whole numbers from 0; list them with `aos gov ls`');
  return id;
}

function readPatchFile(file: string): Uint8Array {
  try {
    return readFileSync(resolve(file));
  } catch (error) {
    throw new CliError('BAD_INPUT', `cannot read the patch file ${file}: ${error instanceof Error ? error.message : String(error)}`, 'pass the path of a patch document (JSON)');
  }
}

async function buildFolder(folder: string) {
  const { loadWorldPath } = await import('../../air/index.ts');
  const { buildWorld, writeModuleHashes } = await import('../build/index.ts');
  const { FileCas } = await import('../../store/index.ts');
  const built = await buildWorld(folder);
  writeModuleHashes(folder, built.modules);
  const loaded = loadWorldPath(folder);
  if (loaded.world === null) throw new CliError('AIR_INVALID', `${folder} is not a valid world: ${loaded.errors[0]?.message ?? ''}`, `run \`aos air check ${folder}\` to see every error`);
  const cas = new FileCas(folder);
  const artifacts = [...Object.values(built.modules), ...Object.values(built.sysModules)].map((hash: Hash) => cas.get(hash));
  return { world: loaded.world, artifacts };
}

function readSamples(world: EmbeddedWorld, file: string): EventInput[] {
  let parsed: unknown;
  try {
    parsed = parseJsonExact(readFileSync(resolve(file), 'utf8'));
  } catch (error) {
    throw new CliError('BAD_INPUT', `cannot read the sample events ${file}: ${error instanceof Error ? error.message : String(error)}`, 'pass a JSON list of {"schema": …, "value": …}');
  }
  if (!Array.isArray(parsed)) throw new CliError('BAD_INPUT', `${file} is not a JSON list`, 'pass a JSON list of {"schema": …, "value": …}');
  return parsed.map((entry: unknown, position) => sampleOf(world, entry, `${file}[${position}]`));
}

function sampleOf(world: EmbeddedWorld, entry: unknown, where: string): EventInput {
  if (typeof entry !== 'object' || entry === null || typeof (entry as { schema?: unknown }).schema !== 'string') throw new CliError('BAD_INPUT', `${where} has no "schema"`, 'each sample is {"schema": …, "value": …}');
  const { schema, value } = entry as { schema: string; value: unknown };
  try {
    return { schema, value: encodeCanonical(valueFromJson(value, { ref: schema }, world.view.index, { path: where }), { selfDescribe: false }) };
  } catch (error) {
    if (error instanceof AirError) throw new CliError('BAD_INPUT', `${where}: ${error.message}`, `the value must be a ${schema}`);
    throw error;
  }
}

function guarded<T>(options: RootOptions, work: () => T): T {
  try {
    return work();
  } catch (error) {
    throw cliErrorOf(error, options);
  }
}

async function guardedAsync<T>(options: RootOptions, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw cliErrorOf(error, options);
  }
}

/** Governance refusals as CLI errors with a hint; anything else unchanged. */
function cliErrorOf(error: unknown, options: RootOptions): unknown {
  if (error instanceof KernelError && error.code === 'GOVERNANCE_REFUSED') return new CliError(error.code, error.message, `see the proposal with \`aos gov show <id> --root ${options.root}\``);
  if (error instanceof KernelError && error.code === 'APPLY_BLOCKED') return new CliError(error.code, error.message, `settle the open work (aos world run --root ${options.root}, aos approvals ls) and apply again, or pass --wait`);
  if (error instanceof NodeError && error.code === 'PROPOSAL_REJECTED') return new CliError(error.code, error.message, error.hint);
  return error;
}
