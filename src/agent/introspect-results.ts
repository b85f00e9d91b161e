// What the model sees of an introspection: the manifest and a workflow's state come back from
// the kernel as canonical CBOR bytes, which airToJson would show as hex the model cannot read.
// They are decoded here and shown as JSON values; bytes that do not decode stay hex, with a note.
import { decodeCbor } from 'agentos/sdk';
import type { AirValue } from 'agentos/sdk';
import { airToJson } from './json-text.ts';

/** The receipt field of each introspection that holds canonical CBOR. */
const CBOR_FIELDS: Readonly<Record<string, string>> = Object.freeze({
  'introspect.manifest': 'manifest',
  'introspect.workflow_state': 'state',
});

/** The payload of a tool's receipt as JSON for the model, its CBOR fields decoded. */
export function resultJson(effectKind: string, payload: AirValue | undefined): unknown {
  const result = airToJson(payload);
  const field = CBOR_FIELDS[effectKind];
  if (field === undefined || typeof payload !== 'object' || payload === null || payload instanceof Uint8Array || Array.isArray(payload) || payload instanceof Map) return result;
  const bytes = (payload as Record<string, AirValue>)[field];
  if (!(bytes instanceof Uint8Array)) return result;
  try {
    return { ...(result as Record<string, unknown>), [field]: airToJson(decodeCbor(bytes)) };
  } catch (error) {
    return { ...(result as Record<string, unknown>), [`${field}_note`]: `not decodable as CBOR (${error instanceof Error ? error.message : String(error)}); shown as hex` };
  }
}
