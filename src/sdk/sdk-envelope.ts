// Reading input envelopes and writing output envelopes inside the module (upstream ABI,
// canonical CBOR without the self-describe prefix). Field names follow aos-wasm-abi.
import { decodeCbor } from './cbor-decode.ts';
import { encodeCbor } from './cbor-encode.ts';
import { SdkError } from './errors.ts';
import type { EffectIntent } from './effects.ts';
import type { AirRecord, AirValue } from './values.ts';
import type { EmittedEvent, StepOutcome } from './workflow-types.ts';

/** ABI version of the envelopes this SDK reads. */
export const ABI_VERSION = 1;

/** The workflow input envelope, its inner values still bytes. */
export interface WorkflowInputEnvelope {
  readonly state: Uint8Array | null;
  readonly event: { readonly schema: string; readonly value: Uint8Array; readonly key?: Uint8Array };
  readonly ctx: Uint8Array | null;
}

function record(value: AirValue, what: string): AirRecord {
  if (typeof value !== 'object' || value === null || value instanceof Uint8Array || Array.isArray(value) || value instanceof Map) {
    throw new SdkError('BAD_ENVELOPE', `${what} is not a map`);
  }
  return value as AirRecord;
}

function bytesOrNull(value: AirValue | undefined, what: string): Uint8Array | null {
  if (value === undefined || value === null) return null;
  if (value instanceof Uint8Array) return value;
  throw new SdkError('BAD_ENVELOPE', `${what} is not bytes`);
}

function checkVersion(envelope: AirRecord): void {
  if (envelope['version'] !== ABI_VERSION) {
    throw new SdkError('BAD_ENVELOPE', `envelope version ${String(envelope['version'])} is not supported (expected ${ABI_VERSION})`);
  }
}

/** Decodes `{version:1, state, event:{schema, value, key?}, ctx?}`. */
export function readWorkflowInput(bytes: Uint8Array): WorkflowInputEnvelope {
  const envelope = record(decodeCbor(bytes), 'the input envelope');
  checkVersion(envelope);
  const event = record(envelope['event'] ?? null, 'envelope.event');
  const schema = event['schema'];
  const value = event['value'];
  if (typeof schema !== 'string' || !(value instanceof Uint8Array)) throw new SdkError('BAD_ENVELOPE', 'envelope.event needs text `schema` and bytes `value`');
  const key = bytesOrNull(event['key'], 'envelope.event.key');
  return {
    state: bytesOrNull(envelope['state'], 'envelope.state'),
    event: key === null ? { schema, value } : { schema, value, key },
    ctx: bytesOrNull(envelope['ctx'], 'envelope.ctx'),
  };
}

/** Decodes `{version:1, input, ctx?}`. */
export function readPureInput(bytes: Uint8Array): { readonly input: Uint8Array; readonly ctx: Uint8Array | null } {
  const envelope = record(decodeCbor(bytes), 'the input envelope');
  checkVersion(envelope);
  const input = envelope['input'];
  if (!(input instanceof Uint8Array)) throw new SdkError('BAD_ENVELOPE', 'envelope.input is not bytes');
  return { input, ctx: bytesOrNull(envelope['ctx'], 'envelope.ctx') };
}

function eventEntry(event: EmittedEvent, index: number): AirRecord {
  if (typeof event?.schema !== 'string') throw new SdkError('BAD_RESULT', `events[${index}] needs a text \`schema\``);
  const entry: Record<string, AirValue> = { schema: event.schema, value: encodeCbor(event.value) };
  if (event.key !== undefined) entry['key'] = event.key;
  return entry;
}

function effectEntry(intent: EffectIntent, index: number): AirRecord {
  if (typeof intent?.kind !== 'string') throw new SdkError('BAD_RESULT', `effects[${index}] needs a text \`kind\``);
  const entry: Record<string, AirValue> = { kind: intent.kind, params_cbor: encodeCbor(intent.params) };
  if (intent.cap_slot !== undefined) entry['cap_slot'] = intent.cap_slot;
  if (intent.issuer_ref !== undefined) entry['issuer_ref'] = intent.issuer_ref;
  if (intent.idempotency_key !== undefined) entry['idempotency_key'] = intent.idempotency_key;
  return entry;
}

/**
 * Encodes `{state, domain_events?, effects?, ann?}`: `state` always (bytes or null), the
 * lists only when non-empty, `ann` only when given. The host accepts the upstream form
 * (empty lists, `ann: null`) too.
 */
export function writeWorkflowOutput(outcome: StepOutcome<unknown>): Uint8Array {
  if (typeof outcome !== 'object' || outcome === null || !('state' in outcome)) {
    throw new SdkError('BAD_RESULT', 'step must return an object with a `state` field ({state, events?, effects?})');
  }
  const output: Record<string, AirValue> = { state: outcome.state === null ? null : encodeCbor(outcome.state as AirValue) };
  const events = outcome.events ?? [];
  const effects = outcome.effects ?? [];
  if (events.length > 0) output['domain_events'] = events.map(eventEntry);
  if (effects.length > 0) output['effects'] = effects.map(effectEntry);
  if (outcome.ann !== undefined) output['ann'] = encodeCbor(outcome.ann);
  return encodeCbor(output);
}

/** Encodes `{output}`. */
export function writePureOutput(output: unknown): Uint8Array {
  return encodeCbor({ output: encodeCbor(output as AirValue) });
}
