// Host side of the upstream ABI envelopes (aos-wasm-abi): canonical CBOR without the
// self-describe prefix inside the sandbox boundary. Optional fields are left out when
// absent (as upstream's skip_serializing_if), `state` is always present (bytes or null).
import { encodeCanonical } from '../cbor/index.ts';
import type { CborValue } from '../cbor/index.ts';

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

/** Encodes `{version:1, state, event:{schema, value, key?}, ctx?}`. */
export function encodeWorkflowInput(input: WorkflowInput): Uint8Array {
  const event: Record<string, CborValue> = { schema: input.event.schema, value: input.event.value };
  if (input.event.key !== undefined) event['key'] = input.event.key;
  const envelope: Record<string, CborValue> = { version: ABI_VERSION, state: input.state, event };
  if (input.ctx !== undefined) envelope['ctx'] = input.ctx;
  return encodeCanonical(envelope, { selfDescribe: false });
}

/** Encodes `{version:1, input, ctx?}`. */
export function encodePureInput(input: PureInput): Uint8Array {
  const envelope: Record<string, CborValue> = { version: ABI_VERSION, input: input.input };
  if (input.ctx !== undefined) envelope['ctx'] = input.ctx;
  return encodeCanonical(envelope, { selfDescribe: false });
}
