// Host side of the input direction (protocol.ts): reads a canonical CBOR input envelope and
// its inner values (state, event value and ctx are byte strings of canonical CBOR) and
// writes the wire input as one JSON text (a tuple, see protocol.ts). Byte strings stay in the envelope: their markers
// give offsets into it, and the runtime passes the envelope along as the side buffer.
import { ABI_VERSION } from '../envelope.ts';
import { CborJsonReader } from './cbor-json-reader.ts';
import { WIRE_HAS_CTX, WIRE_HAS_KEY, WIRE_HAS_STATE } from './protocol.ts';

/** A wire input: its JSON text, and whether markers point into the envelope bytes. */
export interface WireInputText {
  readonly text: string;
  readonly usesEnvelope: boolean;
}

const WORKFLOW_FIELDS = ['ctx', 'event', 'state', 'version'] as const;
const EVENT_FIELDS = ['key', 'value', 'schema'] as const;
const PURE_FIELDS = ['ctx', 'input', 'version'] as const;
// Positions in the wire tuples of protocol.ts (position 0 holds the markers, 1 the flags).
const WORKFLOW_VALUE = 3;
const WORKFLOW_STATE = 4;
const WORKFLOW_KEY = 5;
const WORKFLOW_CTX = 6;
const PURE_INPUT = 2;
const PURE_CTX = 3;

/** Where an inner value sits in the envelope. */
interface Span {
  readonly start: number;
  readonly end: number;
}

/** Collects the JSON of inner values and their markers. */
class WireWriter {
  private readonly markers: string[] = [];
  usesEnvelope = false;
  constructor(private readonly envelope: Uint8Array) {}

  /** The JSON of the canonical CBOR in `span`, its markers rooted at `path`. */
  value(span: Span, path: ReadonlyArray<string | number>, where: string): string {
    const envelope = this.envelope;
    const prefixed = span.end - span.start >= 3 && envelope[span.start] === 0xd9 && envelope[span.start + 1] === 0xd9 && envelope[span.start + 2] === 0xf7;
    const reader = new CborJsonReader(envelope, prefixed ? span.start + 3 : span.start, span.end, where);
    if (reader.offset === span.end) reader.fail(span.start, 'no data item to decode');
    reader.writeItem(path);
    reader.checkEnd();
    for (const marker of reader.markers) this.markers.push(marker);
    this.usesEnvelope ||= reader.usesSource;
    return reader.json;
  }

  /** A `$bytes` marker for a byte string of the envelope itself. */
  bytes(span: Span, path: ReadonlyArray<string | number>): string {
    this.markers.push(JSON.stringify(path));
    this.usesEnvelope = true;
    return `{"$bytes":[${span.start},${span.end - span.start}]}`;
  }

  /** The wire input: `[markers, …parts]`, `markers` 0 when there are none. */
  finish(parts: string): WireInputText {
    const markers = this.markers.length === 0 ? '0' : `[${this.markers.join(',')}]`;
    return { text: `[${markers},${parts}]`, usesEnvelope: this.usesEnvelope };
  }
}

/** Reads the fields of a text-keyed map in canonical order; `read` consumes each value. */
function readFields<Field extends string>(reader: CborJsonReader, fields: readonly Field[], where: string, read: (field: Field) => void): void {
  const start = reader.offset;
  if (reader.readHead() !== 5) reader.fail(start, `${where} is not a map`);
  const count = reader.readLength(start);
  let next = 0;
  for (let index = 0; index < count; index += 1) {
    const keyStart = reader.offset;
    if (reader.readHead() !== 3) reader.fail(keyStart, `${where} has a key that is not text`);
    const key = reader.readText(keyStart);
    const position = fields.indexOf(key as Field, next);
    if (position === -1) {
      reader.fail(keyStart, fields.includes(key as Field) ? `${where} repeats "${key}" or has it out of canonical order` : `${where} has an unknown field "${key}"; allowed: ${fields.join(', ')}`);
    }
    next = position + 1;
    read(key as Field);
  }
}

function readSpan(reader: CborJsonReader, what: string, nullable: boolean): Span | null {
  const start = reader.offset;
  const major = reader.readHead();
  if (nullable && major === 7 && reader.bytes[start] === 0xf6) return null;
  if (major !== 2) reader.fail(start, `${what} must be bytes${nullable ? ' or null' : ''}`);
  const length = reader.readLength(start);
  reader.offset += length;
  return { start: reader.offset - length, end: reader.offset };
}

function readVersion(reader: CborJsonReader): true {
  const start = reader.offset;
  const major = reader.readHead();
  if (major !== 0 || reader.bytes[start] !== ABI_VERSION) reader.fail(start, `envelope version is not ${ABI_VERSION}, the only one this runtime reads`);
  return true;
}

function envelopeReader(envelope: Uint8Array): CborJsonReader {
  const prefixed = envelope.length >= 3 && envelope[0] === 0xd9 && envelope[1] === 0xd9 && envelope[2] === 0xf7;
  return new CborJsonReader(envelope, prefixed ? 3 : 0, envelope.length, 'envelope');
}

/** The parts of an input envelope, found as its fields are read. */
interface Parts {
  version?: true;
  state?: Span | null;
  schema?: string;
  value?: Span;
  key?: Span;
  input?: Span;
  ctx?: Span;
}

function readSpanInto(reader: CborJsonReader, what: string): Span {
  const span = readSpan(reader, what, false);
  if (span === null) return reader.fail(reader.offset, `${what} must be bytes`);
  return span;
}

function readEvent(reader: CborJsonReader, parts: Parts): void {
  readFields(reader, EVENT_FIELDS, 'envelope.event', (field) => {
    if (field === 'schema') {
      const start = reader.offset;
      if (reader.readHead() !== 3) reader.fail(start, 'envelope.event.schema must be text');
      parts.schema = reader.readText(start);
    } else if (field === 'value') parts.value = readSpanInto(reader, 'envelope.event.value');
    else parts.key = readSpanInto(reader, 'envelope.event.key');
  });
}

/** `{version:1, state, event:{schema, value, key?}, ctx?}` → `[markers, flags, schema, value, state, key, ctx]`. */
export function workflowInputJson(envelope: Uint8Array): WireInputText {
  const reader = envelopeReader(envelope);
  const parts: Parts = {};
  readFields(reader, WORKFLOW_FIELDS, 'the envelope', (field) => {
    if (field === 'version') parts.version = readVersion(reader);
    else if (field === 'state') parts.state = readSpan(reader, 'envelope.state', true);
    else if (field === 'ctx') parts.ctx = readSpanInto(reader, 'envelope.ctx');
    else readEvent(reader, parts);
  });
  reader.checkEnd();
  const { state, schema, value, key, ctx } = parts;
  if (parts.version === undefined || state === undefined || schema === undefined || value === undefined) {
    return reader.fail(0, 'a workflow envelope needs version, state (bytes or null) and event {schema, value}');
  }
  const writer = new WireWriter(envelope);
  const flags = (state === null ? 0 : WIRE_HAS_STATE) | (key === undefined ? 0 : WIRE_HAS_KEY) | (ctx === undefined ? 0 : WIRE_HAS_CTX);
  const valueJson = writer.value(value, [WORKFLOW_VALUE], 'envelope.event.value');
  const stateJson = state === null ? 'null' : writer.value(state, [WORKFLOW_STATE], 'envelope.state');
  const keyJson = key === undefined ? 'null' : writer.bytes(key, [WORKFLOW_KEY]);
  const ctxJson = ctx === undefined ? 'null' : writer.value(ctx, [WORKFLOW_CTX], 'envelope.ctx');
  return writer.finish(`${flags},${JSON.stringify(schema)},${valueJson},${stateJson},${keyJson},${ctxJson}`);
}

/** `{version:1, input, ctx?}` → `[markers, flags, input, ctx]`. */
export function pureInputJson(envelope: Uint8Array): WireInputText {
  const reader = envelopeReader(envelope);
  const parts: Parts = {};
  readFields(reader, PURE_FIELDS, 'the envelope', (field) => {
    if (field === 'version') parts.version = readVersion(reader);
    else if (field === 'input') parts.input = readSpanInto(reader, 'envelope.input');
    else parts.ctx = readSpanInto(reader, 'envelope.ctx');
  });
  reader.checkEnd();
  const { input, ctx } = parts;
  if (parts.version === undefined || input === undefined) return reader.fail(0, 'a pure envelope needs version and input');
  const writer = new WireWriter(envelope);
  const inputJson = writer.value(input, [PURE_INPUT], 'envelope.input');
  const ctxJson = ctx === undefined ? 'null' : writer.value(ctx, [PURE_CTX], 'envelope.ctx');
  return writer.finish(`${ctx === undefined ? 0 : WIRE_HAS_CTX},${inputJson},${ctxJson}`);
}
