// `aos receipts ls|show` (DESIGN §9): a world's receipts as journaled, each with the effect it
// settles and whether its signature verifies against the world's trusted keys. `show` renders
// the payload in the sugar JSON lens of the effect's receipt schema (a failure message as text).
import { AirError, valueToSugarJson } from '../air/index.ts';
import { CborError, decodeCanonical, hashBytes, toJsonValue } from '../cbor/index.ts';
import type { Hash } from '../cbor/index.ts';
import { applyKeyRotation, checkReceiptSignature, isFailureMessage, trustedKeysOf } from '../kernel/index.ts';
import type { ReceiptUsage, RecordBody, SealedRecord, TrustedReceiptKeys } from '../kernel/index.ts';
import type { EmbeddedWorld } from './embedded-world.ts';
import { NodeError } from './errors.ts';

/** Journal records read per page while collecting receipts. */
const RECEIPTS_PAGE_RECORDS = 4_096;

/** A journaled receipt, summarised. */
export interface ReceiptSummary {
  readonly height: number;
  readonly intent_hash: Hash;
  readonly effect_kind: string | null;
  readonly adapter_id: string;
  readonly status: string;
  readonly cost_cents: number | bigint | null;
  readonly usage: ReceiptUsage | null;
  readonly signature: 'verified' | 'invalid';
  /** Why the signature does not verify; null when it does. */
  readonly signature_problem: string | null;
}

/** A receipt in full: its summary, the intent it settles, its payload, and refusals of other receipts for that intent. */
export interface ReceiptDetail extends ReceiptSummary {
  readonly intent_height: number | null;
  readonly receipt_schema: string | null;
  readonly payload_hash: Hash;
  readonly payload_bytes: number;
  /** The payload in the sugar lens of the receipt schema, a failure message as text, or raw CBOR JSON. */
  readonly payload: unknown;
  readonly payload_lens: 'sugar' | 'failure_message' | 'cbor';
  readonly rejected: ReadonlyArray<{ readonly height: number; readonly adapter_id: string; readonly reason: string; readonly message: string }>;
}

type ReceiptBody = Extract<RecordBody, { kind: 'effect_receipt' }>;
interface Collected {
  readonly receipts: Array<{ readonly record: SealedRecord; readonly body: ReceiptBody; readonly trusted: TrustedReceiptKeys; readonly retired: TrustedReceiptKeys }>;
  readonly intents: Map<Hash, { readonly height: number; readonly effect_kind: string }>;
  readonly rejected: SealedRecord[];
}

/** Every receipt in the world, in journal order; `intent` keeps only that intent's. */
export function listReceipts(world: EmbeddedWorld, intent?: Hash): ReceiptSummary[] {
  const collected = collect(world, intent);
  return collected.receipts.map((entry) => summarise(entry.body, entry.record.height, entry, collected.intents.get(entry.body.intent_hash)?.effect_kind ?? null));
}

/** The receipt that settled an intent, in full; NO_RECEIPT when none did. */
export function showReceipt(world: EmbeddedWorld, intent: Hash): ReceiptDetail {
  const collected = collect(world, intent);
  const entry = collected.receipts[0];
  const opened = collected.intents.get(intent);
  if (entry === undefined) {
    const state = opened === undefined ? 'no intent with that hash was journaled' : `the intent (a ${opened.effect_kind}, height ${opened.height}) is still open`;
    throw new NodeError('NO_RECEIPT', `no receipt settles ${intent}: ${state}`, 'list the receipts with `aos receipts ls`, or open work with `aos diagnose`');
  }
  const summary = summarise(entry.body, entry.record.height, entry, opened?.effect_kind ?? null);
  const schema = summary.effect_kind === null ? null : (world.view.effects.get(summary.effect_kind)?.receipt_schema ?? null);
  return {
    ...summary, intent_height: opened?.height ?? null, receipt_schema: schema, payload_hash: hashBytes(entry.body.payload), payload_bytes: entry.body.payload.length,
    ...payloadJson(world, schema, entry.body),
    rejected: collected.rejected.map((record) => {
      const body = record.body as Extract<RecordBody, { kind: 'receipt_rejected' }>;
      return { height: record.height, adapter_id: body.adapter_id, reason: body.reason, message: body.message };
    }),
  };
}

function collect(world: EmbeddedWorld, only: Hash | undefined): Collected {
  const collected: Collected = { receipts: [], intents: new Map(), rejected: [] };
  let keys: { trusted: TrustedReceiptKeys; retired: TrustedReceiptKeys } = { trusted: new Map(), retired: new Map() };
  for (let height = 0; ;) {
    const page = world.tail(height, RECEIPTS_PAGE_RECORDS);
    if (page.length === 0) return collected;
    for (const record of page) {
      const body = record.body;
      if (body.kind === 'trusted_keys') keys = { trusted: trustedKeysOf(body), retired: keys.retired };
      else if (body.kind === 'key_rotation') keys = applyKeyRotation(keys, body);
      else if (body.kind === 'effect_intent' && (only === undefined || body.intent_hash === only)) collected.intents.set(body.intent_hash, { height: record.height, effect_kind: body.effect_kind });
      else if (body.kind === 'effect_receipt' && (only === undefined || body.intent_hash === only)) collected.receipts.push({ record, body, ...keys });
      else if (body.kind === 'receipt_rejected' && body.intent_hash === only) collected.rejected.push(record);
    }
    height = (page.at(-1)?.height ?? height) + 1;
  }
}

function summarise(body: ReceiptBody, height: number, keys: { readonly trusted: TrustedReceiptKeys; readonly retired: TrustedReceiptKeys }, effectKind: string | null): ReceiptSummary {
  const check = checkReceiptSignature(keys.trusted, {
    intent_hash: body.intent_hash, adapter_id: body.adapter_id, status: body.status, payload_hash: hashBytes(body.payload),
    cost_cents: body.cost_cents ?? null, usage: body.usage ?? null,
  }, body.signature, keys.retired);
  return {
    height, intent_hash: body.intent_hash, effect_kind: effectKind, adapter_id: body.adapter_id, status: body.status,
    cost_cents: body.cost_cents ?? null, usage: body.usage ?? null, signature: check.ok ? 'verified' : 'invalid', signature_problem: check.ok ? null : check.message,
  };
}

function payloadJson(world: EmbeddedWorld, schema: string | null, body: ReceiptBody): Pick<ReceiptDetail, 'payload' | 'payload_lens'> {
  try {
    if (body.status !== 'ok' && isFailureMessage(body.payload)) return { payload: decodeCanonical(body.payload), payload_lens: 'failure_message' };
    if (schema !== null) return { payload: valueToSugarJson(decodeCanonical(body.payload), { ref: schema }, world.view.index), payload_lens: 'sugar' };
  } catch (error) {
    if (!(error instanceof AirError || error instanceof CborError)) throw error;
  }
  try {
    return { payload: toJsonValue(decodeCanonical(body.payload)), payload_lens: 'cbor' };
  } catch (error) {
    if (!(error instanceof CborError)) throw error;
    return { payload: null, payload_lens: 'cbor' };
  }
}
