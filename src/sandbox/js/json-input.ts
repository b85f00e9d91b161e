// Host side of the input direction (protocol.ts): reads a canonical CBOR input envelope and
// its inner values (state, event value and ctx are byte strings of canonical CBOR) and
// writes the wire input as one JSON text (a tuple, see protocol.ts). Byte strings stay in the envelope: their markers
// give offsets into it, and the runtime passes the envelope along as the side buffer.
import { ABI_VERSION } from '../envelope.ts';
import { SandboxError } from '../errors.ts';
import { CborJsonReader, quoteShortAscii } from './cbor-json-reader.ts';
import { WIRE_HAS_CTX, WIRE_HAS_KEY, WIRE_HAS_STATE } from './protocol.ts';
import { KEY_CTX, KEY_EVENT, KEY_KEY, KEY_VALUE, KEY_SCHEMA, KEY_STATE, KEY_VERSION } from '../envelope-keys.ts';

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
export interface Span {
  readonly start: number;
  readonly end: number;
}

/** Collects the JSON of inner values and their markers. */
class WireWriter {
  private readonly markers: string[] = [];
  usesEnvelope = false;
  constructor(private readonly envelope: Uint8Array) {}

  /** The JSON of the canonical CBOR in `span`, its markers rooted at tuple position `root`. */
  value(span: Span, root: number, where: string): string {
    const envelope = this.envelope;
    const prefixed = span.end - span.start >= 3 && envelope[span.start] === 0xd9 && envelope[span.start + 1] === 0xd9 && envelope[span.start + 2] === 0xf7;
    const reader = new CborJsonReader(envelope, prefixed ? span.start + 3 : span.start, span.end, where);
    if (reader.offset === span.end) reader.fail(span.start, 'no data item to decode');
    reader.writeItem(root);
    reader.checkEnd();
    for (const marker of reader.markers) this.markers.push(marker);
    this.usesEnvelope ||= reader.usesSource;
    return reader.json;
  }

  /** A `$bytes` marker for a byte string of the envelope itself, at tuple position `root`. */
  bytes(span: Span, root: number): string {
    this.markers.push(`[${root}]`);
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
export interface Parts {
  version?: true;
  state?: Span | null;
  /** The schema's JSON literal. */
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
      parts.schema = reader.readQuotedText(start).json;
    } else if (field === 'value') parts.value = readSpanInto(reader, 'envelope.event.value');
    else parts.key = readSpanInto(reader, 'envelope.event.key');
  });
}

/** `{version:1, state, event:{schema, value, key?}, ctx?}` → `[markers, flags, schema, value, state, key, ctx]`. */
export function workflowInputJson(envelope: Uint8Array): WireInputText {
  const parts = workflowLayout(envelope) ?? readWorkflowParts(envelope);
  const { state, schema, value, key, ctx } = parts;
  if (parts.version === undefined || state === undefined || schema === undefined || value === undefined) {
    return envelopeReader(envelope).fail(0, 'a workflow envelope needs version, state (bytes or null) and event {schema, value}');
  }
  const writer = new WireWriter(envelope);
  const flags = (state === null ? 0 : WIRE_HAS_STATE) | (key === undefined ? 0 : WIRE_HAS_KEY) | (ctx === undefined ? 0 : WIRE_HAS_CTX);
  const valueJson = writer.value(value, WORKFLOW_VALUE, 'envelope.event.value');
  const stateJson = state === null ? 'null' : writer.value(state, WORKFLOW_STATE, 'envelope.state');
  const keyJson = key === undefined ? 'null' : writer.bytes(key, WORKFLOW_KEY);
  const ctxJson = ctx === undefined ? 'null' : writer.value(ctx, WORKFLOW_CTX, 'envelope.ctx');
  return writer.finish(`${flags},${schema},${valueJson},${stateJson},${keyJson},${ctxJson}`);
}

/** The general reader of a workflow envelope: every fault is named. Exported for tests. */
export function readWorkflowParts(envelope: Uint8Array): Parts {
  const reader = envelopeReader(envelope);
  const parts: Parts = {};
  readFields(reader, WORKFLOW_FIELDS, 'the envelope', (field) => {
    if (field === 'version') parts.version = readVersion(reader);
    else if (field === 'state') parts.state = readSpan(reader, 'envelope.state', true);
    else if (field === 'ctx') parts.ctx = readSpanInto(reader, 'envelope.ctx');
    else readEvent(reader, parts);
  });
  reader.checkEnd();
  return parts;
}


/**
 * The parts of a workflow envelope written in its one canonical layout (what
 * encodeWorkflowInput writes), or null for anything else, which the general reader then
 * reads or refuses with its message: this never throws and accepts a subset of what the
 * general reader accepts, with the same parts.
 */
export function workflowLayout(envelope: Uint8Array): Parts | null {
  const cursor = new LayoutCursor(envelope);
  const fields = envelope[cursor.offset];
  if (fields !== 0xa3 && fields !== 0xa4) return null;
  cursor.offset += 1;
  const ctx = fields === 0xa4 ? (cursor.key(KEY_CTX) ? cursor.byteString() : null) : undefined;
  if (ctx === null || !cursor.key(KEY_EVENT)) return null;
  const eventFields = envelope[cursor.offset];
  if (eventFields !== 0xa2 && eventFields !== 0xa3) return null;
  cursor.offset += 1;
  const key = eventFields === 0xa3 ? (cursor.key(KEY_KEY) ? cursor.byteString() : null) : undefined;
  const value = key !== null && cursor.key(KEY_VALUE) ? cursor.byteString() : null;
  const schema = value !== null && cursor.key(KEY_SCHEMA) ? cursor.shortText() : null;
  if (schema === null || !cursor.key(KEY_STATE)) return null;
  const stateNull = envelope[cursor.offset] === 0xf6;
  if (stateNull) cursor.offset += 1;
  const state = stateNull ? null : cursor.byteString();
  if ((!stateNull && state === null) || !cursor.key(KEY_VERSION) || envelope[cursor.offset] !== ABI_VERSION) return null;
  if (cursor.offset + 1 !== envelope.length || key === null || value === null) return null;
  const parts: Parts = { version: true, state, schema, value };
  if (key !== undefined) parts.key = key;
  if (ctx !== undefined) parts.ctx = ctx;
  return parts;
}

/** A cursor for workflowLayout(): each read answers null instead of failing. */
class LayoutCursor {
  offset: number;
  constructor(private readonly bytes: Uint8Array) {
    const prefixed = bytes.length >= 3 && bytes[0] === 0xd9 && bytes[1] === 0xd9 && bytes[2] === 0xf7;
    this.offset = prefixed ? 3 : 0;
  }

  /** Steps over `key` when the bytes at the cursor are exactly it. */
  key(key: Uint8Array): boolean {
    const bytes = this.bytes;
    const at = this.offset;
    if (at + key.length > bytes.length) return false;
    for (let index = 0; index < key.length; index += 1) if (bytes[at + index] !== key[index]) return false;
    this.offset = at + key.length;
    return true;
  }

  /** A byte string with a shortest head of at most 4 bytes of length, within the envelope. */
  byteString(): Span | null {
    const length = this.head(2);
    if (length === null) return null;
    this.offset += length;
    return { start: this.offset - length, end: this.offset };
  }

  /** A short ASCII text that quotes as it is: its JSON literal. */
  shortText(): string | null {
    const length = this.head(3);
    if (length === null) return null;
    const quoted = quoteShortAscii(this.bytes, this.offset, this.offset + length);
    this.offset += length;
    return quoted === null ? null : quoted.json;
  }

  /** The length in a shortest head of `major` whose content fits in the envelope, or null. */
  private head(major: number): number | null {
    const bytes = this.bytes;
    const at = this.offset;
    if (at >= bytes.length || (bytes[at] as number) >> 5 !== major) return null;
    const info = (bytes[at] as number) & 0x1f;
    let length: number;
    let size = 0;
    if (info < 24) length = info;
    else if (info === 24 && at + 1 < bytes.length) {
      size = 1;
      length = bytes[at + 1] as number;
      if (length < 24) return null;
    } else if (info === 25 && at + 2 < bytes.length) {
      size = 2;
      length = ((bytes[at + 1] as number) << 8) | (bytes[at + 2] as number);
      if (length < 0x100) return null;
    } else if (info === 26 && at + 4 < bytes.length) {
      size = 4;
      length = (bytes[at + 1] as number) * 0x100_0000 + (((bytes[at + 2] as number) << 16) | ((bytes[at + 3] as number) << 8) | (bytes[at + 4] as number));
      if (length < 0x1_0000) return null;
    } else return null;
    this.offset = at + 1 + size;
    return this.offset + length <= bytes.length ? length : null;
  }
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
  const inputJson = writer.value(input, PURE_INPUT, 'envelope.input');
  const ctxJson = ctx === undefined ? 'null' : writer.value(ctx, PURE_CTX, 'envelope.ctx');
  return writer.finish(`${ctx === undefined ? 0 : WIRE_HAS_CTX},${inputJson},${ctxJson}`);
}

/**
 * One canonical CBOR value → `[markers, value]` as wire JSON text, its byte markers giving
 * offsets into `bytes` itself (a self-describe prefix is skipped); null when the bytes are not
 * exactly one canonical AIR value. For the CBOR_DECODE_GLOBAL native (host-natives.ts).
 */
export function valueJson(bytes: Uint8Array): string | null {
  const writer = new WireWriter(bytes);
  try {
    const json = writer.value({ start: 0, end: bytes.length }, 1, 'bytes');
    return writer.finish(json).text;
  } catch (error) {
    if (error instanceof SandboxError) return null;
    throw error;
  }
}
