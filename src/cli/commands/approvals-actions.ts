// What the approvals commands do; loaded only when one of them runs. Output shows public ids, never private bytes.
import { resolve } from 'node:path';
import { decodeCanonical, isHash } from '../../cbor/index.ts';
import { KernelError } from '../../kernel/index.ts';
import type { ApprovalDecision, OpenIntent } from '../../kernel/index.ts';
import { EmbeddedWorld, loadApprovalSigner } from '../../node/index.ts';
import { CliError } from '../cli-error.ts';
import { cborForJson, emit, stringifyExact } from '../output.ts';
import type { RootOptions } from './world.ts';

export interface DecideOptions extends RootOptions { readonly key: string }

function describePending(world: EmbeddedWorld, intent: OpenIntent) {
  const policy = world.view.authority.approval;
  const approvers = intent.approval?.approvers ?? [];
  return {
    intent_hash: intent.hash, effect_kind: intent.kind, grant: intent.grant, module: intent.module,
    key: intent.key === null ? null : cborForJson(decodeCanonical(intent.key)), emitted_at: intent.emittedAt,
    approvals: approvers.map((key) => ({ principal: policy?.principals.get(key) ?? null, public_key: key })), quorum: policy?.quorum ?? null,
  };
}

export async function ls(options: RootOptions): Promise<void> {
  const root = resolve(options.root);
  const world = await EmbeddedWorld.open(root, { readOnly: true });
  try {
    const pending = world.pendingApprovals().map((intent) => describePending(world, intent));
    emit(options, { pending }, () => pending.length === 0 ? 'no intents are waiting for approval' : [
      `${'INTENT'.padEnd(71)}  ${'EFFECT'.padEnd(14)} ${'INSTANCE'.padEnd(28)} APPROVALS`,
      ...pending.map((row) => `${row.intent_hash}  ${row.effect_kind.padEnd(14)} ${`${row.module}${row.key === null ? '' : `[${stringifyExact(row.key, 0)}]`}`.padEnd(28)} ${row.approvals.length}/${row.quorum ?? '-'}${row.approvals.length > 0 ? ` (${row.approvals.map((entry) => entry.principal ?? entry.public_key).join(', ')})` : ''}`),
      `decide with \`aos approvals approve|deny <intent> --key <principal key> --root ${options.root}\``,
    ].join('\n'));
  } finally {
    world.close();
  }
}

export async function decide(intent: string, decision: ApprovalDecision, options: DecideOptions): Promise<void> {
  const root = resolve(options.root);
  if (!isHash(intent)) throw new CliError('BAD_INTENT', `"${intent.slice(0, 80)}" is not an intent hash`, `copy one from \`aos approvals ls --root ${options.root}\` (sha256: and 64 hex digits)`);
  const signer = loadApprovalSigner(root, options.key);
  const world = await EmbeddedWorld.open(root);
  try {
    let records;
    try {
      records = world.approve(intent, decision, signer);
    } catch (error) {
      if (!(error instanceof KernelError) || error.code !== 'APPROVAL_REFUSED') throw error;
      throw new CliError('APPROVAL_REFUSED', error.message, `list what waits with \`aos approvals ls --root ${options.root}\`; the key must be a principal listed in the manifest's approval_policy (\`aos key ls --root ${options.root}\`)`);
    }
    const open = world.openIntents().get(intent);
    const outcome = open === undefined ? 'denied' : open.approval === null ? 'approved' : 'pending';
    const data = { intent_hash: intent, decision, principal: { name: signer.name, public_key: signer.keyId }, outcome, height: records[0]?.height ?? null, approvals: open?.approval?.approvers.length ?? null, quorum: world.view.authority.approval?.quorum ?? null };
    emit(options, data, () => {
      const what = outcome === 'approved' ? 'approved: it runs as ordinary open work when the node executes it'
        : outcome === 'denied' ? 'denied: the workflow received a denied receipt'
          : `recorded ${data.approvals ?? 0} of ${data.quorum ?? '?'} approvals needed; it still waits`;
      return `${decision} by ${signer.name} (${signer.keyId}) journaled at height ${data.height ?? '-'}\nintent ${intent} ${what}`;
    });
  } finally {
    world.close();
  }
}
