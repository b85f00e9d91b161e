// What the approvals commands do; loaded only when one of them runs. Output shows public ids, never private bytes.
// Through a running node, a decision is still signed here, with the principal key file under
// --root: the CLI asks the node what to sign and sends only the signed decision.
import { resolve } from 'node:path';
import { decodeCanonical, isHash } from '../../cbor/index.ts';
import type { Hash } from '../../cbor/index.ts';
import { KernelError } from '../../kernel/index.ts';
import type { ApprovalDecision, ApprovalSigningFields, OpenIntent } from '../../kernel/index.ts';
import { EmbeddedWorld, loadApprovalSigner } from '../../node/index.ts';
import type { ApprovalSigner } from '../../node/index.ts';
import { CliError } from '../cli-error.ts';
import { nodeRequest, nodeTarget, worldPath } from '../node-client.ts';
import type { NodeTarget } from '../node-client.ts';
import { cborForJson, emit, stringifyExact } from '../output.ts';
import type { NodeOptions } from './world.ts';

export interface DecideOptions extends NodeOptions { readonly key: string }

/** A pending intent as `aos approvals ls` shows it. */
interface PendingRow {
  readonly intent_hash: string;
  readonly effect_kind: string;
  readonly grant: string | null;
  readonly module: string;
  readonly key: unknown;
  readonly emitted_at: number;
  readonly approvals: ReadonlyArray<{ principal: string | null; public_key: string }>;
  readonly quorum: number | null;
}

/** What a decision did, as `aos approvals approve|deny` prints it. */
interface Decided {
  readonly intent_hash: string;
  readonly decision: ApprovalDecision;
  readonly principal: { name: string; public_key: string };
  readonly outcome: string;
  readonly height: number | null;
  readonly approvals: number | null;
  readonly quorum: number | null;
}

function describePending(world: EmbeddedWorld, intent: OpenIntent) {
  const policy = world.view.authority.approval;
  const approvers = intent.approval?.approvers ?? [];
  return {
    intent_hash: intent.hash, effect_kind: intent.kind, grant: intent.grant, module: intent.module,
    key: intent.key === null ? null : cborForJson(decodeCanonical(intent.key)), emitted_at: intent.emittedAt,
    approvals: approvers.map((key) => ({ principal: policy?.principals.get(key) ?? null, public_key: key })), quorum: policy?.quorum ?? null,
  };
}

export async function ls(options: NodeOptions): Promise<void> {
  const target = await nodeTarget(options);
  if (target !== null) {
    const answer = await nodeRequest<{ pending: PendingRow[] }>(target, 'GET', worldPath(target, '/approvals'));
    // The node also says waiting_for_approval (always true here): keep the fields and order of the folder's listing.
    emitPending(options, answer.pending.map((row) => ({ intent_hash: row.intent_hash, effect_kind: row.effect_kind, grant: row.grant, module: row.module, key: row.key, emitted_at: row.emitted_at, approvals: row.approvals, quorum: row.quorum })));
    return;
  }
  const root = resolve(options.root);
  const world = await EmbeddedWorld.open(root, { readOnly: true });
  try {
    emitPending(options, world.pendingApprovals().map((intent) => describePending(world, intent)));
  } finally {
    world.close();
  }
}

function emitPending(options: NodeOptions, pending: readonly PendingRow[]): void {
  emit(options, { pending }, () => pending.length === 0 ? 'no intents are waiting for approval' : [
    `${'INTENT'.padEnd(71)}  ${'EFFECT'.padEnd(14)} ${'INSTANCE'.padEnd(28)} APPROVALS`,
    ...pending.map((row) => `${row.intent_hash}  ${row.effect_kind.padEnd(14)} ${`${row.module}${row.key === null ? '' : `[${stringifyExact(row.key, 0)}]`}`.padEnd(28)} ${row.approvals.length}/${row.quorum ?? '-'}${row.approvals.length > 0 ? ` (${row.approvals.map((entry) => entry.principal ?? entry.public_key).join(', ')})` : ''}`),
    `decide with \`aos approvals approve|deny <intent> --key <principal key> --root ${options.root}\``,
  ].join('\n'));
}

function refusedHint(options: NodeOptions): string {
  return `list what waits with \`aos approvals ls --root ${options.root}\`; the key must be a principal listed in the manifest's approval_policy (\`aos key ls --root ${options.root}\`)`;
}

/** Signs the decision here and has the node admit it; the node's refusal gets the hint the folder's gets. */
async function decideViaNode(target: NodeTarget, intent: Hash, decision: ApprovalDecision, signer: ApprovalSigner, options: DecideOptions): Promise<Decided> {
  try {
    const subject = await nodeRequest<ApprovalSigningFields>(target, 'GET', worldPath(target, `/approvals/${intent}/subject?${new URLSearchParams({ decision })}`));
    if (subject.intent_hash !== intent || subject.decision !== decision) throw new CliError('NODE_BAD_ANSWER', `the node at ${target.url} offered to sign a decision on ${subject.intent_hash} (${subject.decision}), not ${decision} on ${intent}`, 'is that URL the node serving this world? `aos node status` shows where it is');
    const signed = signer.sign(subject);
    const done = await nodeRequest<Omit<Decided, 'principal'>>(target, 'POST', worldPath(target, `/approvals/${intent}/signed`), { decision, principal: signed.principal, signature_b64: Buffer.from(signed.signature).toString('base64') });
    return { intent_hash: done.intent_hash, decision: done.decision, principal: { name: signer.name, public_key: signer.keyId }, outcome: done.outcome, height: done.height, approvals: done.approvals, quorum: done.quorum };
  } catch (error) {
    if (error instanceof CliError && error.code === 'APPROVAL_REFUSED') throw new CliError('APPROVAL_REFUSED', error.message, refusedHint(options));
    throw error;
  }
}

export async function decide(intent: string, decision: ApprovalDecision, options: DecideOptions): Promise<void> {
  const root = resolve(options.root);
  if (!isHash(intent)) throw new CliError('BAD_INTENT', `"${intent.slice(0, 80)}" is not an intent hash`, `copy one from \`aos approvals ls --root ${options.root}\` (sha256: and 64 hex digits)`);
  const signer = loadApprovalSigner(root, options.key);
  const target = await nodeTarget(options);
  if (target !== null) {
    emitDecided(options, await decideViaNode(target, intent, decision, signer, options));
    return;
  }
  const world = await EmbeddedWorld.open(root);
  try {
    let records;
    try {
      records = world.approve(intent, decision, signer);
    } catch (error) {
      if (!(error instanceof KernelError) || error.code !== 'APPROVAL_REFUSED') throw error;
      throw new CliError('APPROVAL_REFUSED', error.message, refusedHint(options));
    }
    const open = world.openIntents().get(intent);
    const outcome = open === undefined ? 'denied' : open.approval === null ? 'approved' : 'pending';
    emitDecided(options, { intent_hash: intent, decision, principal: { name: signer.name, public_key: signer.keyId }, outcome, height: records[0]?.height ?? null, approvals: open?.approval?.approvers.length ?? null, quorum: world.view.authority.approval?.quorum ?? null });
  } finally {
    world.close();
  }
}

function emitDecided(options: DecideOptions, data: Decided): void {
  emit(options, data, () => {
    const what = data.outcome === 'approved' ? 'approved: it runs as ordinary open work when the node executes it'
      : data.outcome === 'denied' ? 'denied: the workflow received a denied receipt'
        : `recorded ${data.approvals ?? 0} of ${data.quorum ?? '?'} approvals needed; it still waits`;
    return `${data.decision} by ${data.principal.name} (${data.principal.public_key}) journaled at height ${data.height ?? '-'}\nintent ${data.intent_hash} ${what}`;
  });
}
