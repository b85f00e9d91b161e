// How `aos gov show` and `aos gov shadow` print a proposal and its shadow report for people.
import type { ApplyBlockers } from '../../kernel/index.ts';
import type { ShadowReport } from '../../node/index.ts';
import type { ProposalSummary } from './gov-actions.ts';

/** Rows of each report list shown before "and N more". */
const ROWS_SHOWN_MAX = 20;

export function renderProposal(summary: ProposalSummary, report: ShadowReport | null, blockers: ApplyBlockers | null): string {
  const lines = [
    `proposal ${summary.id}: ${summary.status}${summary.description === null ? '' : ` — ${summary.description}`}`,
    `author     ${summary.author} (height ${summary.proposed_at})`,
    `patch      ${summary.patch_hash ?? '(did not compile)'}`,
    `base       ${summary.base_manifest_hash ?? '-'}`,
    `candidate  ${summary.manifest_hash ?? '-'}`,
    `touches    ${summary.touches.join(', ') || '-'}`,
    `approvals  ${summary.approvals.length === 0 ? 'none' : summary.approvals.map((approval) => approval.principal ?? approval.public_key).join(', ')}`,
  ];
  if (summary.missing.length > 0) lines.push(`needs      ${summary.missing.join('; ')}`);
  if (summary.rejection !== null) lines.push(`rejected   at height ${summary.rejection.at}${summary.rejection.principal === null ? '' : ` by ${summary.rejection.principal}`}: ${summary.rejection.reasons.join('; ') || '(no reason given)'}`);
  if (summary.applied_at !== null) lines.push(`applied    at height ${summary.applied_at}`);
  if (blockers !== null) {
    lines.push(blockers.intents.length === 0 ? 'apply      nothing in flight: it can be applied now'
      : `apply      blocked by ${blockers.instances.map((instance) => `${instance.module}${instance.key === null ? '' : `[0x${instance.key}]`}`).join(', ')} waiting on ${blockers.intents.map((intent) => `${intent.effect_kind} ${intent.intent_hash}`).join(', ')}`);
  }
  lines.push(report === null ? 'shadow     not run yet' : `shadow     ${summary.report_hash ?? ''}\n${renderShadowReport(report)}`);
  return lines.join('\n');
}

export function renderShadowReport(report: ShadowReport): string {
  const lines = [`  forked at height ${report.forked_at}; replayed ${report.inputs_replayed} journaled input(s) and ${report.samples} sample(s); ${report.open_at_fork} intent(s) in flight at the fork`];
  section(lines, 'effects predicted', report.effects_predicted.map((effect) => `${effect.kind} under ${effect.grant} (${effect.decision}) by ${effect.module}: ${effect.params}`));
  section(lines, 'denials', report.denials.map((denial) => `${denial.kind} by ${denial.module}: ${denial.stage} ${denial.code}${denial.message === '' ? '' : ` — ${denial.message}`}`));
  section(lines, 'faults', report.faults.map((fault) => `${fault.module}: ${fault.kind}: ${fault.message}`));
  section(lines, 'inputs refused', report.refused_inputs.map((refused) => `#${refused.input}: ${refused.message}`));
  section(lines, 'state changes', report.state_changes.map((diff) => `${diff.module}${diff.key === null ? '' : ` ${JSON.stringify(diff.key)}`} ${diff.change}: ${diff.paths.map((path) => `${path.path} ${JSON.stringify(path.before)} → ${JSON.stringify(path.after)}`).join(', ')}`));
  section(lines, 'ledger changes', report.ledger_changes.map((change) => `${change.ledger} ${change.name} ${change.change}${change.detail === undefined ? '' : ` (${change.detail})`}`));
  section(lines, 'divergences from the current manifest', report.divergences.map((divergence) => `#${divergence.input} (${divergence.what}): current ${divergence.current}; candidate ${divergence.candidate}`));
  section(lines, 'state divergences from the current manifest', report.state_divergences.map((diff) => `${diff.module}${diff.key === null ? '' : ` ${JSON.stringify(diff.key)}`} ${diff.change}`));
  return lines.join('\n');
}

function section(lines: string[], title: string, rows: readonly string[]): void {
  if (rows.length === 0) {
    lines.push(`  ${title}: none`);
    return;
  }
  lines.push(`  ${title}:`);
  for (const row of rows.slice(0, ROWS_SHOWN_MAX)) lines.push(`    ${row}`);
  if (rows.length > ROWS_SHOWN_MAX) lines.push(`    and ${rows.length - ROWS_SHOWN_MAX} more`);
}
