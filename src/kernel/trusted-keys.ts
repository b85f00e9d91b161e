// Rotating the keys a world trusts to sign receipts (DESIGN §7). The world's first trust comes
// from its trusted_keys record at height 1; a key_rotation record, an input of its own stamped at
// ingress, then trusts new keys of one adapter and retires old ones from its own height on:
//   - a receipt is admitted against the keys trusted at the height it is admitted (journaled),
//     so a receipt signed by a retired key is refused (KEY_RETIRED) once the retirement is
//     journaled, even for an intent opened before it: receipts carry no signing time to trust;
//   - a retired key stays retired: trusting it again is refused, so an audit never has to ask
//     when a key was valid beyond "before its retirement";
//   - `aos audit verify` walks the journal and applies each rotation at its height, so every
//     receipt and refusal is checked against the key set valid when it was admitted.
// Pure: a rotation is checked and applied the same way live and on replay.
import { KernelError } from './errors.ts';
import { TRUSTED_KEYS_PER_ROTATION_MAX } from './limits.ts';
import { isPublicKeyId, parsePublicKeyId, publicKeyId } from './public-key.ts';
import type { PublicKeyId } from './public-key.ts';
import type { TrustedReceiptKeys } from './receipt-signature.ts';
import type { IngressStamp } from './records.ts';

/** A change to one adapter's trusted keys: keys to trust from now on, keys to retire from now on. */
export interface KeyRotationInput {
  readonly adapter_id: string;
  readonly trust: readonly PublicKeyId[];
  readonly retire: readonly PublicKeyId[];
}

/**
 * The journal record of a key rotation (see the file comment): `trust` and `retire` sorted, each
 * key listed once; it takes effect for every receipt admitted after it.
 */
export interface KeyRotationRecordBody {
  readonly kind: 'key_rotation';
  readonly adapter_id: string;
  readonly trust: readonly PublicKeyId[];
  readonly retire: readonly PublicKeyId[];
  readonly stamp: IngressStamp;
}

/** The keys trusted and retired per adapter_id at one height. */
export interface TrustedKeyState {
  readonly trusted: TrustedReceiptKeys;
  readonly retired: TrustedReceiptKeys;
}

/** Checks a rotation against the keys as they are; returns its record, or refuses with KEY_ROTATION_REFUSED. */
export function keyRotationRecord(state: TrustedKeyState, input: KeyRotationInput, stamp: IngressStamp): KeyRotationRecordBody {
  const adapter = input.adapter_id;
  if (typeof adapter !== 'string' || adapter.length === 0) throw refused('the rotation names no adapter_id', 'name the adapter whose keys change (its key name)');
  const trust = distinctIds(input.trust, 'trust');
  const retire = distinctIds(input.retire, 'retire');
  if (trust.length + retire.length === 0) throw refused(`the rotation of ${adapter}'s keys trusts and retires nothing`, 'name a key to trust or to retire');
  if (trust.length + retire.length > TRUSTED_KEYS_PER_ROTATION_MAX) throw refused(`the rotation names ${trust.length + retire.length} keys; one rotation changes at most ${TRUSTED_KEYS_PER_ROTATION_MAX}`, 'split it');
  const current = new Set((state.trusted.get(adapter) ?? []).map(publicKeyId));
  const retiredBefore = new Set((state.retired.get(adapter) ?? []).map(publicKeyId));
  for (const key of trust) {
    if (retiredBefore.has(key)) throw refused(`key ${key} was retired for ${adapter} and a retired key is never trusted again`, 'generate a new key (aos key rotate)');
    if (current.has(key)) throw refused(`key ${key} is already trusted for ${adapter}`, 'trust a new key');
  }
  for (const key of retire) {
    if (!current.has(key)) throw refused(`key ${key} is not trusted for ${adapter}, so it cannot be retired`, `list the world's trusted keys; ${adapter} has ${current.size === 0 ? 'none' : [...current].join(', ')}`);
    if (trust.includes(key)) throw refused(`key ${key} is both trusted and retired by one rotation`, 'name it once');
  }
  return { kind: 'key_rotation', adapter_id: adapter, trust, retire, stamp };
}

/** The key state after a (checked) rotation; the state passed in is not changed. */
export function applyKeyRotation(state: TrustedKeyState, body: Pick<KeyRotationRecordBody, 'adapter_id' | 'trust' | 'retire'>): TrustedKeyState {
  const retiring = new Set<string>(body.retire);
  const trusted = new Map(state.trusted);
  const kept = (trusted.get(body.adapter_id) ?? []).filter((key) => !retiring.has(publicKeyId(key)));
  const added = body.trust.map((key) => parseJournaledId(key, body.adapter_id));
  const next = [...kept, ...added];
  if (next.length === 0) trusted.delete(body.adapter_id);
  else trusted.set(body.adapter_id, next);
  const retired = new Map(state.retired);
  if (body.retire.length > 0) retired.set(body.adapter_id, [...(retired.get(body.adapter_id) ?? []), ...body.retire.map((key) => parseJournaledId(key, body.adapter_id))]);
  return { trusted, retired };
}

function distinctIds(keys: readonly PublicKeyId[], field: string): PublicKeyId[] {
  if (!Array.isArray(keys)) throw refused(`${field} is not a list of key ids`, 'pass a list of ed25519:<64 hex> ids');
  for (const key of keys) {
    if (!isPublicKeyId(key)) throw refused(`${field} lists ${JSON.stringify(String(key).slice(0, 80))}, which is not a public key id`, 'pass ed25519:<64 hex> ids (aos key ls shows them)');
  }
  const sorted = [...new Set(keys)].sort();
  if (sorted.length !== keys.length) throw refused(`${field} lists a key twice`, 'name each key once');
  return sorted;
}

function parseJournaledId(key: PublicKeyId, adapter: string): Uint8Array {
  if (!isPublicKeyId(key)) throw new KernelError('JOURNAL_CORRUPT', `a key_rotation record of ${adapter} lists ${JSON.stringify(String(key).slice(0, 80))}, which is not a public key id`);
  return parsePublicKeyId(key, `rotated key of ${adapter}`);
}

function refused(message: string, hint: string): KernelError {
  return new KernelError('KEY_ROTATION_REFUSED', `key rotation refused: ${message}; ${hint}`);
}
