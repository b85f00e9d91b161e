// Stream frames (DESIGN §6): ordered partial results an adapter emits for an open intent before
// its receipt (an LLM's SSE chunks, a long command's output). A frame is an input of its own,
// stamped at ingress and journaled as a `stream_frame` record; only the receipt settles the intent.
//
// Admission, in this order (a refused frame is not journaled: executors resend, so refusals are
// routine, like duplicate receipts):
//   1. fenced (STREAM_FRAME_FENCED): the intent is not open (settled, or never emitted), or is
//      still waiting for approval (no executor may have started it), or `seq` is not exactly the
//      next one: frames of an intent are numbered 1, 2, 3, … and a gap or a duplicate is refused,
//      so the journaled frames of an intent are always a gap-free prefix;
//   2. refused (STREAM_FRAME_REFUSED): the frame is malformed or too large, or its signature does
//      not verify under a key the world trusts for its adapter_id at this height:
//        sig = ed25519(adapter key, cbor{purpose: "aos/stream-frame@1", intent_hash, adapter_id, seq, frame_kind, payload_hash})
// An admitted frame is delivered to the instance that emitted the intent as a
// sys/EffectStreamFrame@1 when that module's event is that schema or a variant with an arm for
// it; otherwise it is journaled only. Upstream delivers the same schema; it accepts a frame after
// a gap (recording the gap), where we fence it, so a workflow never sees frame 3 without frame 2.
import { verify as cryptoVerify } from 'node:crypto';
import { encodeCanonical, hashBytes, isHash } from '../cbor/index.ts';
import type { Hash } from '../cbor/index.ts';
import { KernelError } from './errors.ts';
import { RECEIPT_SIGNATURE_BYTES, STREAM_FRAME_KIND_CHARS_MAX, STREAM_FRAME_PAYLOAD_BYTES_MAX, STREAM_FRAMES_PER_INTENT_MAX } from './limits.ts';
import type { OpenIntent } from './open-work.ts';
import { publicKeyObject } from './public-key.ts';
import type { TrustedReceiptKeys } from './receipt-signature.ts';
import type { IngressStamp } from './records.ts';

/** The schema frames are delivered as (in the built-in catalog). */
export const STREAM_FRAME_SCHEMA = 'sys/EffectStreamFrame@1';

/** A frame an adapter emitted for an open intent. */
export interface StreamFrameInput {
  readonly intent_hash: Hash;
  readonly adapter_id: string;
  /** 1 for an intent's first frame, then each next one. */
  readonly seq: number;
  /** What the frame is, in the adapter's words (e.g. "delta", "stdout"). */
  readonly frame_kind: string;
  readonly payload: Uint8Array;
  readonly signature: Uint8Array;
}

/** The journal record of an admitted frame. */
export interface StreamFrameRecordBody {
  readonly kind: 'stream_frame';
  readonly intent_hash: Hash;
  readonly adapter_id: string;
  readonly seq: number;
  readonly frame_kind: string;
  readonly payload: Uint8Array;
  readonly signature: Uint8Array;
  readonly stamp: IngressStamp;
}

/** The fields a frame signature covers. */
export interface StreamFrameSigningFields {
  readonly intent_hash: Hash;
  readonly adapter_id: string;
  readonly seq: number;
  readonly frame_kind: string;
  readonly payload_hash: Hash;
}

const PURPOSE = 'aos/stream-frame@1';

/** The canonical bytes a frame signature is made over. */
export function streamFrameSigningBytes(fields: StreamFrameSigningFields): Uint8Array {
  return encodeCanonical({ purpose: PURPOSE, intent_hash: fields.intent_hash, adapter_id: fields.adapter_id, seq: fields.seq, frame_kind: fields.frame_kind, payload_hash: fields.payload_hash });
}

/** Checks a frame for admission (see the file comment); throws STREAM_FRAME_FENCED or STREAM_FRAME_REFUSED. */
export function checkStreamFrame(intent: OpenIntent | undefined, trusted: TrustedReceiptKeys, frame: StreamFrameInput): OpenIntent {
  const where = `stream frame ${Number.isSafeInteger(frame.seq) ? frame.seq : '?'} for intent ${String(frame.intent_hash).slice(0, 80)}`;
  if (intent === undefined) throw fenced(`${where}: the intent is not open (settled, or never emitted here); frames are fenced by intent hash`);
  if (intent.approval !== null) throw fenced(`${where}: the intent is still waiting for approval, so no adapter may have started it`);
  const expected = intent.frames + 1;
  if (frame.seq !== expected) throw fenced(`${where}: the next frame of this intent is ${expected}${frame.seq < expected ? ' (this one is a duplicate)' : ' (frames before it are missing)'}`);
  const problem = findFrameProblem(frame);
  if (problem !== null) throw refused(`${where} ${problem}`);
  const keys = trusted.get(frame.adapter_id) ?? [];
  const bytes = streamFrameSigningBytes({ intent_hash: frame.intent_hash, adapter_id: frame.adapter_id, seq: frame.seq, frame_kind: frame.frame_kind, payload_hash: hashBytes(frame.payload) });
  const valid = frame.signature.length === RECEIPT_SIGNATURE_BYTES && keys.some((key) => cryptoVerify(null, bytes, publicKeyObject(key), frame.signature));
  if (!valid) throw refused(`${where} from adapter ${JSON.stringify(frame.adapter_id.slice(0, 80))} has a signature that does not verify under the ${keys.length} key(s) the world trusts for that adapter; sign it with the adapter's current key`);
  return { ...intent, frames: frame.seq };
}

/** The record of an admitted frame. */
export function streamFrameRecord(frame: StreamFrameInput, stamp: IngressStamp): StreamFrameRecordBody {
  return { kind: 'stream_frame', intent_hash: frame.intent_hash, adapter_id: frame.adapter_id, seq: frame.seq, frame_kind: frame.frame_kind, payload: frame.payload, signature: frame.signature, stamp };
}

/** What a frame is delivered as: a sys/EffectStreamFrame@1 value (fields in the schema's terms). */
export function streamFrameEnvelope(intent: OpenIntent, frame: StreamFrameRecordBody): Record<string, unknown> {
  return {
    origin_module_id: intent.module, origin_instance_key: intent.key, intent_id: intent.hash, effect_kind: intent.kind,
    params_hash: hashBytes(intent.params), issuer_ref: intent.issuerRef ?? null, emitted_at_seq: intent.emittedAt,
    seq: frame.seq, kind: frame.frame_kind, payload: frame.payload, payload_ref: null, adapter_id: frame.adapter_id, signature: frame.signature,
  };
}

function findFrameProblem(frame: StreamFrameInput): string | null {
  if (!isHash(frame.intent_hash)) return 'names no intent hash';
  if (typeof frame.adapter_id !== 'string' || frame.adapter_id.length === 0) return 'names no adapter_id';
  if (!Number.isSafeInteger(frame.seq) || frame.seq < 1 || frame.seq > STREAM_FRAMES_PER_INTENT_MAX) return `has seq ${String(frame.seq)}; an intent has at most ${STREAM_FRAMES_PER_INTENT_MAX} frames, numbered from 1`;
  if (typeof frame.frame_kind !== 'string' || frame.frame_kind.length === 0 || frame.frame_kind.length > STREAM_FRAME_KIND_CHARS_MAX) return `has a frame_kind that is not 1 to ${STREAM_FRAME_KIND_CHARS_MAX} characters of text`;
  if (!(frame.payload instanceof Uint8Array) || frame.payload.length > STREAM_FRAME_PAYLOAD_BYTES_MAX) return `has a payload that is not bytes or is over ${STREAM_FRAME_PAYLOAD_BYTES_MAX} bytes (put large chunks in a blob)`;
  if (!(frame.signature instanceof Uint8Array)) return 'has no signature bytes';
  return null;
}

function fenced(message: string): KernelError {
  return new KernelError('STREAM_FRAME_FENCED', message);
}

function refused(message: string): KernelError {
  return new KernelError('STREAM_FRAME_REFUSED', message);
}
