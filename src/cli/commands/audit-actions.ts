// What `aos audit verify` does; loaded only when it runs. Also used by `aos replay --verify`.
// A world a running node serves is audited by the node (GET /worlds/<id>/audit), on the same
// journal with the same checks; a bundle file is always audited here.
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Hash } from '../../cbor/index.ts';
import { KernelError } from '../../kernel/index.ts';
import { auditApprovals, auditBundle, auditWorld, EmbeddedWorld, NodeError } from '../../node/index.ts';
import type { ApprovalAuditReport, AuditReport, BundleReport } from '../../node/index.ts';
import { StoreError } from '../../store/index.ts';
import { CliError } from '../cli-error.ts';
import { emit, paint } from '../output.ts';
import { withProgress } from '../progress.ts';
import { nodeRequest, nodeTarget, worldPath } from '../node-client.ts';
import type { NodeTarget } from '../node-client.ts';
import type { NodeOptions, RootOptions } from './world.ts';

/** Findings a failed audit names in its error message; the rest are in the report. */
const FINDINGS_SHOWN_MAX = 5;

/** How replay-or-die went. */
export type ReplayOutcome = { readonly ok: true; readonly heights: number; readonly snapshots: number; readonly head: Hash | null } | { readonly ok: false; readonly message: string };

/** A world's audit as the node answers it: the same reports the folder's audit makes, and the code a failed replay threw. */
export interface NodeAudit {
  readonly report: AuditReport;
  readonly approvals: ApprovalAuditReport;
  readonly replay: ReplayOutcome;
  readonly replay_code: string | null;
}

/** Has the node serving the world audit it (it replays too: this may take as long as on the folder). */
export async function auditViaNode(target: NodeTarget, path: string, json: boolean | undefined): Promise<NodeAudit> {
  return withProgress(`auditing and replaying ${path} on the node at ${target.url}`, json, () => nodeRequest<NodeAudit>(target, 'GET', worldPath(target, '/audit')));
}

export async function verify(target: string | undefined, options: NodeOptions): Promise<void> {
  const path = resolve(target ?? options.root);
  if (statSync(path, { throwIfNoEntry: false })?.isFile() === true) return verifyBundle(path, options);
  const node = await nodeTarget({ ...options, root: path });
  if (node !== null) {
    const { report, approvals, replay } = await auditViaNode(node, path, options.json);
    emitWorldAudit(options, path, report, approvals, replay);
    return;
  }
  const world = await EmbeddedWorld.open(path, { readOnly: true });
  try {
    const report = auditWorld(world);
    const approvals = auditApprovals(world.records());
    const replay = await withProgress(`replaying ${path}`, options.json, () => replayOutcome(world));
    emitWorldAudit(options, path, report, approvals, replay);
  } finally {
    world.close();
  }
}

function emitWorldAudit(options: RootOptions, path: string, report: AuditReport, approvals: ApprovalAuditReport, replay: ReplayOutcome): void {
  emit(options, { ...report, ok: report.ok && approvals.ok && replay.ok, approvals, principals: approvals.principals, replay }, () => [auditText(report), approvalsText(approvals), replayText(replay)].join('\n'));
  failUnlessClean(report, path);
  failUnlessApproved(approvals, path);
  if (!replay.ok) throw new CliError('AUDIT_FAILED', `the world in ${path} does not replay: ${replay.message}`, 'the journal does not reproduce the world\'s state: do not trust it; restore it from a backup or an export, and keep this copy for inspection');
}

async function verifyBundle(file: string, options: RootOptions): Promise<void> {
  let report: BundleReport;
  try {
    report = await withProgress(`auditing ${file}`, options.json, (listener) => auditBundle(file, listener));
  } catch (error) {
    if (error instanceof NodeError && (error.code === 'BUNDLE_INVALID' || error.code === 'REPLAY_FAILED')) throw new CliError('AUDIT_FAILED', `the bundle ${file} fails its audit: ${error.message}`, error.hint ?? 'export the world again');
    throw error;
  }
  const replay: ReplayOutcome = report.replay === null ? { ok: false, message: 'not replayed: the audit failed first' } : { ok: true, heights: report.replay.heights, snapshots: report.replay.snapshots, head: report.replay.head };
  const data = {
    ...report.journal, ok: report.journal.ok && report.approvals.ok && replay.ok, file, world: report.world, sha256: report.sha256, objects: report.objects,
    trusted_keys: report.trusted_keys, approvals: report.approvals, principals: report.approvals.principals, replay,
  };
  emit(options, data, () => [`bundle ${file}: world ${report.world.id}, genesis ${report.world.genesis}, ${report.records} records, ${report.objects} CAS objects, sha256 ${report.sha256}`,
    auditText(report.journal), approvalsText(report.approvals), replayText(replay)].join('\n'));
  failUnlessClean(report.journal, file);
  failUnlessApproved(report.approvals, file);
}


async function replayOutcome(world: EmbeddedWorld): Promise<ReplayOutcome> {
  try {
    return { ok: true, ...(await world.verifyReplay()) };
  } catch (error) {
    if (error instanceof KernelError || error instanceof NodeError || error instanceof StoreError) return { ok: false, message: error.message };
    throw error;
  }
}

/** The audit's summary for people: what was checked, then the findings kept. */
export function auditText(report: AuditReport): string {
  const summary = `${report.ok ? paint('audit ok', 'green') : paint('audit FAILED', 'red')}: ${report.records} records chained to ${report.head ?? '-'}; ` +
    `${report.signatures_verified}/${report.receipts} receipt signatures verified, ${report.intents} intents (${report.open_intents} open), ${report.rejections} refusals checked`;
  return [summary, ...report.findings.map(findingLine), ...(report.findings_total > report.findings.length ? [`… and ${report.findings_total - report.findings.length} more`] : [])].join('\n');
}

function approvalsText(report: ApprovalAuditReport): string {
  const summary = `${report.ok ? 'approvals ok' : paint('approvals FAILED', 'red')}: ${report.verified}/${report.approvals + report.decisions} approval signatures verified ` +
    `(${report.approvals} effect approvals, ${report.decisions} governance decisions); principals: ${report.principals.join(', ') || 'none'}`;
  return [summary, ...report.findings.map(findingLine)].join('\n');
}

function replayText(replay: ReplayOutcome): string {
  return replay.ok ? `replay ok: ${replay.heights} heights from genesis and from ${replay.snapshots} snapshot(s) end at ${replay.head ?? '-'}` : paint(`replay FAILED: ${replay.message}`, 'red');
}

/** Throws AUDIT_FAILED naming the first findings when the audit found anything. */
export function failUnlessClean(report: AuditReport, root: string): void {
  if (report.ok) return;
  const first = report.findings.slice(0, FINDINGS_SHOWN_MAX).map(findingLine).join('; ');
  throw new CliError('AUDIT_FAILED', `the journal in ${root} fails its audit with ${report.findings_total} finding(s): ${first}`,
    'the journal was altered or written by a faulty node; do not trust its state: restore it from a backup or an export, and keep this copy for inspection');
}

function failUnlessApproved(report: ApprovalAuditReport, root: string): void {
  if (report.ok) return;
  const first = report.findings.slice(0, FINDINGS_SHOWN_MAX).map(findingLine).join('; ');
  throw new CliError('AUDIT_FAILED', `the journal in ${root} holds ${report.findings_total} approval(s) that do not verify: ${first}`,
    'an approval was altered or forged; do not trust what it let through: restore the world from a backup or an export, and keep this copy for inspection');
}

function findingLine(finding: { readonly height: number; readonly kind: string; readonly code: string; readonly message: string }): string {
  return `height ${finding.height} (${finding.kind}) ${finding.code}: ${finding.message}`;
}
