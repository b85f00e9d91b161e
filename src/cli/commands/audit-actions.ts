// What `aos audit verify` does; loaded only when it runs. Also used by `aos replay --verify`.
import { resolve } from 'node:path';
import { auditWorld, EmbeddedWorld } from '../../node/index.ts';
import type { AuditReport } from '../../node/index.ts';
import { CliError } from '../cli-error.ts';
import { emit } from '../output.ts';
import type { RootOptions } from './world.ts';

/** Findings a failed audit names in its error message; the rest are in the report. */
const FINDINGS_SHOWN_MAX = 5;

export async function verify(options: RootOptions): Promise<void> {
  const world = await EmbeddedWorld.open(resolve(options.root), { readOnly: true });
  try {
    const report = auditWorld(world);
    emit(options, report, () => auditText(report));
    failUnlessClean(report, options.root);
  } finally {
    world.close();
  }
}

/** The audit's summary for people: what was checked, then the findings kept. */
export function auditText(report: AuditReport): string {
  const summary = `${report.ok ? 'audit ok' : 'audit FAILED'}: ${report.records} records chained to ${report.head ?? '-'}; ` +
    `${report.signatures_verified}/${report.receipts} receipt signatures verified, ${report.intents} intents (${report.open_intents} open), ${report.rejections} refusals checked`;
  return [summary, ...report.findings.map(findingLine), ...(report.findings_total > report.findings.length ? [`… and ${report.findings_total - report.findings.length} more`] : [])].join('\n');
}

/** Throws AUDIT_FAILED naming the first findings when the audit found anything. */
export function failUnlessClean(report: AuditReport, root: string): void {
  if (report.ok) return;
  const first = report.findings.slice(0, FINDINGS_SHOWN_MAX).map(findingLine).join('; ');
  throw new CliError('AUDIT_FAILED', `the journal in ${root} fails its audit with ${report.findings_total} finding(s): ${first}`,
    'the journal was altered or written by a faulty node; do not trust its state: restore it from a backup or an export, and keep this copy for inspection');
}

function findingLine(finding: AuditReport['findings'][number]): string {
  return `height ${finding.height} (${finding.kind}) ${finding.code}: ${finding.message}`;
}
