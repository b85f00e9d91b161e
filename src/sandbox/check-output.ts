// Host-side check of what a module returned: the size first, then a strict canonical
// decode, the envelope shape, and the effect and event counts. Every refusal is a
// StepFailure the kernel can journal; the same bytes always give the same verdict.
import { CborError, decodeCanonical, isCborObject } from '../cbor/index.ts';
import type { CborObject, CborValue } from '../cbor/index.ts';
import type { ModuleLimits } from './module-limits.ts';
import type { OutputEffect, OutputEvent, PureRunResult, StepFailure, WorkflowOutput, WorkflowStepResult } from './step-result.ts';

class OutputShapeError extends Error {}

const WORKFLOW_OUTPUT_FIELDS: ReadonlySet<string> = new Set(['state', 'domain_events', 'effects', 'ann']);
const EVENT_FIELDS: ReadonlySet<string> = new Set(['schema', 'value', 'key']);
const EFFECT_FIELDS: ReadonlySet<string> = new Set(['kind', 'params_cbor', 'cap_slot', 'issuer_ref', 'idempotency_key']);

/** Checks and decodes a workflow output envelope. */
export function checkWorkflowOutput(bytes: Uint8Array, limits: ModuleLimits): WorkflowStepResult {
  const envelope = decodeEnvelope(bytes, limits);
  if ('kind' in envelope) return envelope;
  try {
    checkFields(envelope.value, WORKFLOW_OUTPUT_FIELDS, 'output');
    const events = listField(envelope.value, 'domain_events');
    if (events.length > limits.eventsMax) {
      return overLimit('events', `the step emitted ${events.length} domain events; at most ${limits.eventsMax} are allowed per step`);
    }
    const effects = listField(envelope.value, 'effects');
    if (effects.length > limits.effectsMax) {
      return overLimit('effects', `the step emitted ${effects.length} effects; at most ${limits.effectsMax} are allowed per step`);
    }
    if (!('state' in envelope.value)) throw new OutputShapeError('output.state is missing (use null to delete the cell)');
    const output: WorkflowOutput = {
      state: optionalBytes(envelope.value, 'state', 'output'),
      domain_events: events.map(toEvent),
      effects: effects.map(toEffect),
      ann: optionalBytes(envelope.value, 'ann', 'output'),
    };
    return { kind: 'ok', bytes, output };
  } catch (error) {
    if (error instanceof OutputShapeError) return badOutput(error.message);
    throw error;
  }
}

/** Checks and decodes a pure output envelope `{output: bytes}`. */
export function checkPureOutput(bytes: Uint8Array, limits: ModuleLimits): PureRunResult {
  const envelope = decodeEnvelope(bytes, limits);
  if ('kind' in envelope) return envelope;
  try {
    checkFields(envelope.value, new Set(['output']), 'output');
    const output = envelope.value['output'];
    if (!(output instanceof Uint8Array)) throw new OutputShapeError('output.output must be bytes');
    return { kind: 'ok', bytes, output };
  } catch (error) {
    if (error instanceof OutputShapeError) return badOutput(error.message);
    throw error;
  }
}

function decodeEnvelope(bytes: Uint8Array, limits: ModuleLimits): { value: CborObject } | StepFailure {
  if (bytes.length > limits.outputBytesMax) {
    return overLimit('output_bytes', `the output envelope is ${bytes.length} bytes; at most ${limits.outputBytesMax} are allowed`);
  }
  let value: CborValue;
  try {
    value = decodeCanonical(bytes);
  } catch (error) {
    if (error instanceof CborError) return badOutput(`not canonical CBOR: ${error.message}`);
    throw error;
  }
  if (!isCborObject(value)) return badOutput('the output envelope is not a map with text keys');
  return { value };
}

function checkFields(value: CborObject, allowed: ReadonlySet<string>, where: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed.has(key)) throw new OutputShapeError(`${where} has an unknown field "${key}"; allowed: ${[...allowed].join(', ')}`);
  }
}

function listField(value: CborObject, name: string): readonly CborValue[] {
  const list = value[name];
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw new OutputShapeError(`output.${name} must be a list`);
  return list as readonly CborValue[];
}

function optionalBytes(value: CborObject, name: string, where: string): Uint8Array | null {
  const field = value[name];
  if (field === undefined || field === null) return null;
  if (field instanceof Uint8Array) return field;
  throw new OutputShapeError(`${where}.${name} must be bytes or null`);
}

function text(value: CborObject, name: string, where: string): string {
  const field = value[name];
  if (typeof field !== 'string') throw new OutputShapeError(`${where}.${name} must be text`);
  return field;
}

function entry(item: CborValue, where: string, allowed: ReadonlySet<string>): CborObject {
  if (!isCborObject(item)) throw new OutputShapeError(`${where} must be a map with text keys`);
  checkFields(item, allowed, where);
  return item;
}

function toEvent(item: CborValue, index: number): OutputEvent {
  const where = `output.domain_events[${index}]`;
  const event = entry(item, where, EVENT_FIELDS);
  const value = optionalBytes(event, 'value', where);
  if (value === null) throw new OutputShapeError(`${where}.value must be bytes`);
  const key = optionalBytes(event, 'key', where);
  const schema = text(event, 'schema', where);
  return key === null ? { schema, value } : { schema, value, key };
}

function toEffect(item: CborValue, index: number): OutputEffect {
  const where = `output.effects[${index}]`;
  const effect = entry(item, where, EFFECT_FIELDS);
  const params = optionalBytes(effect, 'params_cbor', where);
  if (params === null) throw new OutputShapeError(`${where}.params_cbor must be bytes`);
  const result: { -readonly [Key in keyof OutputEffect]: OutputEffect[Key] } = { kind: text(effect, 'kind', where), params_cbor: params };
  if (effect['cap_slot'] !== undefined && effect['cap_slot'] !== null) result.cap_slot = text(effect, 'cap_slot', where);
  if (effect['issuer_ref'] !== undefined && effect['issuer_ref'] !== null) result.issuer_ref = text(effect, 'issuer_ref', where);
  const key = optionalBytes(effect, 'idempotency_key', where);
  if (key !== null) result.idempotency_key = key;
  return result;
}

function overLimit(limit: 'events' | 'effects' | 'output_bytes', message: string): StepFailure {
  return { kind: 'over_limit', limit, message };
}

function badOutput(what: string): StepFailure {
  return { kind: 'trapped', message: `invalid output envelope: ${what}` };
}
