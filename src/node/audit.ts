// `aos audit verify` (DESIGN §7): walks a world's whole journal offline, with only the public
// keys its trusted_keys record lists and its key_rotation records trust and retire (each applied
// at its height), and reports what does not hold:
// - the hash chain: heights run 0, 1, 2, … without a gap, each record's `prev` is the hash of
//   the record before it (null at height 0), each record's bytes are the canonical encoding of
//   what they say, and the last hash is the world's head;
// - every effect_receipt verifies against the keys trusted for its adapter_id at its height, over
//   exactly the fields admission signed (payload_hash = sha256 of the journaled payload bytes; an
//   absent cost_cents or usage signed as null), and has a status a receipt may have;
// - every effect_receipt settles an intent journaled before it, and no intent is settled twice;
// - every stream_frame belongs to an intent open at its height, follows that intent's previous
//   frame (1, 2, 3, …), and is signed by a key trusted for its adapter_id at its height;
// - every receipt_rejected names an intent open at the time, and its refusal is founded. A record
//   keeps the signed fields and the signature, so the signature check is re-run against the keys
//   valid at its height: a signature refusal (UNKNOWN_KEY, SIGNATURE_LENGTH, BAD_SIGNATURE,
//   KEY_RETIRED) must come out with the same reason, and a refusal admission gives only after the
//   signature verified (STATUS_INVALID, PAYLOAD_INVALID) must verify; a refusal whose receipt in
//   fact verifies is unfounded. The payload is kept only as its hash, so PAYLOAD_INVALID itself
//   is not re-checked, only that the status was valid (admission checks the status first). A
//   refusal whose outside text was cut to fit, or a FIELDS_INVALID one whose malformed fields were
//   left out, cannot be re-signed and is checked only for consistency; so are records written
//   before refusals kept their signature (an UNKNOWN_KEY refusal must name an adapter with no
//   trusted key, the other reasons an adapter with one).
import type { Hash } from '../cbor/index.ts';
import { hashBytes } from '../cbor/index.ts';
import { verify as cryptoVerify } from 'node:crypto';
import { applyKeyRotation, checkReceiptSignature, DENY_QUOTED_CHARS_MAX, publicKeyObject, RECEIPT_SIGNATURE_BYTES, sealRecord, streamFrameSigningBytes, trustedKeysOf } from '../kernel/index.ts';
import type { StreamFrameRecordBody } from '../kernel/index.ts';
import type { ReceiptRejectedRecordBody, RecordBody, SealedRecord, TrustedReceiptKeys } from '../kernel/index.ts';
import type { EmbeddedWorld } from './embedded-world.ts';

/** Findings an audit keeps: past this many it only counts them, so a wrecked journal cannot exhaust memory. */
export const AUDIT_FINDINGS_KEPT_MAX = 1_000;

/** What an audit found wrong; stable codes a caller can match. */
export type AuditFindingCode =
  | 'HEIGHT_GAP' | 'CHAIN_BROKEN' | 'NOT_CANONICAL' | 'HEAD_MISMATCH'
  | 'SIGNATURE_INVALID' | 'STATUS_INVALID' | 'RECEIPT_WITHOUT_INTENT' | 'DOUBLE_SETTLEMENT'
  | 'REJECTION_WITHOUT_INTENT' | 'REJECTION_UNFOUNDED' | 'FRAME_WITHOUT_INTENT' | 'FRAME_OUT_OF_ORDER';

/** One thing that does not hold, at one height. */
export interface AuditFinding {
  readonly height: number;
  readonly kind: string;
  readonly code: AuditFindingCode;
  readonly message: string;
}

/** What an audit checked and found. */
export interface AuditReport {
  readonly ok: boolean;
  /** Records walked (the journal's next height when the chain is whole). */
  readonly records: number;
  readonly head: Hash | null;
  readonly intents: number;
  readonly receipts: number;
  /** Receipts whose signature verified against a trusted key. */
  readonly signatures_verified: number;
  readonly rejections: number;
  /** Intents journaled and not settled (open work). */
  readonly open_intents: number;
  readonly findings_total: number;
  /** The first AUDIT_FINDINGS_KEPT_MAX findings, in height order. */
  readonly findings: readonly AuditFinding[];
}

/** The head the journal must end at: the world's own record of its chain. */
export interface ExpectedHead {
  readonly height: number;
  readonly hash: Hash | null;
}

const STATUSES: ReadonlySet<string> = new Set(['ok', 'error', 'timeout']);
/** Rejection reasons admission gives only after the signature verified against a trusted key. */
const AFTER_SIGNATURE: ReadonlySet<string> = new Set(['STATUS_INVALID', 'PAYLOAD_INVALID']);
/** Rejection reasons admission gives when the adapter has trusted keys but the signature is not theirs. */
const SIGNATURE_REASONS: ReadonlySet<string> = new Set(['SIGNATURE_LENGTH', 'BAD_SIGNATURE', 'FIELDS_INVALID', 'KEY_RETIRED']);

/** Audits a world's whole journal, from genesis to its head; see the file comment for what is checked. */
export function auditWorld(world: EmbeddedWorld): AuditReport {
  return auditJournal(world.records(), world.head);
}


/** Audits records in journal order; with `expected`, the chain must end at that head. */
export function auditJournal(records: Iterable<SealedRecord>, expected?: ExpectedHead): AuditReport {
  const audit = new JournalAudit();
  for (const record of records) audit.visit(record);
  return audit.finish(expected);
}

interface IntentEntry { readonly height: number; settledAt: number | null; frames: number }

/** The walk's state: one pass, bounded by the journal's intents (the settlement index). */
class JournalAudit {
  private readonly findings: AuditFinding[] = [];
  private findingsTotal = 0;
  private readonly intents = new Map<Hash, IntentEntry>();
  private trusted: TrustedReceiptKeys = new Map();
  private retired: TrustedReceiptKeys = new Map();
  private expectedHeight = 0;
  private previous: Hash | null = null;
  private receipts = 0;
  private verified = 0;
  private rejections = 0;

  visit(record: SealedRecord): void {
    this.checkChain(record);
    const body = record.body;
    switch (body.kind) {
      case 'trusted_keys':
        this.trusted = trustedKeysOf(body);
        break;
      case 'key_rotation': {
        const next = applyKeyRotation({ trusted: this.trusted, retired: this.retired }, body);
        this.trusted = next.trusted;
        this.retired = next.retired;
        break;
      }
      case 'effect_intent':
        if (!this.intents.has(body.intent_hash)) this.intents.set(body.intent_hash, { height: record.height, settledAt: null, frames: 0 });
        break;
      case 'effect_receipt':
        this.checkReceipt(record, body);
        break;
      case 'receipt_rejected':
        this.checkRejection(record, body);
        break;
      case 'stream_frame':
        this.checkFrame(record, body);
        break;
      case 'governance': {
        // An apply a workflow asked for settles that workflow's governance.apply intent in the swap (no receipt record).
        const settled = body.op === 'applied' && body.intent_hash !== undefined ? this.intents.get(body.intent_hash) : undefined;
        if (settled !== undefined && settled.settledAt === null) settled.settledAt = record.height;
        break;
      }
      default:
        break;
    }
  }

  finish(expected: ExpectedHead | undefined): AuditReport {
    if (expected !== undefined && (expected.height !== this.expectedHeight || expected.hash !== this.previous)) {
      this.find(this.expectedHeight, 'journal', 'HEAD_MISMATCH', `the journal ends at height ${this.expectedHeight} with ${this.previous ?? 'no record'}, but the world's head is ${expected.height} (${expected.hash ?? 'none'})`);
    }
    let open = 0;
    for (const entry of this.intents.values()) if (entry.settledAt === null) open += 1;
    return {
      ok: this.findingsTotal === 0, records: this.expectedHeight, head: this.previous, intents: this.intents.size, receipts: this.receipts,
      signatures_verified: this.verified, rejections: this.rejections, open_intents: open, findings_total: this.findingsTotal, findings: this.findings,
    };
  }

  private checkChain(record: SealedRecord): void {
    const kind = record.body.kind;
    if (record.height !== this.expectedHeight) {
      this.find(record.height, kind, 'HEIGHT_GAP', `expected height ${this.expectedHeight} next, found ${record.height}: records are missing or out of order`);
    }
    if (record.prev !== this.previous) {
      this.find(record.height, kind, 'CHAIN_BROKEN', `prev is ${record.prev ?? 'null'}, but the record before it hashes to ${this.previous ?? 'null (none)'}: a record before it was changed, removed or inserted`);
    }
    if (!sameBytes(sealRecord(record.height, record.prev, record.body).bytes, record.bytes)) {
      this.find(record.height, kind, 'NOT_CANONICAL', 'the stored bytes are not the canonical encoding of the record they decode to');
    }
    this.expectedHeight = record.height + 1;
    this.previous = hashBytes(record.bytes);
  }

  private checkReceipt(record: SealedRecord, body: Extract<RecordBody, { kind: 'effect_receipt' }>): void {
    this.receipts += 1;
    const check = checkReceiptSignature(this.trusted, {
      intent_hash: body.intent_hash, adapter_id: body.adapter_id, status: body.status, payload_hash: hashBytes(body.payload),
      cost_cents: body.cost_cents ?? null, usage: body.usage ?? null,
    }, body.signature, this.retired);
    if (check.ok) this.verified += 1;
    else this.find(record.height, body.kind, 'SIGNATURE_INVALID', `${check.reason}: ${check.message}`);
    if (!STATUSES.has(body.status)) {
      this.find(record.height, body.kind, 'STATUS_INVALID', `status ${JSON.stringify(body.status)} is not ok, error or timeout; admission refuses such a receipt`);
    }
    const intent = this.intents.get(body.intent_hash);
    if (intent === undefined) {
      this.find(record.height, body.kind, 'RECEIPT_WITHOUT_INTENT', `settles intent ${body.intent_hash}, which no effect_intent record before it opened`);
      return;
    }
    if (intent.settledAt !== null) {
      this.find(record.height, body.kind, 'DOUBLE_SETTLEMENT', `settles intent ${body.intent_hash} (opened at height ${intent.height}) a second time; it was settled at height ${intent.settledAt}`);
      return;
    }
    intent.settledAt = record.height;
  }

  private checkFrame(record: SealedRecord, body: StreamFrameRecordBody): void {
    const intent = this.intents.get(body.intent_hash);
    if (intent === undefined || intent.settledAt !== null) {
      this.find(record.height, body.kind, 'FRAME_WITHOUT_INTENT', `streams frame ${body.seq} for intent ${body.intent_hash}, which was ${intent === undefined ? 'never opened' : `settled at height ${intent.settledAt ?? '?'}`}`);
    } else {
      if (body.seq !== intent.frames + 1) this.find(record.height, body.kind, 'FRAME_OUT_OF_ORDER', `is frame ${body.seq} of intent ${body.intent_hash}, whose previous frame was ${intent.frames}; admission takes frames 1, 2, 3, … only`);
      intent.frames = body.seq;
    }
    const bytes = streamFrameSigningBytes({ intent_hash: body.intent_hash, adapter_id: body.adapter_id, seq: body.seq, frame_kind: body.frame_kind, payload_hash: hashBytes(body.payload) });
    const keys = this.trusted.get(body.adapter_id) ?? [];
    if (body.signature.length !== RECEIPT_SIGNATURE_BYTES || !keys.some((key) => cryptoVerify(null, bytes, publicKeyObject(key), body.signature))) {
      this.find(record.height, body.kind, 'SIGNATURE_INVALID', `stream frame ${body.seq} from adapter ${JSON.stringify(body.adapter_id)} does not verify under the ${keys.length} key(s) trusted for that adapter at this height`);
    }
  }

  private checkRejection(record: SealedRecord, body: ReceiptRejectedRecordBody): void {
    this.rejections += 1;
    const intent = this.intents.get(body.intent_hash);
    if (intent === undefined || intent.settledAt !== null) {
      const why = intent === undefined ? 'never opened' : `already settled at height ${intent.settledAt ?? '?'}`;
      this.find(record.height, body.kind, 'REJECTION_WITHOUT_INTENT', `refuses a receipt for intent ${body.intent_hash}, which was ${why}; only receipts for open intents are journaled as refusals`);
    }
    const problem = body.signature !== undefined && isEvidenceWhole(body) ? this.recheckRejection(body, body.signature) : rejectionProblem(body, (this.trusted.get(body.adapter_id) ?? []).length > 0);
    if (problem !== null) this.find(record.height, body.kind, 'REJECTION_UNFOUNDED', problem);
  }

  /** Re-runs admission's signature check on a refusal's evidence; why the refusal is unfounded, or null. */
  private recheckRejection(body: ReceiptRejectedRecordBody, signature: Uint8Array): string | null {
    if (!AFTER_SIGNATURE.has(body.reason) && !SIGNATURE_REASONS.has(body.reason) && body.reason !== 'UNKNOWN_KEY') return `refused for ${JSON.stringify(body.reason)}, which is not a reason admission gives`;
    const check = checkReceiptSignature(this.trusted, {
      intent_hash: body.intent_hash, adapter_id: body.adapter_id, status: body.status, payload_hash: body.payload_hash,
      cost_cents: body.cost_cents ?? null, usage: body.usage ?? null,
    }, signature, this.retired);
    if (AFTER_SIGNATURE.has(body.reason)) {
      if (!check.ok) return `refused as ${body.reason}, but admission checks the signature first and re-checked it is refused as ${check.reason}: ${check.message}`;
      return rejectionProblem(body, true);
    }
    if (check.ok) return `refused as ${body.reason}, but the receipt's signature verifies under ${check.key}, trusted for adapter ${JSON.stringify(body.adapter_id)} at this height: the refusal is unfounded`;
    if (body.reason === 'FIELDS_INVALID' || check.reason === body.reason) return null;
    return `refused as ${body.reason}, but re-checked against the keys trusted at this height the signature is refused as ${check.reason}: ${check.message}`;
  }

  private find(height: number, kind: string, code: AuditFindingCode, message: string): void {
    this.findingsTotal += 1;
    if (this.findings.length < AUDIT_FINDINGS_KEPT_MAX) this.findings.push({ height, kind, code, message });
  }
}

/** Why a refusal could not have happened as journaled, or null when it could. */
function rejectionProblem(body: ReceiptRejectedRecordBody, adapterTrusted: boolean): string | null {
  const adapter = `adapter ${JSON.stringify(body.adapter_id)}`;
  if (body.reason === 'UNKNOWN_KEY') return adapterTrusted ? `refused as UNKNOWN_KEY, but the world trusts a key for ${adapter}` : null;
  if (!AFTER_SIGNATURE.has(body.reason) && !SIGNATURE_REASONS.has(body.reason)) return `refused for ${JSON.stringify(body.reason)}, which is not a reason admission gives`;
  if (!adapterTrusted && body.reason !== 'FIELDS_INVALID' && body.reason !== 'SIGNATURE_LENGTH') {
    return `refused as ${body.reason}, but the world trusts no key for ${adapter}, so admission would have refused it as UNKNOWN_KEY`;
  }
  if (body.reason === 'STATUS_INVALID' && STATUSES.has(body.status)) return `refused as STATUS_INVALID, but its status ${JSON.stringify(body.status)} is one a receipt may have`;
  if (body.reason === 'PAYLOAD_INVALID' && !STATUSES.has(body.status)) return `refused as PAYLOAD_INVALID, but admission checks the status first and ${JSON.stringify(body.status)} is invalid`;
  return null;
}

/** False when admission cut the refusal's outside text to fit: the fields it journaled are then not the ones signed. */
function isEvidenceWhole(body: ReceiptRejectedRecordBody): boolean {
  const cut = (text: string) => text.length === DENY_QUOTED_CHARS_MAX && text.endsWith('...');
  return !cut(body.adapter_id) && !cut(body.status);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let index = 0; index < a.length; index += 1) if (a[index] !== b[index]) return false;
  return true;
}
