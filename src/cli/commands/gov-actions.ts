// What the gov commands do; loaded only when one of them runs.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { encodeCanonical, parseJsonExact, stringifyJsonExact } from '../../cbor/index.ts';
import { AirError, valueFromJson } from '../../air/index.ts';
import type { Hash } from '../../cbor/index.ts';
import { KernelError, quorumShortfall } from '../../kernel/index.ts';
import type { EventInput, GovernanceDecision, GovernanceSigningFields } from '../../kernel/index.ts';
import { EmbeddedWorld, loadApprovalSigner, NodeError } from '../../node/index.ts';
import { GOV_APPLY_WAIT_POLL_MS, GOV_APPLY_WAIT_POLLS_MAX, patchFromFolder, readShadowReport, shadowProposal } from '../../node/index.ts';
import { summaryOf } from '../../node/governance-summary.ts';
import type { ProposalDetail, ProposalSummary } from '../../node/governance-summary.ts';
import type { ApprovalSigner } from '../../node/approval-signer.ts';
import type { ShadowReport } from '../../node/governance-shadow.ts';
import type { ApplyAnswer, DecideAnswer, ProposeAnswer } from '../../node/governance-ops.ts';
import { nodeRequest, nodeTarget, worldPath } from '../node-client.ts';
import type { NodeTarget } from '../node-client.ts';
import { CliError } from '../cli-error.ts';
import { emit } from '../output.ts';
import { renderProposal, renderShadowReport } from './gov-render.ts';
import type { NodeOptions, RootOptions } from './world.ts';

export type { ProposalSummary };
export interface ProposeOptions extends NodeOptions { readonly patch?: string; readonly from?: string; readonly description?: string }
export interface ShadowOptions extends NodeOptions { readonly inputs: string; readonly sample?: string }
export interface DecideOptions extends NodeOptions { readonly key: string; readonly reason?: string }
export interface ApplyOptions extends NodeOptions { readonly wait?: boolean }

export async function propose(options: ProposeOptions): Promise<void> {
  if ((options.patch === undefined) === (options.from === undefined)) {
    throw new CliError('BAD_INPUT', 'pass exactly one of --patch <patch.json> and --from <world folder>', 'a patch document says the change op by op; a folder says what the world should become');
  }
  const root = resolve(options.root);
  const built = options.from === undefined ? null : await buildFolder(resolve(options.from));
  const target = await nodeTarget(options);
  if (target !== null) {
    let document: Uint8Array;
    if (built !== null) {
      // The folder's diff is taken against the manifest the world runs (read from its folder); the node compiles it again.
      const current = await EmbeddedWorld.open(root, { readOnly: true });
      try {
        document = new TextEncoder().encode(stringifyJsonExact(patchFromFolder(current.view, built.world, options.from ?? ''), 2));
      } finally {
        current.close();
      }
      for (const bytes of built.artifacts) await putBytes(target, bytes);
    } else {
      document = readPatchFile(options.patch ?? '');
    }
    const body = { document_json: new TextDecoder('utf-8').decode(document), author: 'cli', ...(options.description !== undefined ? { description: options.description } : {}) };
    emitProposed(options, await viaNode(options, () => nodeRequest<ProposeAnswer>(target, 'POST', worldPath(target, '/governance/proposals'), body)));
    return;
  }
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
    emitProposed(options, { proposal_id: proposal.id, patch_hash: proposal.patch_hash, base_manifest_hash: proposal.base_manifest_hash, manifest_hash: proposal.manifest_hash, touches: proposal.touches, height: records[0]?.height ?? null });
  } finally {
    world.close();
  }
}

function emitProposed(options: ProposeOptions, data: ProposeAnswer): void {
  emit(options, data, () => [
    `proposal ${data.proposal_id} proposed at height ${data.height ?? '-'}`,
    `patch      ${data.patch_hash ?? '-'}`,
    `base       ${data.base_manifest_hash ?? '-'}`,
    `candidate  ${data.manifest_hash ?? '-'}`,
    `touches    ${data.touches.join(', ')}`,
    `next: aos gov shadow ${data.proposal_id} --root ${options.root}`,
  ].join('\n'));
}

export async function shadow(id: string, options: ShadowOptions): Promise<void> {
  const proposalId = proposalIdOf(id);
  const inputs = Number(options.inputs);
  if (!Number.isSafeInteger(inputs) || inputs < 0) throw new CliError('BAD_INPUT', `--inputs ${options.inputs} is not a count`, 'pass a whole number (0 replays none)');
  const target = await nodeTarget(options);
  if (target !== null) {
    const samples = options.sample === undefined ? [] : readSampleList(options.sample);
    const answer = await viaNode(options, () => nodeRequest<{ report_hash: Hash; report: ShadowReport }>(target, 'POST', worldPath(target, `/governance/proposals/${proposalId}/shadow`), { inputs, samples }));
    emitShadowed(options, proposalId, answer.report_hash, answer.report);
    return;
  }
  const world = await EmbeddedWorld.open(resolve(options.root));
  try {
    const samples = options.sample === undefined ? [] : readSampleList(options.sample).map((entry: unknown, position) => sampleOf(world, entry, `${options.sample ?? ''}[${position}]`));
    const { report, hash } = await guardedAsync(options, () => shadowProposal(world, proposalId, { inputs, samples }));
    emitShadowed(options, proposalId, hash, report);
  } finally {
    world.close();
  }
}

function emitShadowed(options: ShadowOptions, proposalId: number, hash: Hash, report: ShadowReport): void {
  emit(options, { report_hash: hash, report }, () => `shadow report ${hash} journaled\n${renderShadowReport(report)}\nnext: aos gov approve ${proposalId} --key <principal> --root ${options.root}`);
}

export async function decide(id: string, decision: GovernanceDecision, options: DecideOptions): Promise<void> {
  const proposalId = proposalIdOf(id);
  const root = resolve(options.root);
  const signer = loadApprovalSigner(root, options.key);
  const target = await nodeTarget(options);
  if (target !== null) {
    const reason = options.reason ?? null;
    const answer = await viaNode(options, async () => {
      // The node says what to sign; the key signs here and only the signature travels.
      const query = new URLSearchParams({ decision, ...(reason !== null ? { reason } : {}) });
      const fields = await nodeRequest<GovernanceSigningFields>(target, 'GET', worldPath(target, `/governance/proposals/${proposalId}/signing?${query}`));
      if (fields.proposal_id !== proposalId || fields.decision !== decision || fields.reason !== reason) {
        throw new CliError('NODE_BAD_ANSWER', `the node at ${target.url} asked to sign a ${String(fields.decision)} of proposal ${String(fields.proposal_id)}, not the ${decision} of proposal ${proposalId} asked for`, 'nothing was signed; check which node serves this world (`aos node status`)');
      }
      const signed = signer.signGovernance({ proposal_id: proposalId, patch_hash: fields.patch_hash, proposal_record: fields.proposal_record, decision, reason });
      return nodeRequest<DecideAnswer>(target, 'POST', worldPath(target, `/governance/proposals/${proposalId}/decisions`), {
        decision, principal: signed.principal, signature_b64: Buffer.from(signed.signature).toString('base64'), ...(reason !== null ? { reason } : {}),
      });
    });
    emitDecided(options, signer, { ...answer, principal: { name: signer.name, public_key: signer.keyId } });
    return;
  }
  const world = await EmbeddedWorld.open(root);
  try {
    const records = guarded(options, () => world.decideProposal(proposalId, decision, signer, options.reason ?? null));
    const proposal = world.proposals()[proposalId];
    const missing = proposal === undefined ? [] : quorumShortfall(world.view.manifest.approval_policy, proposal.touches, proposal.approvers);
    emitDecided(options, signer, { proposal_id: proposalId, decision, principal: { name: signer.name, public_key: signer.keyId }, status: proposal?.status ?? null, height: records[0]?.height ?? null, missing });
  } finally {
    world.close();
  }
}

function emitDecided(options: DecideOptions, signer: ApprovalSigner, data: DecideAnswer): void {
  emit(options, data, () => {
    const what = data.status === 'approved' ? `approved: apply it with \`aos gov apply ${data.proposal_id} --root ${options.root}\``
      : data.status === 'rejected' ? 'rejected: a rejection is final' : `still ${data.status ?? '?'}: ${data.missing.join('; ')}`;
    return `${data.decision} by ${signer.name} (${signer.keyId}) journaled at height ${data.height ?? '-'}\nproposal ${data.proposal_id} ${what}`;
  });
}

export async function apply(id: string, options: ApplyOptions): Promise<void> {
  const proposalId = proposalIdOf(id);
  const root = resolve(options.root);
  const target = await nodeTarget(options);
  for (let poll = 0; ; poll += 1) {
    try {
      const answer = target !== null ? await applyViaNode(target, proposalId) : await applyDirect(root, proposalId);
      const data = { ...answer, waited_polls: poll };
      emit(options, data, () => `proposal ${proposalId} applied at height ${data.height ?? '-'}: the world now runs manifest ${data.manifest_hash}`);
      return;
    } catch (error) {
      const blocked = (error instanceof KernelError || error instanceof CliError) && error.code === 'APPLY_BLOCKED';
      if (!blocked || options.wait !== true) throw cliErrorOf(error, options);
      if (poll >= GOV_APPLY_WAIT_POLLS_MAX) throw new CliError('APPLY_BLOCKED', `gave up waiting after ${poll} looks: ${error.message}`, `settle the open work (aos world run --root ${options.root}) and apply again`);
      if (poll === 0 && options.json !== true) process.stderr.write(`waiting for quiescence: ${error.message}\n`);
    }
    await sleep(GOV_APPLY_WAIT_POLL_MS);
  }
}

async function applyDirect(root: string, proposalId: number): Promise<ApplyAnswer> {
  const world = await EmbeddedWorld.open(root);
  try {
    const records = world.applyProposal({ proposal_id: proposalId });
    return { proposal_id: proposalId, manifest_hash: world.view.hash, height: records[0]?.height ?? null };
  } finally {
    world.close();
  }
}

function applyViaNode(target: NodeTarget, proposalId: number): Promise<ApplyAnswer> {
  return nodeRequest<ApplyAnswer>(target, 'POST', worldPath(target, `/governance/proposals/${proposalId}/apply`), {});
}

export async function ls(options: NodeOptions): Promise<void> {
  const target = await nodeTarget(options);
  const rows = target !== null ? (await nodeRequest<{ proposals: ProposalSummary[] }>(target, 'GET', worldPath(target, '/governance/summaries'))).proposals
    : await withReadOnly(options, (world) => world.proposals().map((proposal) => summaryOf(world, proposal)));
  emit(options, { proposals: rows }, () => rows.length === 0 ? 'no proposals yet; propose one with `aos gov propose`' : [
    `${'ID'.padEnd(4)} ${'STATUS'.padEnd(9)} ${'APPROVALS'.padEnd(10)} DESCRIPTION`,
    ...rows.map((row) => `${String(row.id).padEnd(4)} ${row.status.padEnd(9)} ${`${row.approvals.length}`.padEnd(10)} ${row.description ?? ''}`),
  ].join('\n'));
}

export async function show(id: string, options: NodeOptions): Promise<void> {
  const proposalId = proposalIdOf(id);
  const target = await nodeTarget(options);
  const noProposal = (message: string) => new CliError('NO_PROPOSAL', message, `list them with \`aos gov ls --root ${options.root}\``);
  let detail: ProposalDetail;
  if (target !== null) {
    try {
      detail = await nodeRequest<ProposalDetail>(target, 'GET', worldPath(target, `/governance/proposals/${proposalId}`));
    } catch (error) {
      throw error instanceof CliError && error.code === 'NO_PROPOSAL' ? noProposal(error.message) : error;
    }
  } else {
    detail = await withReadOnly(options, (world) => {
      const proposal = world.proposals()[proposalId];
      if (proposal === undefined) throw noProposal(`there is no proposal ${proposalId} (this world has ${world.proposals().length})`);
      const report = proposal.report_hash === null ? null : readShadowReport(world, proposal.report_hash);
      const blockers = proposal.status === 'approved' ? world.applyBlockers() : null;
      return { ...summaryOf(world, proposal), report, blockers };
    });
  }
  const { report, blockers, ...summary } = detail;
  emit(options, detail, () => renderProposal(summary, report, blockers));
}

async function withReadOnly<T>(options: RootOptions, work: (world: EmbeddedWorld) => T): Promise<T> {
  const world = await EmbeddedWorld.open(resolve(options.root), { readOnly: true });
  try {
    return work(world);
  } finally {
    world.close();
  }
}

/** A request to the node, its governance refusals given the hints direct mode gives. */
async function viaNode<T>(options: RootOptions, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw cliErrorOf(error, options);
  }
}

/** Stores bytes in the world's CAS on the node (the modules a --from proposal adds). */
async function putBytes(target: NodeTarget, bytes: Uint8Array): Promise<void> {
  let response: Response;
  try {
    response = await fetch(`${target.url}${worldPath(target, '/cas')}`, {
      method: 'POST', body: bytes, headers: { 'content-type': 'application/octet-stream', ...(target.token !== null ? { authorization: `Bearer ${target.token}` } : {}) },
    });
  } catch (error) {
    throw new CliError('NODE_UNREACHABLE', `cannot reach the node at ${target.url}: ${error instanceof Error ? error.message : String(error)}`, 'start it with `aos node up`, or drop --node to work on the world folder directly');
  }
  if (!response.ok) {
    const answer = await response.json().catch(() => ({})) as { error?: { code?: string; message?: string; hint?: string } };
    throw new CliError(answer.error?.code ?? `HTTP_${response.status}`, answer.error?.message ?? `the node answered HTTP ${response.status} to a CAS upload`, answer.error?.hint);
  }
}

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

/** The sample events of a --sample file, as JSON ({"schema": …, "value": …} each). */
function readSampleList(file: string): unknown[] {
  let parsed: unknown;
  try {
    parsed = parseJsonExact(readFileSync(resolve(file), 'utf8'));
  } catch (error) {
    throw new CliError('BAD_INPUT', `cannot read the sample events ${file}: ${error instanceof Error ? error.message : String(error)}`, 'pass a JSON list of {"schema": …, "value": …}');
  }
  if (!Array.isArray(parsed)) throw new CliError('BAD_INPUT', `${file} is not a JSON list`, 'pass a JSON list of {"schema": …, "value": …}');
  return parsed;
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
  // Through a node the same refusals arrive as CliErrors carrying the world's code and message.
  const code = error instanceof KernelError || error instanceof NodeError || error instanceof CliError ? error.code : null;
  const message = error instanceof Error ? error.message : '';
  if (code === 'GOVERNANCE_REFUSED') return new CliError(code, message, `see the proposal with \`aos gov show <id> --root ${options.root}\``);
  if (code === 'APPLY_BLOCKED') return new CliError(code, message, `settle the open work (aos world run --root ${options.root}, aos approvals ls) and apply again, or pass --wait`);
  if (code === 'PROPOSAL_REJECTED') return new CliError(code, message, (error as NodeError | CliError).hint);
  return error;
}
