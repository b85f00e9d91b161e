// Host side of the output direction (protocol.ts): turns the JSON a module printed into the
// canonical CBOR output envelope, exactly the bytes and the decoded form check-output.ts
// gives for the same output, with the same limits and messages. Inner values (state, event
// values, effect params, ann) are encoded on their own and embedded as byte strings.
import type { ModuleLimits } from '../module-limits.ts';
import type { OutputEffect, OutputEvent, PureRunResult, StepFailure, WorkflowStepResult } from '../step-result.ts';
import { CborWriter, encodedText } from '../cbor-writer.ts';
import { encodeWireValue, WireValueError } from './wire-value-cbor.ts';
import type { WireOutputSource } from './wire-value-cbor.ts';

/** What invoke() printed: the JSON text and the side buffer its `$bytes` markers point into. */
export interface PrintedOutput extends WireOutputSource {
  readonly text: string;
}

const EVENT_FIELDS: ReadonlySet<string> = new Set(['schema', 'value', 'key']);
const EFFECT_FIELDS: ReadonlySet<string> = new Set(['kind', 'params', 'cap_slot', 'issuer_ref', 'idempotency_key']);

// The fixed keys of output envelopes, encoded once.
const KEY_OUTPUT = encodedText('output');
const KEY_ANN = encodedText('ann');
const KEY_STATE = encodedText('state');
const KEY_EFFECTS = encodedText('effects');
const KEY_DOMAIN_EVENTS = encodedText('domain_events');
const KEY_KEY = encodedText('key');
const KEY_VALUE = encodedText('value');
const KEY_SCHEMA = encodedText('schema');
const KEY_KIND = encodedText('kind');
const KEY_PARAMS_CBOR = encodedText('params_cbor');
const KEY_IDEMPOTENCY_KEY = encodedText('idempotency_key');

/** One writer per thread: steps run one at a time, and each result is copied out of it. */
const scratch = new CborWriter();

/** The failure for an output whose byte strings alone exceed the limit (reported by the prelude). */
export function outputBytesOverLimit(limits: ModuleLimits): StepFailure {
  return overLimit('output_bytes', `the output's byte strings alone exceed ${limits.outputBytesMax} bytes; at most ${limits.outputBytesMax} are allowed in an output envelope`);
}

/** Checks and encodes a workflow output `[state, events, effects, ann?]` into `{state, domain_events?, effects?, ann?}`. */
export function workflowOutputFromJson(printed: PrintedOutput, limits: ModuleLimits): WorkflowStepResult {
  try {
    const wire = tuple(JSON.parse(printed.text), 3, 4);
    const events = list(wire[1], 'output.domain_events');
    if (events.length > limits.eventsMax) {
      return overLimit('events', `the step emitted ${events.length} domain events; at most ${limits.eventsMax} are allowed per step`);
    }
    const effects = list(wire[2], 'output.effects');
    if (effects.length > limits.effectsMax) {
      return overLimit('effects', `the step emitted ${effects.length} effects; at most ${limits.effectsMax} are allowed per step`);
    }
    if (wire[0] === undefined) return badOutput('output.state is missing (use null to delete the cell)');
    const state = wire[0] === null ? null : encoded(wire[0], printed, 'state');
    const domainEvents = events.length === 0 ? NO_EVENTS : events.map((item, index) => toEvent(item, index, printed));
    const outputEffects = effects.length === 0 ? NO_EFFECTS : effects.map((item, index) => toEffect(item, index, printed));
    const ann = wire.length === 4 ? encoded(wire[3], printed, 'ann') : null;
    const bytes = workflowEnvelope(state, domainEvents, outputEffects, ann);
    if (bytes.length > limits.outputBytesMax) return envelopeOverLimit(bytes.length, limits);
    const domain_events = domainEvents.length === 0 ? [] : domainEvents.map((item) => item.event);
    const outputEffectList = outputEffects.length === 0 ? [] : outputEffects.map((item) => item.effect);
    return { kind: 'ok', bytes, output: { state, domain_events, effects: outputEffectList, ann } };
  } catch (error) {
    if (error instanceof WireValueError) return badOutput(error.message);
    throw error;
  }
}

/** Checks and encodes a pure output `[output]` into `{output}`. */
export function pureOutputFromJson(printed: PrintedOutput, limits: ModuleLimits): PureRunResult {
  try {
    const output = encoded(tuple(JSON.parse(printed.text), 1, 1)[0], printed, 'output');
    scratch.reset();
    scratch.head(5, 1);
    scratch.raw(KEY_OUTPUT);
    scratch.byteString(output);
    const bytes = scratch.take();
    if (bytes.length > limits.outputBytesMax) return envelopeOverLimit(bytes.length, limits);
    return { kind: 'ok', bytes, output };
  } catch (error) {
    if (error instanceof WireValueError) return badOutput(error.message);
    throw error;
  }
}

/** The printed wire tuple; its shape is the prelude's and the SDK's, so a mismatch means a tampered bundle. */
function tuple(value: unknown, lengthMin: number, lengthMax: number): readonly unknown[] {
  if (!Array.isArray(value) || value.length < lengthMin || value.length > lengthMax) {
    throw new WireValueError('output', `is not the wire tuple of ${lengthMin}–${lengthMax} items the SDK prints; was the bundle built with src/sdk?`);
  }
  return value;
}

function encoded(value: unknown, printed: PrintedOutput, path: string): Uint8Array {
  scratch.reset();
  encodeWireValue(scratch, value, printed, path);
  return scratch.take();
}

function record(value: unknown, where: string, allowed: ReadonlySet<string>): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new WireValueError(where, 'must be a record');
  const fields = value as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (!allowed.has(key)) throw new WireValueError(where, `has an unknown field "${key}"; allowed: ${[...allowed].join(', ')}`);
  }
  return fields;
}

const NONE: readonly unknown[] = Object.freeze([]);
const NO_EVENTS: readonly EncodedEvent[] = Object.freeze([]);
const NO_EFFECTS: readonly EncodedEffect[] = Object.freeze([]);

function list(value: unknown, where: string): readonly unknown[] {
  if (value === 0) return NONE;
  if (!Array.isArray(value)) throw new WireValueError(where, 'must be a list');
  return value;
}

function text(value: unknown, where: string): string {
  if (typeof value !== 'string') throw new WireValueError(where, 'must be text');
  return value;
}

/** A `$bytes` marker, encoded as a byte string. */
function markedBytes(value: unknown, printed: PrintedOutput, where: string): Uint8Array {
  const bytes = encoded(value, printed, where);
  if (bytes.length === 0 || (bytes[0] as number) >> 5 !== 2) throw new WireValueError(where, 'must be bytes (a Uint8Array)');
  return bytes;
}

interface EncodedEvent {
  readonly event: OutputEvent;
  /** Whether the module gave `key` at all (null included), as the envelope records it. */
  readonly keyGiven: boolean;
}

function toEvent(item: unknown, index: number, printed: PrintedOutput): EncodedEvent {
  const where = `output.domain_events[${index}]`;
  const event = record(item, where, EVENT_FIELDS);
  const schema = text(event['schema'], `${where}.schema`);
  if (!('value' in event)) throw new WireValueError(`${where}.value`, 'is missing');
  const value = encoded(event['value'], printed, `${where}.value`);
  const keyGiven = 'key' in event;
  if (!keyGiven || event['key'] === null) return { event: { schema, value }, keyGiven };
  return { event: { schema, value, key: byteStringContent(markedBytes(event['key'], printed, `${where}.key`)) }, keyGiven };
}

interface EncodedEffect {
  readonly effect: OutputEffect;
  /** Fields the module set to null; the envelope records them as null. */
  readonly nulls: ReadonlySet<string>;
}

function toEffect(item: unknown, index: number, printed: PrintedOutput): EncodedEffect {
  const where = `output.effects[${index}]`;
  const effect = record(item, where, EFFECT_FIELDS);
  if (!('params' in effect)) throw new WireValueError(`${where}.params`, 'is missing');
  const result: { -readonly [Key in keyof OutputEffect]: OutputEffect[Key] } = {
    kind: text(effect['kind'], `${where}.kind`),
    params_cbor: encoded(effect['params'], printed, `${where}.params`),
  };
  const nulls = new Set<string>();
  for (const name of ['cap_slot', 'issuer_ref', 'idempotency_key'] as const) {
    const value = effect[name];
    if (value === null) nulls.add(name);
    else if (value === undefined) continue;
    else if (name === 'idempotency_key') result.idempotency_key = byteStringContent(markedBytes(value, printed, `${where}.${name}`));
    else result[name] = text(value, `${where}.${name}`);
  }
  return { effect: result, nulls };
}

/** The content of an encoded byte string (its head stripped). */
function byteStringContent(encodedBytes: Uint8Array): Uint8Array {
  const info = (encodedBytes[0] as number) & 0x1f;
  const headLength = info < 24 ? 1 : info === 24 ? 2 : info === 25 ? 3 : info === 26 ? 5 : 9;
  return encodedBytes.subarray(headLength);
}

/**
 * The envelope as the SDK always wrote it: `state` always, the lists only when non-empty,
 * `ann` only when given. Keys are written in canonical order: ann, state, effects,
 * domain_events; event fields key, value, schema; effect fields kind, cap_slot, issuer_ref,
 * params_cbor, idempotency_key.
 */
function workflowEnvelope(state: Uint8Array | null, events: readonly EncodedEvent[], effects: readonly EncodedEffect[], ann: Uint8Array | null): Uint8Array {
  const writer = scratch;
  writer.reset();
  writer.head(5, 1 + (ann !== null ? 1 : 0) + (effects.length > 0 ? 1 : 0) + (events.length > 0 ? 1 : 0));
  if (ann !== null) {
    writer.raw(KEY_ANN);
    writer.byteString(ann);
  }
  writer.raw(KEY_STATE);
  nullableBytes(writer, state);
  if (effects.length > 0) {
    writer.raw(KEY_EFFECTS);
    writer.head(4, effects.length);
    for (const item of effects) writeEffect(writer, item);
  }
  if (events.length > 0) {
    writer.raw(KEY_DOMAIN_EVENTS);
    writer.head(4, events.length);
    for (const { event, keyGiven } of events) {
      writer.head(5, keyGiven ? 3 : 2);
      if (keyGiven) {
        writer.raw(KEY_KEY);
        nullableBytes(writer, event.key ?? null);
      }
      writer.raw(KEY_VALUE);
      writer.byteString(event.value);
      writer.raw(KEY_SCHEMA);
      writer.text(event.schema);
    }
  }
  return writer.take();
}

function writeEffect(writer: CborWriter, { effect, nulls }: EncodedEffect): void {
  const present = (name: 'cap_slot' | 'issuer_ref' | 'idempotency_key'): boolean => effect[name] !== undefined || nulls.has(name);
  writer.head(5, 2 + (present('cap_slot') ? 1 : 0) + (present('issuer_ref') ? 1 : 0) + (present('idempotency_key') ? 1 : 0));
  writer.raw(KEY_KIND);
  writer.text(effect.kind);
  for (const name of ['cap_slot', 'issuer_ref'] as const) {
    if (!present(name)) continue;
    writer.text(name);
    const value = effect[name];
    if (value === undefined) nullableBytes(writer, null);
    else writer.text(value);
  }
  writer.raw(KEY_PARAMS_CBOR);
  writer.byteString(effect.params_cbor);
  if (present('idempotency_key')) {
    writer.raw(KEY_IDEMPOTENCY_KEY);
    nullableBytes(writer, effect.idempotency_key ?? null);
  }
}

function nullableBytes(writer: CborWriter, bytes: Uint8Array | null): void {
  if (bytes === null) {
    writer.reserve(1);
    writer.bytes[writer.length++] = 0xf6;
  } else writer.byteString(bytes);
}

function overLimit(limit: 'events' | 'effects' | 'output_bytes', message: string): StepFailure {
  return { kind: 'over_limit', limit, message };
}

function envelopeOverLimit(size: number, limits: ModuleLimits): StepFailure {
  return overLimit('output_bytes', `the output envelope is ${size} bytes; at most ${limits.outputBytesMax} are allowed`);
}

function badOutput(what: string): StepFailure {
  return { kind: 'trapped', message: `invalid output: ${what}` };
}
