// What the receipts commands do; loaded only when one of them runs.
import { resolve } from 'node:path';
import { isHash } from '../../cbor/index.ts';
import type { Hash } from '../../cbor/index.ts';
import { EmbeddedWorld, listReceipts, showReceipt } from '../../node/index.ts';
import type { ReceiptSummary } from '../../node/index.ts';
import { CliError } from '../cli-error.ts';
import { emit, stringifyExact } from '../output.ts';
import { nodeRequest, nodeTarget, worldPath } from '../node-client.ts';
import type { NodeOptions, RootOptions } from './world.ts';
import type { ReceiptDetail } from '../../node/index.ts';
import type { ReceiptsLsOptions } from './receipts.ts';

/** Width of the EFFECT column: the longest built-in effect kind (governance.propose, workspace.annotations_set) fits. */
const EFFECT_WIDTH = 26;

async function withWorld<T>(options: RootOptions, work: (world: EmbeddedWorld) => T): Promise<T> {
  const world = await EmbeddedWorld.open(resolve(options.root), { readOnly: true });
  try {
    return work(world);
  } finally {
    world.close();
  }
}

function checkedHash(text: string, what: string): Hash {
  if (!isHash(text)) throw new CliError('BAD_OPTION', `${what} ${JSON.stringify(text)} is not an intent hash`, 'an intent hash is "sha256:" and 64 lowercase hex digits; list them with `aos receipts ls`');
  return text;
}

export async function ls(options: ReceiptsLsOptions): Promise<void> {
  const intent = options.intent === undefined ? undefined : checkedHash(options.intent, '--intent');
  const target = await nodeTarget(options);
  if (target !== null) {
    const answer = await nodeRequest<{ receipts: ReceiptSummary[] }>(target, 'GET', worldPath(target, `/receipts${intent === undefined ? '' : `?${new URLSearchParams({ intent })}`}`));
    emitList(options, answer.receipts);
    return;
  }
  await withWorld(options, (world) => emitList(options, listReceipts(world, intent)));
}

function emitList(options: RootOptions, receipts: readonly ReceiptSummary[]): void {
  emit(options, { receipts }, () => receipts.length === 0 ? 'no receipts yet' : [
    `${'HEIGHT'.padStart(6)}  ${'EFFECT'.padEnd(EFFECT_WIDTH)} ${'STATUS'.padEnd(7)} ${'ADAPTER'.padEnd(18)} ${'COST'.padStart(6)}  ${'SIGNATURE'.padEnd(9)}  INTENT`,
    ...receipts.map(row),
  ].join('\n'));
}

function row(receipt: ReceiptSummary): string {
  const cost = receipt.cost_cents === null ? '-' : `${receipt.cost_cents}¢`;
  return `${String(receipt.height).padStart(6)}  ${(receipt.effect_kind ?? '?').padEnd(EFFECT_WIDTH)} ${receipt.status.padEnd(7)} ${receipt.adapter_id.padEnd(18)} ${cost.padStart(6)}  ${receipt.signature.padEnd(9)}  ${receipt.intent_hash}`;
}

export async function show(intentText: string, options: NodeOptions): Promise<void> {
  const intent = checkedHash(intentText, 'intent');
  const target = await nodeTarget(options);
  if (target !== null) {
    emitDetail(options, await nodeRequest<ReceiptDetail>(target, 'GET', worldPath(target, `/receipts/${intent}`)));
    return;
  }
  await withWorld(options, (world) => emitDetail(options, showReceipt(world, intent)));
}

function emitDetail(options: RootOptions, receipt: ReceiptDetail): void {
  emit(options, receipt, () => [
    `receipt for ${receipt.intent_hash} (${receipt.effect_kind ?? 'unknown effect'}, opened at height ${receipt.intent_height ?? '?'}, settled at height ${receipt.height})`,
    `  status     ${receipt.status}`,
    `  adapter    ${receipt.adapter_id}`,
    `  signature  ${receipt.signature}${receipt.signature_problem === null ? '' : `: ${receipt.signature_problem}`}`,
    `  cost       ${receipt.cost_cents === null ? 'not reported' : `${receipt.cost_cents} cents`}`,
    `  usage      ${receipt.usage === null ? 'not reported' : `${receipt.usage.prompt_tokens} prompt + ${receipt.usage.completion_tokens} completion tokens`}`,
    `  payload    ${receipt.payload_bytes} bytes, ${receipt.payload_hash}${receipt.receipt_schema === null ? '' : ` (${receipt.receipt_schema}, ${receipt.payload_lens} lens)`}`,
    ...stringifyExact(receipt.payload).split('\n').map((line) => `    ${line}`),
    ...receipt.rejected.map((refusal) => `  refused at height ${refusal.height} from ${refusal.adapter_id} (${refusal.reason}): ${refusal.message}`),
  ].join('\n'));
}
