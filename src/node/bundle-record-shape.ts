// The fields a bundle's records must have before they are audited. A record read back from this
// node's own store was written by the kernel, so the audits read its fields as typed; a bundle's
// records come from outside, and openRecord checks only that a record decodes and sits at its
// height. This table checks the fields the audits and the import read (and the kind), so a
// renamed or retyped field is named here instead of surfacing as a crash deep in an audit.
import { isHash } from '../cbor/index.ts';
import { isPublicKeyId } from '../kernel/index.ts';
import type { RecordKind, SealedRecord } from '../kernel/index.ts';

type FieldCheck = (value: unknown) => boolean;

const hash: FieldCheck = isHash;
const text: FieldCheck = (value) => typeof value === 'string';
const bytes: FieldCheck = (value) => value instanceof Uint8Array;
const natural: FieldCheck = (value) => (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) || (typeof value === 'bigint' && value >= 0n);
const keyIds: FieldCheck = (value) => Array.isArray(value) && value.every(isPublicKeyId);
const object: FieldCheck = (value) => typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
const keyEntries: FieldCheck = (value) => Array.isArray(value) && value.every((entry) => object(entry) && text((entry as { adapter_id?: unknown }).adapter_id) && isPublicKeyId((entry as { public_key?: unknown }).public_key));

/** Required fields per record kind: every kind the kernel journals is listed, so an unknown kind is refused. */
const REQUIRED_FIELDS = {
  domain_event: { schema: text, value: bytes, event_hash: hash, origin: object },
  effect_intent: { intent_hash: hash, effect_kind: text, params: bytes, grant: text, idempotency_key: bytes, origin: object, cause: natural },
  cap_decision: { intent_hash: hash, effect_kind: text, cap_type: text, decision: text, origin: object, cause: natural },
  policy_decision: { intent_hash: hash, decision: text, origin: object, cause: natural },
  effect_receipt: { intent_hash: hash, adapter_id: text, status: text, payload: bytes, signature: bytes, stamp: object },
  approval: { intent_hash: hash, decision: text, principal: isPublicKeyId, signature: bytes, stamp: object },
  budget_charge: { grant: text, intent_hash: hash, cost_cents: natural, tokens: natural, count: natural, cause: natural },
  receipt_rejected: { intent_hash: hash, adapter_id: text, status: text, payload_hash: hash, reason: text, message: text, stamp: object },
  trusted_keys: { keys: keyEntries },
  key_rotation: { adapter_id: text, trust: keyIds, retire: keyIds, stamp: object },
  stream_frame: { intent_hash: hash, adapter_id: text, signature: bytes, stamp: object },
  workflow_fault: { module: text, failure: object, cause: natural },
  governance: { op: text, proposal_id: natural, stamp: object },
  manifest: { manifest_hash: hash },
  snapshot: { snapshot_hash: hash, manifest_hash: hash },
} satisfies Record<RecordKind, Readonly<Record<string, FieldCheck>>>;

/** Why the record lacks the shape its kind needs, or null when it has it. */
export function recordShapeProblem(record: SealedRecord): string | null {
  const body = record.body as unknown as Record<string, unknown>;
  const fields = (REQUIRED_FIELDS as Readonly<Record<string, Readonly<Record<string, FieldCheck>>>>)[String(body.kind)];
  if (fields === undefined) return `its kind ${JSON.stringify(String(body.kind)).slice(0, 60)} is not a record kind`;
  for (const [field, check] of Object.entries(fields)) {
    if (!check(body[field])) return `its field ${field} is ${body[field] === undefined ? 'missing' : 'not of the right type'} for a ${String(body.kind)} record`;
  }
  if (record.height > 0 && !isHash(record.prev)) return 'its prev is not a hash';
  return null;
}
