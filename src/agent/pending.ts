// Effects the session waits on. Blob reads and writes are keyed by their params hash (identical
// ones share one effect and gather waiters, as upstream); session-level effects (llm.generate,
// host.session.open) likewise. Every one is emitted with issuer_ref = its key, and its receipt
// is matched by that issuer_ref: the kernel echoes it whatever canonical form it gives the params.
// Tool-call effects live in the active batch, keyed and issued by call_id.
import { effect, encodeCbor } from 'agentos/sdk';
import type { AirValue } from 'agentos/sdk';
import { sha256Hash } from 'agentos/sdk';
import { nowOf } from './reduction.ts';
import type { Reduction } from './reduction.ts';
import type { Hash, PendingBlobGetKind, PendingBlobPutKind, PendingEffect } from './types.ts';

/** The hash of params as the module encodes them (canonical CBOR). */
export function paramsHash(params: AirValue): Hash {
  return sha256Hash(encodeCbor(params));
}

function pendingOf(reduction: Reduction, kind: string, key: Hash, capSlot: string, issuerRef: string): PendingEffect {
  return { effect_kind: kind, params_hash: key, intent_id: null, issuer_ref: issuerRef, cap_slot: capSlot, emitted_at_ns: nowOf(reduction), last_stream_seq: 0 };
}

/** Writes `bytes` as a blob; the receipt wakes `waiter`. */
export function putBlob(reduction: Reduction, bytes: Uint8Array, waiter: PendingBlobPutKind): void {
  const intent = effect.blobPut({ bytes });
  const key = paramsHash(intent.params);
  const shared = reduction.state.pending_blob_puts[key];
  const entry = { kind: waiter, emitted_at_ns: nowOf(reduction) };
  if (shared !== undefined) {
    shared.waiters.push(entry);
    return;
  }
  reduction.state.pending_blob_puts[key] = { pending: pendingOf(reduction, 'blob.put', key, 'blob', key), waiters: [entry] };
  reduction.effects.push({ ...intent, cap_slot: 'blob', issuer_ref: key });
}

/** Reads blob `ref`; the receipt wakes `waiter`. */
export function getBlob(reduction: Reduction, ref: Hash, waiter: PendingBlobGetKind): void {
  const intent = effect.blobGet({ blob_ref: ref });
  const key = paramsHash(intent.params);
  const shared = reduction.state.pending_blob_gets[key];
  const entry = { kind: waiter, emitted_at_ns: nowOf(reduction) };
  if (shared !== undefined) {
    shared.waiters.push(entry);
    return;
  }
  reduction.state.pending_blob_gets[key] = { pending: pendingOf(reduction, 'blob.get', key, 'blob', key), waiters: [entry] };
  reduction.effects.push({ ...intent, cap_slot: 'blob', issuer_ref: key });
}

/** Emits a session-level effect (llm.generate, host.session.open, host.session.signal). */
export function emitSessionEffect(reduction: Reduction, kind: string, params: AirValue, capSlot: string): Hash {
  const key = paramsHash(params);
  reduction.state.pending_effects[key] = pendingOf(reduction, kind, key, capSlot, key);
  reduction.effects.push(effect.custom(kind, params, { cap_slot: capSlot, issuer_ref: key }));
  return key;
}

/** True while the session waits on a session-level effect or a blob operation. */
export function waitingOnSession(reduction: Reduction): boolean {
  const state = reduction.state;
  return Object.keys(state.pending_effects).length > 0 || Object.keys(state.pending_blob_gets).length > 0 || Object.keys(state.pending_blob_puts).length > 0;
}

/** Effects emitted and not yet settled, batch calls included (SessionState.in_flight_effects). */
export function countInFlight(reduction: Reduction): number {
  const state = reduction.state;
  const batch = state.active_tool_batch === null ? 0 : Object.keys(state.active_tool_batch.pending_effects).length;
  return Object.keys(state.pending_effects).length + Object.keys(state.pending_blob_gets).length + Object.keys(state.pending_blob_puts).length + batch;
}
