// Host side of the upstream ABI envelopes (aos-wasm-abi): canonical CBOR without the
// self-describe prefix inside the sandbox boundary. Optional fields are left out when
// absent (as upstream's skip_serializing_if), `state` is always present (bytes or null).
// The envelopes have a fixed shape, so they are written field by field in canonical key
// order (ctx, event, state, version; event: key, value, schema) rather than through a
// generic encoder: this runs once per step. Tests compare them with encodeCanonical.
import { CborWriter } from './cbor-writer.ts';
import { KEY_CTX, KEY_EVENT, KEY_KEY, KEY_VALUE, KEY_SCHEMA, KEY_STATE, KEY_VERSION, KEY_INPUT } from './envelope-keys.ts';

/** ABI version written into every input envelope. */
export const ABI_VERSION = 1;

/** The event part of a workflow input. */
export interface InputEvent {
  readonly schema: string;
  readonly value: Uint8Array;
  readonly key?: Uint8Array;
}

/** A workflow step's input, its inner values already canonical CBOR. */
export interface WorkflowInput {
  readonly state: Uint8Array | null;
  readonly event: InputEvent;
  readonly ctx?: Uint8Array;
}

/** A pure call's input. */
export interface PureInput {
  readonly input: Uint8Array;
  readonly ctx?: Uint8Array;
}

const writer = new CborWriter();
const NULL_BYTE = Uint8Array.of(0xf6);

/** Encodes `{version:1, state, event:{schema, value, key?}, ctx?}`. */
export function encodeWorkflowInput(input: WorkflowInput): Uint8Array {
  writer.reset();
  writer.head(5, input.ctx === undefined ? 3 : 4);
  if (input.ctx !== undefined) {
    writer.raw(KEY_CTX);
    writer.byteString(input.ctx);
  }
  writer.raw(KEY_EVENT);
  writer.head(5, input.event.key === undefined ? 2 : 3);
  if (input.event.key !== undefined) {
    writer.raw(KEY_KEY);
    writer.byteString(input.event.key);
  }
  writer.raw(KEY_VALUE);
  writer.byteString(input.event.value);
  writer.raw(KEY_SCHEMA);
  writer.text(input.event.schema);
  writer.raw(KEY_STATE);
  if (input.state === null) writer.raw(NULL_BYTE);
  else writer.byteString(input.state);
  writer.raw(KEY_VERSION);
  writer.head(0, ABI_VERSION);
  return writer.take();
}

/** Encodes `{version:1, input, ctx?}`. */
export function encodePureInput(input: PureInput): Uint8Array {
  writer.reset();
  writer.head(5, input.ctx === undefined ? 2 : 3);
  if (input.ctx !== undefined) {
    writer.raw(KEY_CTX);
    writer.byteString(input.ctx);
  }
  writer.raw(KEY_INPUT);
  writer.byteString(input.input);
  writer.raw(KEY_VERSION);
  writer.head(0, ABI_VERSION);
  return writer.take();
}
